// Gumbel-softmax and its straight-through (hard) form: Jang, Gu & Poole 2017 (arXiv 1611.01144) and
// Maddison, Mnih & Teh 2017 (arXiv 1611.00712). Used by JTR and pairwise consistency to feed a sampled one-hot
// segmentation into their networks while gradients reach the logits. Noise comes from a seeded RandomSource.
import * as tf from '@tensorflow/tfjs';
import type { RandomSource } from './random.js';
import { straightThrough } from './stop-gradient.js';

/** Gumbel(0, 1) noise of a shape: −log(−log u), u uniform in (0, 1) (finite by construction). */
export function gumbelNoise(shape: readonly number[], random: RandomSource): tf.Tensor {
  return tf.tidy(() => {
    const tiny = 1e-10;
    const uniform = tf.randomUniform([...shape], tiny, 1 - 1e-7, 'float32', random.tfSeed());
    return tf.neg(tf.log(tf.neg(tf.log(uniform))));
  });
}

/**
 * `tf.oneHot` as float32 on every backend. The wasm backend's OneHot kernel (tfjs 4.22) ignores the dtype argument:
 * asked for float32 it writes int32 bits into a float32 tensor, so a 1 reads as 1.4e-45. An int32 one-hot cast to
 * float32 is right everywhere. `indices` must be int32; −1 (or any index outside 0..depth−1) gives a zero row.
 */
export function oneHotFloat32(indices: tf.Tensor, depth: number): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.oneHot(indices, depth), 'float32'));
}

/** One-hot of the argmax along the last axis, same shape and dtype float32. */
export function hardOneHot(values: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const depth = values.shape[values.shape.length - 1]!;
    return oneHotFloat32(tf.argMax(values, -1), depth);
  });
}

export interface GumbelSoftmaxOptions {
  /** Temperature τ (default 1, as JTR and MTPSL use). */
  readonly temperature?: number;
  /** Straight-through: forward the one-hot of the sample, backward the soft sample (default true). */
  readonly hard?: boolean;
}

/** Gumbel-softmax over the last axis of `logits`. With `hard`, the straight-through one-hot sample. */
export function gumbelSoftmax(
  logits: tf.Tensor,
  random: RandomSource,
  options: GumbelSoftmaxOptions = {},
): tf.Tensor {
  const temperature = options.temperature ?? 1;
  const hard = options.hard ?? true;
  return tf.tidy(() => {
    const noisy = tf.div(tf.add(logits, gumbelNoise(logits.shape, random)), temperature);
    const soft = tf.softmax(noisy, -1);
    return hard ? straightThrough(hardOneHot(soft), soft) : soft;
  });
}
