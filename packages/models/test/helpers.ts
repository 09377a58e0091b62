import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** Runs `fn` (which must dispose what it makes) and asserts the tensor count is unchanged. */
export function expectNoLeak(fn: () => void): void {
  const before = tf.memory().numTensors;
  fn();
  expect(tf.memory().numTensors).toBe(before);
}

/** Central finite-difference gradient of a scalar function of one tensor's values (float64 bookkeeping). */
export function finiteDifferenceGradient(
  values: Float32Array,
  shape: number[],
  f: (x: tf.Tensor) => tf.Scalar,
  step = 1e-2,
): Float32Array {
  const gradient = new Float32Array(values.length);
  for (let index = 0; index < values.length; index++) {
    const plus = Float32Array.from(values);
    const minus = Float32Array.from(values);
    plus[index]! += step;
    minus[index]! -= step;
    const high = tf.tidy(() => f(tf.tensor(plus, shape)).dataSync()[0]!);
    const low = tf.tidy(() => f(tf.tensor(minus, shape)).dataSync()[0]!);
    gradient[index] = (high - low) / (2 * step);
  }
  return gradient;
}

/** Max |a − b|. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let index = 0; index < a.length; index++) worst = Math.max(worst, Math.abs(a[index]! - b[index]!));
  return worst;
}
