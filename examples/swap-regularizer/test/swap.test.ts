import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@partial-mtl/core';
import { openDataset } from '@partial-mtl/train';
import { createRegularizer } from '@partial-mtl/regularizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { swapConfig, trainWithRegularizer } from '../src/train-with-regularizer.js';

beforeAll(async () => {
  await selectBackend({ warn: () => {} });
});

describe('swap-regularizer example', () => {
  const cases: [string, 'scenes' | 'affect'][] = [
    ['none', 'scenes'],
    ['pairwise', 'scenes'],
    ['jtr', 'scenes'],
    ['distribution-matching', 'affect'],
  ];
  for (const [name, data] of cases) {
    it(`trains and evaluates with '${name}' without leaking tensors per step`, async () => {
      // Tensors a bare create + dispose of the regularizer leaves behind (a regularizers-package matter, not the loop's).
      const outDir = mkdtempSync(join(tmpdir(), `swap-${name}-`));
      const { tasks } = await openDataset(swapConfig({ outDir, data, steps: 2 }));
      const probeStart = tf.memory().numTensors;
      createRegularizer(name, { tasks, seed: 1, widthMultiplier: 0.125 }).dispose();
      const disposeLeak = tf.memory().numTensors - probeStart;
      const before = tf.memory().numTensors;
      const result = await trainWithRegularizer(name, { outDir, data, steps: 2 });
      expect(result.stopReason).toBe('completed');
      expect(result.step).toBe(2);
      expect(Object.keys(result.lastMetrics ?? {}).length).toBeGreaterThan(1);
      expect(tf.memory().numTensors - before).toBe(disposeLeak);
    });
  }
});
