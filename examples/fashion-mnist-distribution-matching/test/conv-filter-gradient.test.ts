// The forward-convolution filter gradient against TensorFlow.js's own Conv2D gradient on the CPU backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { convolutionFilterGradient, ensureConvolutionFilterGradient } from '../src/conv-filter-gradient.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('convolutionFilterGradient', () => {
  it.each(['same', 'valid'] as const)('matches autodiff of conv2d with %s padding', (pad) => {
    const random = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
    const x = random([2, 6, 5, 3], 1) as tf.Tensor4D;
    const filter = random([3, 3, 3, 4], 2) as tf.Tensor4D;
    const outputShape = pad === 'same' ? [2, 6, 5, 4] : [2, 4, 3, 4];
    const dy = random(outputShape, 3) as tf.Tensor4D;
    const expected = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, w as tf.Tensor4D, 1, pad), dy)))(
      filter,
    );
    const before = tf.memory().numTensors;
    const actual = convolutionFilterGradient(x, dy, filter.shape, pad);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(actual.shape).toEqual([3, 3, 3, 4]);
    const difference = tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]!;
    expect(difference).toBeLessThan(1e-4);
    tf.dispose([x, filter, dy, expected, actual]);
  });

  it('is not registered when the backend has the kernel (cpu does)', () => {
    expect(ensureConvolutionFilterGradient()).toBe(false);
  });
});
