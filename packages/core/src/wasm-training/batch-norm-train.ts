// Training-mode batch normalisation (Ioffe & Szegedy, arXiv 1502.03167) with its gradient written out in closed
// form: dβ = Σdy, dγ = Σdy·x̂, dx = γ/σ·(dy − dβ/n − x̂·dγ/n). The autodiff gradient of moments + batchNorm costs
// ~30 kernels per layer, Tile among them (performance.md: 184 ms of a 915 ms step); this is 7 full-size kernels.
import * as tf from '@tensorflow/tfjs';
import { releaseWhenNextGradientRuns } from './gradient-memory.js';

export interface BatchNormTrainResult {
  /** Normalised, scaled and shifted x, same shape as x. */
  readonly y: tf.Tensor;
  /** Batch mean per channel, [C]. No gradient flows through it. */
  readonly mean: tf.Tensor1D;
  /** Biased batch variance per channel, [C]. No gradient flows through it. */
  readonly variance: tf.Tensor1D;
}

/**
 * y = γ·(x − mean)/sqrt(variance + eps) + β with the batch statistics of x [..., C] (reduced over all other axes).
 * Gradients reach x (through the statistics too), γ and β. The three results are new tensors the caller owns.
 */
export function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
): BatchNormTrainResult {
  const channels = x.shape[x.rank - 1]!;
  if (gamma.size !== channels || beta.size !== channels) {
    throw new Error(
      `batchNormTrain: γ and β need ${channels} entries (last axis of x), got ${gamma.size} and ${beta.size}`,
    );
  }
  const axes = Array.from({ length: x.rank - 1 }, (_, axis) => axis);
  const count = x.size / channels;
  // The statistics are computed with the tape off: the closed-form gradient below already accounts for them.
  const { mean, variance } = withoutTape(
    () => tf.moments(x, axes) as { mean: tf.Tensor1D; variance: tf.Tensor1D },
  );
  const normalize = tf.customGrad(((
    input: tf.Tensor,
    scale: tf.Tensor1D,
    offset: tf.Tensor1D,
    save: tf.GradSaveFunc,
  ) => {
    const value = tf.batchNorm(input, mean, variance, offset, scale, eps);
    save([input, scale, mean, variance]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedInput, savedScale, savedMean, savedVariance] = saved as [
          tf.Tensor,
          tf.Tensor1D,
          tf.Tensor1D,
          tf.Tensor1D,
        ];
        // The saved tensors serve this node only: freed once the next gradient runs, not when backprop ends.
        releaseWhenNextGradientRuns(saved);
        // A tidy: the backward pass would otherwise keep these full-size temporaries until it ends.
        return tf.tidy(() => {
          const normalized = tf.batchNorm(savedInput, savedMean, savedVariance, undefined, undefined, eps);
          const betaGradient = tf.sum(dy, axes) as tf.Tensor1D;
          const gammaGradient = tf.sum(tf.mul(dy, normalized), axes) as tf.Tensor1D;
          // dx = dy·a + x̂·b + c per channel, with a = γ/σ, b = −a·dγ/n, c = −a·dβ/n; x̂·b + c is one batchNorm kernel.
          const a = tf.mul(savedScale, tf.rsqrt(tf.add(savedVariance, eps))) as tf.Tensor1D;
          const b = tf.mul(a, tf.mul(gammaGradient, -1 / count)) as tf.Tensor1D;
          const c = tf.mul(a, tf.mul(betaGradient, -1 / count)) as tf.Tensor1D;
          const affine = tf.batchNorm(savedInput, savedMean, savedVariance, c, b, eps);
          const inputGradient = tf.add(tf.mul(dy, a), affine);
          return [inputGradient, gammaGradient, betaGradient];
        });
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = normalize(x, gamma, beta);
  return { y, mean, variance };
}

interface EngineWithState {
  state?: { gradientDepth?: number };
}

/** Runs `compute` with the gradient tape off (as core's stopGradient does), so nothing it makes is recorded. */
function withoutTape<T>(compute: () => T): T {
  const state = (tf.engine() as unknown as EngineWithState).state;
  if (!state || typeof state.gradientDepth !== 'number') return compute();
  const depth = state.gradientDepth;
  state.gradientDepth = 0;
  try {
    return compute();
  } finally {
    state.gradientDepth = depth;
  }
}
