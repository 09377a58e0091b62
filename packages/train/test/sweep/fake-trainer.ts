// A stand-in for the train CLI used by the sweep tests: `train --config C --out O` or `train --resume O`,
// "trains" config.steps steps of config.stepMs each, writes checkpoints/last/current.json per step, logs to
// fake-trainer.log, can crash once (config.crashAtStep) and writes result.json (or only metrics.jsonl).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const script = String.raw`
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const args = process.argv.slice(2);
if (args[0] !== 'train') { console.error('expected "train", got ' + args[0]); process.exit(64); }
const flag = (name) => { const at = args.indexOf(name); return at >= 0 ? args[at + 1] : undefined; };
const resume = flag('--resume');
const out = resume ?? flag('--out');
const configPath = resume ? join(resume, 'config.json') : flag('--config');
if (!out || !configPath) { console.error('missing --out/--config or --resume'); process.exit(64); }
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const checkpoint = join(out, 'checkpoints', 'last', 'current.json');
let start = 0;
if (resume) {
  if (!existsSync(checkpoint)) { console.error('--resume without a checkpoint'); process.exit(65); }
  start = JSON.parse(readFileSync(checkpoint, 'utf8')).step;
}
const log = join(out, 'fake-trainer.log');
appendFileSync(log, 'start pid=' + process.pid + ' step=' + start + '\n');
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
}
const bonus = config.bonus ?? 0;
const metrics = {
  segmentation: { mIoU: 0.3 + 0.01 * bonus + 0.001 * config.seed },
  depth: { absErr: 0.6 - 0.01 * bonus },
};
const final = { step: config.steps, metrics };
if (config.noResult) appendFileSync(join(out, 'metrics.jsonl'), JSON.stringify({ step: 1, metrics: {} }) + '\n' + JSON.stringify(final) + '\n');
else writeFileSync(join(out, 'result.json'), JSON.stringify(final));
appendFileSync(log, 'done\n');
`;

/** Writes the fake trainer into `directory` and returns the runner command (`node <script>`). */
export function writeFakeTrainer(directory: string): string[] {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, 'fake-trainer.mjs');
  writeFileSync(path, script);
  return [process.execPath, path];
}

/** Start steps logged by the fake trainer (`start pid=… step=K`), in order. */
export function loggedStarts(log: string): { pid: number; step: number }[] {
  return [...log.matchAll(/^start pid=(\d+) step=(\d+)$/gm)].map((match) => ({
    pid: Number(match[1]),
    step: Number(match[2]),
  }));
}
