// Integration with the real `partial-mtl train` (src/cli.ts run through tsx, one process per attempt): a planned
// tiny synthetic entry is SIGKILLed after its first checkpoint, run again, resumes from that checkpoint, and
// gets result.json from the trainer's metrics.jsonl; collect then reports it done.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { collectResults } from '../../src/sweep/collect.js';
import { runSweepCommand } from '../../src/sweep/command.js';
import { readPlan } from '../../src/sweep/plan.js';
import { runEntry } from '../../src/sweep/run-entry.js';

const trainCli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const command = [process.execPath, '--import', import.meta.resolve('tsx'), trainCli];
const root = mkdtempSync(join(tmpdir(), 'sweep-train-cli-'));
let trainerPid: number | undefined;

afterAll(() => {
  if (trainerPid !== undefined) {
    try {
      process.kill(trainerPid, 'SIGKILL');
    } catch {
      // already exited
    }
  }
  rmSync(root, { recursive: true, force: true });
});

const grid = `name: train-cli
base:
  backend: cpu
  dataset: { name: synthetic-scenes, tasks: [semseg, depth, normal], options: { height: 32, width: 32, trainCount: 4, validationCount: 2 } }
  model: { backbone: resnet18, widthMultiplier: 0.125, backboneOptions: { decoderChannels: 8 } }
  data: { batchSize: 2, augment: false }
  training: { maxSteps: 3, checkpointEverySteps: 1, evaluateEvery: { unit: step, every: 3 } }
seeds: [0]
report:
  metrics:
    - { name: mIoU, path: metrics.semseg.mIoU, task: semseg, higherIsBetter: true, scale: 100 }
`;

describe('sweep entry with the real train CLI', () => {
  it('resumes a SIGKILLed trainer from its checkpoint and collects its result', {
    timeout: 600_000,
  }, async () => {
    writeFileSync(join(root, 'grid.yaml'), grid);
    const runs = join(root, 'runs');
    const sink = { write: () => true } as unknown as NodeJS.WriteStream;
    expect(
      await runSweepCommand(['plan', join(root, 'grid.yaml'), '--out', runs], { stdout: sink, stderr: sink }),
    ).toBe(0);
    const entry = readPlan(runs).entries[0]!;
    const checkpoint = join(runs, entry.id, 'run', 'checkpoints', 'last', 'current.json');

    let poll: NodeJS.Timeout | undefined;
    const first = await runEntry(runs, entry, {
      command,
      onAttempt: ({ pid }) => {
        trainerPid = pid;
        poll = setInterval(() => {
          if (existsSync(checkpoint) && pid !== undefined) {
            clearInterval(poll);
            process.kill(pid, 'SIGKILL');
          }
        }, 20);
      },
    });
    clearInterval(poll);
    expect(first.state).toBe('failed');
    expect(first.status?.signal).toBe('SIGKILL');
    expect(first.status?.resumed).toBe(false);
    expect(existsSync(join(runs, entry.id, 'result.json'))).toBe(false);

    const second = await runEntry(runs, entry, { command });
    expect(second.state).toBe('done');
    expect(second.status).toMatchObject({
      resumed: true,
      attempt: 2,
      exitCode: 0,
      stopReason: 'completed',
      resultSource: 'run/metrics.jsonl',
    });
    const trainLog = readFileSync(join(runs, entry.id, 'run', 'train-log.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(trainLog.map((line) => JSON.parse(line).step)).toEqual([1, 2, 3]);
    const resumedAt = /resumed from \S+ at step (\d+)/.exec(
      readFileSync(join(runs, entry.id, 'train.log'), 'utf8'),
    );
    expect(Number(resumedAt?.[1])).toBeGreaterThan(0);
    const result = JSON.parse(readFileSync(join(runs, entry.id, 'result.json'), 'utf8'));
    expect(result.step).toBe(3);
    expect(typeof result.metrics.semseg.mIoU).toBe('number');

    const table = collectResults(runs);
    expect(table.entries[0]!.state).toBe('done');
    expect(table.rows[0]!.metrics['mIoU']!.mean).toBe(result.metrics.semseg.mIoU);
  });
});
