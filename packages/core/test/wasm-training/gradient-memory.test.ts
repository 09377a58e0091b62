import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { disableWasmTraining, enableWasmTraining } from '../../src/index.js';
import { releaseWhenNextGradientRuns } from '../../src/wasm-training/gradient-memory.js';
import { onBackend, seeded } from './helpers.js';

afterAll(async () => {
  disableWasmTraining();
  await tf.setBackend('cpu');
});

describe('releaseWhenNextGradientRuns', () => {
  it('disposes the previous batch when called again, skipping tensors already freed', async () => {
    await onBackend('cpu', () => undefined);
    const first = [tf.zeros([2]), tf.ones([3])];
    releaseWhenNextGradientRuns(first);
    expect(first.every((tensor) => !tensor.isDisposed)).toBe(true);
    first[1]!.dispose();
    const second = [tf.zeros([1])];
    releaseWhenNextGradientRuns(second);
    expect(first.every((tensor) => tensor.isDisposed)).toBe(true);
    expect(second[0]!.isDisposed).toBe(false);
    releaseWhenNextGradientRuns([]);
    expect(second[0]!.isDisposed).toBe(true);
  });

  it('gradients of a conv stack are unchanged by the early release, and no tensor leaks (wasm)', async () => {
    const run = () =>
      tf.tidy(() => {
        const filters = [1, 2, 3, 4].map((seed) => tf.tensor4d(seeded(3 * 3 * 4 * 4, seed), [3, 3, 4, 4]));
        const x = tf.tensor4d(seeded(2 * 16 * 16 * 4, 9), [2, 16, 16, 4]);
        const loss = (...weights: tf.Tensor[]) =>
          tf.sum(
            weights.reduce(
              (h, w) => tf.relu(tf.conv2d(h as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')),
              x as tf.Tensor,
            ),
          );
        return tf
          .grads(loss)(filters)
          .map((gradient) => Array.from(gradient.dataSync()));
      });
    disableWasmTraining();
    const stock = await onBackend('cpu', run);
    enableWasmTraining();
    const released = await onBackend('wasm', () => {
      run();
      const before = tf.memory().numTensors;
      const gradients = run();
      expect(tf.memory().numTensors).toBe(before);
      return gradients;
    });
    for (const [index, gradient] of released.entries()) {
      const reference = stock[index]!;
      const scale = Math.max(1, ...reference.map(Math.abs));
      const worst = gradient.reduce((max, value, i) => Math.max(max, Math.abs(value - reference[i]!)), 0);
      // Tolerance 1e-4 relative to the largest entry (float32 sums in another order).
      expect(worst).toBeLessThanOrEqual(1e-4 * scale);
    }
  });
});
