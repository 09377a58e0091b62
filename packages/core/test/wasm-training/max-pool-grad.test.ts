// The wasm MaxPoolGrad that enableWasmTraining registers: tfjs-backend-wasm 4.22's own drops the gradient of every
// window whose maximum is negative and gives ties to the last maximum; this one must give the cpu backend's gradient,
// and hand-computed ones.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { disableWasmTraining, enableWasmTraining } from '../../src/index.js';
import { maxAbsDifference, onBackend, seeded } from './helpers.js';

function poolGradient(
  shape: [number, number, number, number],
  size: number,
  stride: number,
  pad: 'same' | 'valid',
) {
  return tf.tidy(() => {
    const x = tf.tensor4d(
      seeded(
        shape.reduce((a, b) => a * b, 1),
        21,
      ),
      shape,
    );
    const y = tf.maxPool(x, size, stride, pad);
    const upstream = tf.tensor(seeded(y.size, 22), y.shape);
    const [dx] = tf.grads((input: tf.Tensor) =>
      tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, size, stride, pad), upstream)),
    )([x]);
    return Array.from(dx!.dataSync());
  });
}

describe('MaxPoolGrad on wasm', () => {
  afterAll(() => disableWasmTraining());

  it('routes each window’s gradient to its maximum, negative maxima included (hand-computed)', async () => {
    enableWasmTraining();
    const dx = await onBackend('wasm', () =>
      tf.tidy(() => {
        // One 2×2 window per channel: channel 0 all negative (max −0.1 at the bottom left), channel 1 mixed.
        const x = tf.tensor4d([-0.5, 0.2, -0.3, 0.9, -0.1, 0.4, -0.2, -0.7], [1, 2, 2, 2]);
        const [gradient] = tf.grads((input: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid'), tf.tensor4d([3, 5], [1, 1, 1, 2]))),
        )([x]);
        return Array.from(gradient!.dataSync());
      }),
    );
    expect(dx).toEqual([0, 0, 0, 5, 3, 0, 0, 0]);
  });

  it('gives a tied window’s gradient to its first maximum, as cpu and PyTorch do (the stock kernel: the last)', async () => {
    enableWasmTraining();
    const dx = await onBackend('wasm', () =>
      tf.tidy(() => {
        const x = tf.tensor4d([0.5, 0.5, 0.1, 0.2, 0.3, 0.1, 0.3, 0.3], [2, 2, 2, 1]);
        const [gradient] = tf.grads((input: tf.Tensor) =>
          tf.sum(tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid')),
        )([x]);
        return Array.from(gradient!.dataSync());
      }),
    );
    expect(dx).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
  });

  it('equals the cpu backend’s gradient for signed inputs, valid and same padding, strides 1 and 2', async () => {
    const cases: Array<[[number, number, number, number], number, number, 'same' | 'valid']> = [
      [[2, 8, 8, 3], 2, 2, 'valid'],
      [[2, 7, 9, 4], 3, 2, 'same'],
      [[1, 6, 6, 2], 3, 1, 'same'],
    ];
    for (const [shape, size, stride, pad] of cases) {
      const onCpu = await onBackend('cpu', () => poolGradient(shape, size, stride, pad));
      enableWasmTraining();
      const onWasm = await onBackend('wasm', () => poolGradient(shape, size, stride, pad));
      disableWasmTraining();
      const stock = await onBackend('wasm', () => poolGradient(shape, size, stride, pad));
      expect(maxAbsDifference(onWasm, onCpu)).toBeLessThan(1e-6);
      // The stock kernel is what this replaces: if it ever agrees, the replacement can go.
      if (pad === 'valid') expect(maxAbsDifference(stock, onCpu)).toBeGreaterThan(0.01);
    }
  });
});
