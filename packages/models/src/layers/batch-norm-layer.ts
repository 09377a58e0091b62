// Batch normalisation layer with running statistics, PyTorch `nn.BatchNorm2d` semantics (Ioffe & Szegedy,
// arXiv 1502.03167): momentum 0.1, eps 1e-5, γ = 1, β = 0; the running variance is updated with the unbiased
// batch variance (n/(n−1)), normalisation uses the biased one. Training mode = batch statistics (batchNormTrain).

import { stopGradient } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { batchNormTrain } from './batch-norm.js';
import { isCountingFlops } from './flop-counter.js';
import { constantVariable } from './initializers.js';
import type { LayerVariables } from './layer.js';

export interface BatchNormOptions {
  /** Stable name: variables are `<name>.gamma`, `.beta`, `.runningMean`, `.runningVariance`. */
  readonly name: string;
  readonly channels: number;
  readonly momentum?: number;
  readonly eps?: number;
}

export const batchNormDefaults = { momentum: 0.1, eps: 1e-5 } as const;

export interface BatchNormLayer extends LayerVariables {
  readonly name: string;
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVariance: tf.Variable;
  /**
   * Normalises x [..., C]. `training`: batch statistics, and the running statistics are updated in place
   * (outside the gradient tape). Otherwise the running statistics. Returns a new tensor the caller owns.
   */
  apply(x: tf.Tensor, training: boolean): tf.Tensor;
}

export function createBatchNorm(options: BatchNormOptions): BatchNormLayer {
  const { name, channels } = options;
  const momentum = options.momentum ?? batchNormDefaults.momentum;
  const eps = options.eps ?? batchNormDefaults.eps;
  if (!Number.isInteger(channels) || channels < 1)
    throw new Error(`batchNorm '${name}'.channels: expected a positive integer, got ${channels}`);
  if (!(momentum >= 0 && momentum <= 1))
    throw new Error(`batchNorm '${name}'.momentum: expected a number in [0, 1], got ${momentum}`);
  const gamma = constantVariable([channels], 1, true, `${name}.gamma`);
  const beta = constantVariable([channels], 0, true, `${name}.beta`);
  const runningMean = constantVariable([channels], 0, false, `${name}.runningMean`);
  const runningVariance = constantVariable([channels], 1, false, `${name}.runningVariance`);

  function updateRunningStatistics(mean: tf.Tensor1D, variance: tf.Tensor1D, count: number): void {
    tf.tidy(() => {
      const batchMean = stopGradient(mean);
      const unbiased = tf.mul(stopGradient(variance), count > 1 ? count / (count - 1) : 1);
      runningMean.assign(tf.add(tf.mul(runningMean, 1 - momentum), tf.mul(batchMean, momentum)));
      runningVariance.assign(tf.add(tf.mul(runningVariance, 1 - momentum), tf.mul(unbiased, momentum)));
    });
  }

  return {
    name,
    gamma,
    beta,
    runningMean,
    runningVariance,
    trainableVariables: [gamma, beta],
    namedVariables() {
      return new Map<string, tf.Variable>([
        [`${name}.gamma`, gamma],
        [`${name}.beta`, beta],
        [`${name}.runningMean`, runningMean],
        [`${name}.runningVariance`, runningVariance],
      ]);
    },
    apply(x, training) {
      if (x.shape[x.rank - 1] !== channels) {
        throw new Error(
          `batchNorm '${name}': expected ${channels} channels in the last axis, got [${x.shape.join(', ')}]`,
        );
      }
      if (isCountingFlops()) return tf.clone(x);
      if (!training) {
        return tf.tidy(() =>
          tf.batchNorm(
            x,
            runningMean as tf.Tensor1D,
            runningVariance as tf.Tensor1D,
            beta as tf.Tensor1D,
            gamma as tf.Tensor1D,
            eps,
          ),
        );
      }
      const count = x.size / channels;
      const { y, mean, variance } = batchNormTrain(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, eps);
      updateRunningStatistics(mean, variance, count);
      mean.dispose();
      variance.dispose();
      return y;
    },
    dispose() {
      gamma.dispose();
      beta.dispose();
      runningMean.dispose();
      runningVariance.dispose();
    },
  };
}
