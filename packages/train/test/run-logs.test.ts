// The run logs' CSV: a part that first appears after the header was written (a regularizer diagnostic reported only
// when the batch allows it) widens the file; earlier rows leave the new column empty, and the JSON lines are as given.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunLogs, readJsonLines, type TrainLogLine } from '../src/run-logs.js';

const line = (step: number, parts: Record<string, number>): TrainLogLine => ({
  step,
  epoch: 0,
  loss: step,
  parts,
  learningRates: { network: 0.1 },
  gradientNorm: 2,
  seconds: 0.5,
});

describe('RunLogs CSV', () => {
  it('adds a column for a part first seen later, keeping every earlier row, also on resume', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'run-logs-'));
    const logs = new RunLogs(outDir);
    logs.start(undefined);
    logs.appendTrain(line(1, { supervised: 1 }));
    logs.appendTrain(line(2, { supervised: 2, 'regularizer/mappedSimilarity': 0.9 }));
    logs.appendTrain(line(3, { supervised: 3 }));
    const csvPath = join(outDir, 'train-log.csv');
    const csv = readFileSync(csvPath, 'utf8').trim().split('\n');
    expect(csv).toEqual([
      'step,epoch,loss,supervised,regularizer/mappedSimilarity,lr/network,gradientNorm,seconds',
      '1,0,1,1,,0.1,2,0.5',
      '2,0,2,2,0.9,0.1,2,0.5',
      '3,0,3,3,,0.1,2,0.5',
    ]);
    expect(readJsonLines<TrainLogLine>(join(outDir, 'train-log.jsonl')).map((logged) => logged.step)).toEqual(
      [1, 2, 3],
    );
    // Resuming at step 2 keeps the column (and rows 1–2) and drops row 3.
    const resumed = new RunLogs(outDir);
    resumed.start(2);
    expect(readFileSync(csvPath, 'utf8').trim().split('\n')).toEqual(csv.slice(0, 3));
    resumed.appendTrain(line(3, { supervised: 3 }));
    expect(readFileSync(csvPath, 'utf8').trim().split('\n')).toEqual(csv);
  });
});
