// Training-mode batch normalisation forward (Ioffe & Szegedy, "Batch Normalization", arXiv 1502.03167):
// normalise by the batch mean and biased variance over every axis but the last (channels).
// The op lives in @partial-mtl/core (wasm-training/batch-norm-train.ts) with its gradient written in closed form
// (no Tile, 7 full-size kernels), which made the wasm training step of SegNet several times faster.

import { batchNormTrain as fusedBatchNormTrain } from '@partial-mtl/core';
import type * as tf from '@tensorflow/tfjs';

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
export function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
): BatchNormTrainResult {
  return fusedBatchNormTrain(x, gamma, beta, eps);
}
