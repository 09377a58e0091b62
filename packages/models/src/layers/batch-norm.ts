// Training-mode batch normalisation forward (Ioffe & Szegedy, "Batch Normalization", arXiv 1502.03167):
// normalise by the batch mean and biased variance over every axis but the last (channels).
// Kept alone in this file so a backend-specific fused gradient (wasm training) can replace its body.
import * as tf from '@tensorflow/tfjs';

export interface BatchNormTrainResult {
  /** Normalised, scaled and shifted x, same shape as x. */
  readonly y: tf.Tensor;
  /** Batch mean per channel, [C]. */
  readonly mean: tf.Tensor1D;
  /** Biased batch variance per channel (divided by n, as used to normalise), [C]. */
  readonly variance: tf.Tensor1D;
}

/**
 * y = γ·(x − mean)/sqrt(variance + eps) + β with batch statistics of x ([..., C], reduced over all other axes).
 * Gradients flow to x, γ and β through the statistics. The three results are new tensors the caller owns.
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): BatchNormTrainResult {
  return tf.tidy(() => {
    const axes = Array.from({ length: x.rank - 1 }, (_, axis) => axis);
    const { mean, variance } = tf.moments(x, axes);
    const y = tf.batchNorm(x, mean, variance, beta, gamma, eps);
    return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  });
}
