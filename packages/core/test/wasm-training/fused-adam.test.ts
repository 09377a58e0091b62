import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { disableWasmTraining, enableWasmTraining, fusedAdam } from '../../src/index.js';
import { maxAbsDifference, onBackend, seeded } from './helpers.js';

// Tolerance 1e-6 absolute: the same float32 formula as tf.train.adam, evaluated in another order (lr = 0.01).
const tolerance = 1e-6;

/** Three Adam steps on two variables with a quadratic loss; returns the variables' values and the weights state. */
function train(useFused: boolean) {
  const weight = tf.variable(tf.tensor2d(seeded(12, 1), [3, 4]));
  const bias = tf.variable(tf.tensor1d(seeded(4, 2)));
  const target = tf.tensor2d(seeded(8, 3), [2, 4]);
  const input = tf.tensor2d(seeded(6, 4), [2, 3]);
  const optimizer = useFused ? fusedAdam(0.01) : tf.train.adam(0.01);
  for (let step = 0; step < 3; step++) {
    optimizer.minimize(
      () => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(input, weight), bias), target))) as tf.Scalar,
    );
  }
  const result = {
    weight: weight.dataSync().slice(),
    bias: bias.dataSync().slice(),
    iterations: optimizer.iterations,
  };
  optimizer.dispose();
  tf.dispose([weight, bias, target, input]);
  return result;
}

afterAll(async () => {
  disableWasmTraining();
  await tf.setBackend('cpu');
});

describe('fusedAdam', () => {
  it('matches tf.train.adam on cpu and wasm (fused kernel), and without the kernel (stock update)', async () => {
    const reference = await onBackend('cpu', () => train(false));
    enableWasmTraining();
    for (const backend of ['cpu', 'wasm'] as const) {
      const fused = await onBackend(backend, () => train(true));
      expect(maxAbsDifference(fused.weight, reference.weight), backend).toBeLessThanOrEqual(tolerance);
      expect(maxAbsDifference(fused.bias, reference.bias), backend).toBeLessThanOrEqual(tolerance);
      expect(fused.iterations).toBe(3);
    }
    disableWasmTraining();
    const fallback = await onBackend('cpu', () => train(true));
    expect(maxAbsDifference(fallback.weight, reference.weight)).toBeLessThanOrEqual(tolerance);
  });

  it('leaves the tensor count flat across steps on wasm', async () => {
    enableWasmTraining();
    await onBackend('wasm', () => {
      const weight = tf.variable(tf.tensor1d(seeded(5, 5)));
      const optimizer = fusedAdam(0.1);
      const loss = () => tf.sum(tf.square(weight)) as tf.Scalar;
      optimizer.minimize(loss);
      const before = tf.memory().numTensors;
      for (let step = 0; step < 3; step++) optimizer.minimize(loss);
      expect(tf.memory().numTensors).toBe(before);
      optimizer.dispose();
      weight.dispose();
    });
  });
});
