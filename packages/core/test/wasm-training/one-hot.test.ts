// One-hot encodings on the wasm backend. tfjs-backend-wasm 4.22's OneHot kernel ignores its dtype argument: asked for
// float32 it writes int32 bits (a 1 reads as 1.4e-45). `oneHotFloat32`, and the hard Gumbel sample built on it, give
// exact ones on cpu and wasm alike; the raw call is checked too, so the test says when the upstream bug is fixed.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { gumbelSoftmax, hardOneHot, oneHotFloat32, RandomSource } from '../../src/index.js';
import { onBackend } from './helpers.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

const ids = [0, 2, -1, 1];
const expected = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];

describe('oneHotFloat32 on cpu and wasm', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`gives exact 0/1 float32 rows, a zero row for −1, and a hard Gumbel sample with one 1 per pixel (${backend})`, async () => {
      const result = await onBackend(backend, () =>
        tf.tidy(() => {
          const oneHot = oneHotFloat32(tf.tensor1d(ids, 'int32'), 3);
          const hard = hardOneHot(tf.tensor2d([0.1, 0.7, 0.2, 0.5, 0.3, 0.2], [2, 3]));
          const logits = tf.tensor4d(
            Array.from({ length: 2 * 2 * 2 * 4 }, (_, i) => Math.sin(i)),
            [2, 2, 2, 4],
          );
          const sample = gumbelSoftmax(logits, new RandomSource(3), { hard: true });
          return {
            dtype: oneHot.dtype,
            oneHot: Array.from(oneHot.dataSync()),
            hard: Array.from(hard.dataSync()),
            rowSums: Array.from(tf.sum(sample, -1).dataSync()),
            sampleMax: tf.max(sample).dataSync()[0]!,
          };
        }),
      );
      expect(result.dtype).toBe('float32');
      expect(result.oneHot).toEqual(expected);
      expect(result.hard).toEqual([0, 1, 0, 1, 0, 0]);
      for (const sum of result.rowSums) expect(sum).toBeCloseTo(1, 5);
      expect(result.sampleMax).toBeCloseTo(1, 5);
    });
  }

  it("documents the upstream kernel: wasm's tf.oneHot with dtype float32 does not hold 1.0", async () => {
    const raw = await onBackend('wasm', () =>
      tf.tidy(() => Array.from(tf.oneHot(tf.tensor1d([1], 'int32'), 2, 1, 0, 'float32').dataSync())),
    );
    // If this fails, tfjs fixed the kernel and oneHotFloat32's cast is no longer needed (it stays correct).
    expect(raw[1]).not.toBe(1);
  });
});
