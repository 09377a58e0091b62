// The message a run ends with when something fails mid-run (src/reliability/run-failure.ts): the step, the cause,
// whether the last checkpoint is intact, and the way on (resume; another backend; free space on ENOSPC).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabelMaskTable } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../../src/checkpoint.js';
import { describeRunFailure, TrainingRunError } from '../../src/reliability/run-failure.js';
import { emptyTaskWarnings } from '../../src/reliability/split-checks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('describeRunFailure', () => {
  it('names the step, the cause and the intact checkpoint, and suggests resuming on another backend', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'run-failure-'));
    const lastCheckpoint = join(outDir, 'checkpoints', 'last');
    const before = describeRunFailure(new Error('device lost'), {
      step: 0,
      epoch: 0,
      outDir,
      lastCheckpoint,
    });
    expect(before.message).toBe(
      'training stopped in step 1 (epoch 0): device lost\nNo checkpoint had been written yet. If the backend failed, rerun with --backend cpu (or wasm) to fall back.',
    );
    const weights = tf.ones([2]);
    await saveCheckpoint(lastCheckpoint, new Map([['w', weights]]), { step: 6 });
    weights.dispose();
    const cause = new Error('simulated device failure');
    const wrapped = describeRunFailure(cause, { step: 6, epoch: 1, outDir, lastCheckpoint });
    expect(wrapped).toBeInstanceOf(TrainingRunError);
    expect(wrapped.cause).toBe(cause);
    expect(wrapped.step).toBe(6);
    expect(wrapped.message).toBe(
      `training stopped in step 7 (epoch 1): simulated device failure\nThe last good checkpoint, ${lastCheckpoint}, is intact (a save in progress is never made current). ` +
        `Continue with --resume ${outDir}; if the backend failed, add --backend cpu (or wasm) to fall back.`,
    );
    expect(describeRunFailure(wrapped, { step: 9, epoch: 2, outDir, lastCheckpoint })).toBe(wrapped);
    const full = describeRunFailure(
      Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
      { step: 6, epoch: 1, outDir, lastCheckpoint },
    );
    expect(full.message).toMatch(
      new RegExp(
        `ENOSPC: no space left on device, write\\n.*is intact .*The file system of ${outDir.replace(/[/.]/g, '\\$&')} is full: free space, then continue with --resume`,
      ),
    );
  });
});

describe('emptyTaskWarnings', () => {
  it('warns once per task without a labelled sample and stays silent otherwise', () => {
    const table = LabelMaskTable.fromRows(
      ['semseg', 'depth', 'normal'],
      [
        [1, 0, 0],
        [0, 0, 1],
        [1, 0, 0],
      ],
    );
    expect(emptyTaskWarnings(table)).toEqual([
      "warning: task 'depth' has no labelled sample in the training split (0 of 3 rows): its supervised loss is 0 and its head keeps its initial weights. Check the split table if this is not intended.",
    ]);
    expect(emptyTaskWarnings(LabelMaskTable.full(['a', 'b'], 4))).toEqual([]);
  });
});
