import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  disableWasmTraining,
  enableWasmTraining,
  flipFilter,
  isWasmTrainingEnabled,
} from '../../src/index.js';
import { maxAbs, maxAbsDifference, onBackend, seeded } from './helpers.js';

// Tolerance: 1e-4 relative to the largest entry (float32 sums of ≤ 200 products of values in [-1, 1]).
const relativeTolerance = 1e-4;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(maxAbsDifference(actual, expected)).toBeLessThanOrEqual(
    relativeTolerance * Math.max(1, maxAbs(expected)),
  );
}

/** conv2dTranspose (kernel Conv2DBackpropInput) and its gradients (Conv2D + Conv2DBackpropFilter kernels). */
function transposedConvolution(stride: number, pad: 'same' | 'valid') {
  return tf.tidy(() => {
    const x = tf.tensor4d(seeded(2 * 4 * 5 * 6, 7), [2, 4, 5, 6]);
    const filter = tf.tensor4d(seeded(3 * 3 * 3 * 6, 8), [3, 3, 3, 6]);
    const outputShape: [number, number, number, number] =
      pad === 'same' ? [2, 4 * stride, 5 * stride, 3] : [2, (4 - 1) * stride + 3, (5 - 1) * stride + 3, 3];
    const forward = (input: tf.Tensor, weights: tf.Tensor) =>
      tf.conv2dTranspose(input as tf.Tensor4D, weights as tf.Tensor4D, outputShape, stride, pad);
    const y = forward(x, filter);
    const upstream = tf.tensor(seeded(y.size, 9), y.shape);
    const [dx, dw] = tf.grads((input: tf.Tensor, weights: tf.Tensor) =>
      tf.sum(tf.mul(forward(input, weights), upstream)),
    )([x, filter]);
    return { y: y.dataSync(), dx: dx!.dataSync(), dw: dw!.dataSync() };
  });
}

/** tf.fused.conv2d with bias and relu: its gradient calls the Conv2DBackpropInput/Filter kernels directly. */
function fusedConvolution() {
  return tf.tidy(() => {
    const x = tf.tensor4d(seeded(2 * 6 * 6 * 3, 10), [2, 6, 6, 3]);
    const filter = tf.tensor4d(seeded(3 * 3 * 3 * 4, 11), [3, 3, 3, 4]);
    const bias = tf.tensor1d(seeded(4, 12));
    const [dx, dw, db] = tf.grads((input: tf.Tensor, weights: tf.Tensor, offset: tf.Tensor) =>
      tf.sum(
        tf.square(
          tf.fused.conv2d({
            x: input as tf.Tensor4D,
            filter: weights as tf.Tensor4D,
            strides: 2,
            pad: 'same',
            bias: offset,
            activation: 'relu',
          }),
        ),
      ),
    )([x, filter, bias]);
    return { dx: dx!.dataSync(), dw: dw!.dataSync(), db: db!.dataSync() };
  });
}

afterAll(async () => {
  disableWasmTraining();
  await tf.setBackend('cpu');
});

describe('wasm kernels Conv2DBackpropInput / Conv2DBackpropFilter', () => {
  for (const [stride, pad] of [
    [1, 'same'],
    [2, 'same'],
    [2, 'valid'],
  ] as const) {
    it(`conv2dTranspose stride ${stride} ${pad}: values and gradients match the stock cpu kernels`, async () => {
      disableWasmTraining();
      const reference = await onBackend('cpu', () => transposedConvolution(stride, pad));
      enableWasmTraining();
      const onWasm = await onBackend('wasm', () => transposedConvolution(stride, pad));
      expectClose(onWasm.y, reference.y);
      expectClose(onWasm.dx, reference.dx);
      expectClose(onWasm.dw, reference.dw);
    });
  }

  it('fused conv2d (bias, relu, stride 2) trains on wasm like on cpu', async () => {
    disableWasmTraining();
    const reference = await onBackend('cpu', () => fusedConvolution());
    enableWasmTraining();
    const onWasm = await onBackend('wasm', () => fusedConvolution());
    expectClose(onWasm.dx, reference.dx);
    expectClose(onWasm.dw, reference.dw);
    expectClose(onWasm.db, reference.db);
  });

  it('the filter gradient kernel frees its intermediates', async () => {
    enableWasmTraining();
    await onBackend('wasm', () => fusedConvolution());
    const before = tf.memory().numTensors;
    await onBackend('wasm', () => fusedConvolution());
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('flipFilter', () => {
  it('rotates the kernel 180° and swaps channels, on cpu and wasm, as reverse + transpose', async () => {
    enableWasmTraining();
    for (const backend of ['cpu', 'wasm'] as const) {
      await onBackend(backend, () =>
        tf.tidy(() => {
          const filter = tf.tensor4d(seeded(3 * 2 * 4 * 5, 13), [3, 2, 4, 5]);
          const expected = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
          const flipped = flipFilter(filter);
          expect(flipped.shape).toEqual([3, 2, 5, 4]);
          expect(maxAbsDifference(flipped.dataSync(), expected.dataSync())).toBe(0);
        }),
      );
    }
  });
});

describe('enableWasmTraining', () => {
  it('is idempotent and reversible', async () => {
    disableWasmTraining();
    expect(isWasmTrainingEnabled()).toBe(false);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    const stockBackpropInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
    enableWasmTraining();
    enableWasmTraining();
    expect(isWasmTrainingEnabled()).toBe(true);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).not.toBe(stockBackpropInput);
    disableWasmTraining();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(stockBackpropInput?.kernelFunc);
  });
});
