// A stand-in for the train CLI used by the sweep tests, with its file contract: `train --config C --out O` or
// `train --resume O`, O/config.json record, O/checkpoints/last/current.json per step, O/metrics.jsonl, a JSON
// summary line on stdout, SIGTERM = checkpoint and stop (stopReason 'signal'). Logs starts to fake-trainer.log.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const script = String.raw`
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const args = process.argv.slice(2);
if (args[0] !== 'train') { console.error('expected "train", got ' + args[0]); process.exit(64); }
const flag = (name) => { const at = args.indexOf(name); return at >= 0 ? args[at + 1] : undefined; };
const resume = flag('--resume');
const out = resume ?? flag('--out');
if (!out || (!resume && !flag('--config'))) { console.error('missing --config/--out or --resume'); process.exit(64); }
mkdirSync(out, { recursive: true });
// Like partial-mtl train: the out dir gets its own config record, which --resume reads back.
const record = join(out, 'config.json');
const config = resume ? JSON.parse(readFileSync(record, 'utf8')).config : JSON.parse(readFileSync(flag('--config'), 'utf8'));
if (!resume) writeFileSync(record, JSON.stringify({ config: { ...config, outDir: out }, backend: 'fake' }));
const checkpoint = join(out, 'checkpoints', 'last', 'current.json');
let start = 0;
if (resume) {
  if (!existsSync(checkpoint)) { console.error('--resume without a checkpoint'); process.exit(65); }
  start = JSON.parse(readFileSync(checkpoint, 'utf8')).step;
}
const log = join(out, 'fake-trainer.log');
appendFileSync(log, 'start pid=' + process.pid + ' step=' + start + '\n');
let stopRequested = false;
process.on('SIGTERM', () => { stopRequested = true; });
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
for (let step = start + 1; step <= config.steps; step++) {
  await sleep(config.stepMs ?? 10);
  if (config.crashAtStep === step && !existsSync(join(out, 'crashed-once'))) {
    writeFileSync(join(out, 'crashed-once'), '');
    appendFileSync(log, 'crash at ' + step + '\n');
    process.exit(3);
  }
  mkdirSync(join(out, 'checkpoints', 'last'), { recursive: true });
  writeFileSync(checkpoint + '.tmp', JSON.stringify({ step }));
  renameSync(checkpoint + '.tmp', checkpoint);
  appendFileSync(log, 'step ' + step + '\n');
  if (stopRequested) {
    appendFileSync(log, 'stopped by signal\n');
    console.log(JSON.stringify({ outDir: out, stopReason: 'signal', step }));
    process.exit(0);
  }
}
const bonus = config.bonus ?? 0;
const metrics = {
  segmentation: { mIoU: 0.3 + 0.01 * bonus + 0.001 * config.seed },
  depth: { absErr: 0.6 - 0.01 * bonus },
};
const final = { step: config.steps, deltaM: 0, best: true, metrics };
if (config.resultFile) writeFileSync(join(out, 'result.json'), JSON.stringify({ fromResultFile: true, ...final }));
appendFileSync(join(out, 'metrics.jsonl'), JSON.stringify({ step: 1, metrics: {} }) + '\n' + JSON.stringify(final) + '\n');
appendFileSync(log, 'done\n');
console.log('progress noise');
console.log(JSON.stringify({ outDir: out, stopReason: 'completed', step: config.steps }));
`;

/** Writes the fake trainer into `directory` and returns the runner command (`node <script>`). */
export function writeFakeTrainer(directory: string): string[] {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, 'fake-trainer.mjs');
  writeFileSync(path, script);
  return [process.execPath, path];
}

/** The fake trainer's log of an entry (in the entry's trainer out dir `run/`), or '' before it started. */
export function readFakeLog(runs: string, id: string): string {
  try {
    return readFileSync(join(runs, id, 'run', 'fake-trainer.log'), 'utf8');
  } catch {
    return '';
  }
}

/** Start steps logged by the fake trainer (`start pid=… step=K`), in order. */
export function loggedStarts(log: string): { pid: number; step: number }[] {
  return [...log.matchAll(/^start pid=(\d+) step=(\d+)$/gm)].map((match) => ({
    pid: Number(match[1]),
    step: Number(match[2]),
  }));
}
