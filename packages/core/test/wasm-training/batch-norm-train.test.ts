import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { batchNormTrain } from '../../src/index.js';
import { maxAbsDifference, onBackend, seeded } from './helpers.js';

// Tolerance 1e-4 absolute: values are O(1) (normalised outputs, gradients of a weighted sum of them).
const tolerance = 1e-4;
const shape: [number, number, number, number] = [2, 3, 4, 5];
const eps = 1e-5;

/** The autodiff reference: moments + batchNorm, gradients through the statistics by the tape. */
function autodiffBatchNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D) {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return { y: tf.batchNorm(x, mean, variance, beta, gamma, eps), mean, variance };
}

function valuesAndGradients(useFused: boolean) {
  return tf.tidy(() => {
    const x = tf.add(tf.mul(tf.tensor4d(seeded(120, 1), shape), 3), 0.5);
    const gamma = tf.tensor1d(seeded(5, 2));
    const beta = tf.tensor1d(seeded(5, 3));
    const upstream = tf.tensor4d(seeded(120, 4), shape);
    const run = useFused ? batchNormTrain : autodiffBatchNorm;
    const forward = run(x, gamma, beta, eps);
    const [dx, dGamma, dBeta] = tf.grads((input: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) =>
      tf.sum(tf.mul(run(input, scale as tf.Tensor1D, offset as tf.Tensor1D, eps).y, upstream)),
    )([x, gamma, beta]);
    return {
      y: forward.y.dataSync(),
      mean: forward.mean.dataSync(),
      variance: forward.variance.dataSync(),
      dx: dx!.dataSync(),
      dGamma: dGamma!.dataSync(),
      dBeta: dBeta!.dataSync(),
    };
  });
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('batchNormTrain (closed-form gradient)', () => {
  it('matches moments + batchNorm with autodiff on cpu, and on wasm', async () => {
    const reference = await onBackend('cpu', () => valuesAndGradients(false));
    for (const backend of ['cpu', 'wasm'] as const) {
      const fused = await onBackend(backend, () => valuesAndGradients(true));
      for (const key of ['y', 'mean', 'variance', 'dx', 'dGamma', 'dBeta'] as const) {
        expect(maxAbsDifference(fused[key], reference[key]), `${backend} ${key}`).toBeLessThanOrEqual(
          tolerance,
        );
      }
    }
  });

  it('returns statistics the caller owns and leaks nothing, with and without a gradient', async () => {
    await onBackend('wasm', () => {
      const x = tf.tensor4d(seeded(120, 5), shape);
      const gamma = tf.ones([5]) as tf.Tensor1D;
      const beta = tf.zeros([5]) as tf.Tensor1D;
      const before = tf.memory().numTensors;
      const { y, mean, variance } = batchNormTrain(x, gamma, beta, eps);
      expect(tf.memory().numTensors).toBe(before + 3);
      tf.dispose([y, mean, variance]);
      expect(tf.memory().numTensors).toBe(before);
      const gradient = tf.grad((input: tf.Tensor) => {
        const result = batchNormTrain(input, gamma, beta, eps);
        tf.dispose([result.mean, result.variance]);
        return tf.sum(tf.square(result.y));
      })(x);
      gradient.dispose();
      // An enclosing tidy frees all three results.
      tf.tidy(() => {
        batchNormTrain(x, gamma, beta, eps);
      });
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, gamma, beta]);
    });
  });

  it('rejects γ and β of the wrong length', () => {
    const x = tf.zeros([1, 2, 2, 3]);
    expect(() => batchNormTrain(x, tf.ones([2]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, eps)).toThrow(
      /need 3 entries/,
    );
  });
});
