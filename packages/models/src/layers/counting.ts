// Placeholder outputs of layers while multiply-adds are counted (see flop-counter.ts).
import * as tf from '@tensorflow/tfjs';

/** Zeros of `shape`, standing in for a layer's output during a count. The caller owns the tensor. */
export function countingOutput(shape: readonly number[]): tf.Tensor {
  return tf.zeros([...shape], 'float32');
}
