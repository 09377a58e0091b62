// Stop-gradient and straight-through estimators for TensorFlow.js, which has no public stop-gradient op
// (tensorflow/tfjs issue 1233). `stopGradient` copies a tensor while the engine's tape is off, so the copy has
// no recorded producer: no gradient can reach anything upstream, and variables that only connect through it
// are absent from `tf.variableGrads`. Straight-through: Bengio, Léonard & Courville 2013, arXiv 1308.3432.
import * as tf from '@tensorflow/tfjs';

interface EngineWithState {
  state?: { gradientDepth?: number };
}

/**
 * Returns a tensor equal to `x` through which no gradient flows (PyTorch's `x.detach()`).
 * The result is a new tensor (sharing `x`'s data); the caller owns it.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const engine = tf.engine() as unknown as EngineWithState;
  const state = engine.state;
  if (state && typeof state.gradientDepth === 'number') {
    const depth = state.gradientDepth;
    state.gradientDepth = 0;
    try {
      return tf.clone(x);
    } finally {
      state.gradientDepth = depth;
    }
  }
  // Fallback for engines without that field: a custom gradient of zeros (upstream variables get zeros).
  const detach = tf.customGrad(((input: tf.Tensor) => ({
    value: tf.clone(input),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return detach(x) as T;
}

/**
 * Straight-through estimator: forward value `hard`, gradient of `soft` (identity).
 * Computed as `soft + stop(hard − soft)`, the form the official JTR/MTPSL code uses
 * (`onehot − soft.detach() + soft`), so values match it to float rounding.
 */
export function straightThrough<T extends tf.Tensor>(hard: T, soft: T): T {
  return tf.tidy(() => {
    const difference = stopGradient(tf.sub(hard, soft));
    return tf.add(soft, difference) as T;
  });
}
