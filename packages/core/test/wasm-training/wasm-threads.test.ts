import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import {
  conv2dFilterGradient,
  disableWasmTraining,
  enableWasmTraining,
  initWasmWithThreads,
} from '../../src/index.js';
import { maxAbsDifference, onBackend, seeded } from './helpers.js';

afterAll(async () => {
  disableWasmTraining();
  await tf.setBackend('cpu');
});

describe('initWasmWithThreads', () => {
  it('starts the threaded build under Node with 2 XNNPACK threads, and its results match cpu', async () => {
    // This file runs in its own process (vitest forks), so wasm is not initialised yet.
    const result = await initWasmWithThreads(wasm, 2);
    expect(result).toEqual({ threads: 2 });
    expect(tf.getBackend()).toBe('wasm');
    enableWasmTraining();
    const compute = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(seeded(2 * 16 * 16 * 8, 1), [2, 16, 16, 8]);
        const dy = tf.tensor4d(seeded(2 * 16 * 16 * 8, 2), [2, 16, 16, 8]);
        return conv2dFilterGradient(x, dy, [3, 3, 8, 8], 1, 'same').dataSync();
      });
    const threaded = compute();
    const reference = await onBackend('cpu', compute);
    // Tolerance 1e-3 absolute: sums of 512 products of values in [-1, 1], accumulated in another order.
    expect(maxAbsDifference(threaded, reference)).toBeLessThan(1e-3);
    // Asking again reports the running count (the build cannot be restarted in-process).
    const again = await initWasmWithThreads(wasm, 2);
    expect(again.threads).toBe(2);
  });

  it('rejects a thread count that is not a positive integer', async () => {
    await expect(initWasmWithThreads(wasm, 0)).rejects.toThrow(/positive integer/);
  });
});
