import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainWithRegularizer } from '../src/train-with-regularizer.js';

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
    it(`trains and evaluates with '${name}' without leaking any tensor`, async () => {
      const outDir = mkdtempSync(join(tmpdir(), `swap-${name}-`));
      const before = tf.memory().numTensors;
      const result = await trainWithRegularizer(name, { outDir, data, steps: 2 });
      expect(result.stopReason).toBe('completed');
      expect(result.step).toBe(2);
      expect(Object.keys(result.lastMetrics ?? {}).length).toBeGreaterThan(1);
      // Zero: the loop frees everything it makes, and so does the regularizer's dispose (pairwise included).
      expect(tf.memory().numTensors - before).toBe(0);
    });
  }
});
