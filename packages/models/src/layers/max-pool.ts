// 2×2 max pooling that keeps what max-unpooling needs (SegNet, Badrinarayanan et al., arXiv 1511.00561).
// TensorFlow.js has no differentiable MaxPoolWithArgmax, so instead of indices we keep a 0/1 mask of the positions
// equal to their window's max: mask = (x == up2(maxpool(x))), as our JTR spec §3 prescribes. With ties, every tied
// position of a window is marked (ties 'all', the default); ties 'first' keeps only the first in row-major order,
// which is what PyTorch's max_pool2d indices (and so the MTAN/MTPSL/JTR reference SegNets) do.

import { stopGradient } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { isCountingFlops } from './flop-counter.js';

/** Which positions of a 2×2 window with several maxima receive the unpooled value. */
export type UnpoolTies = 'all' | 'first';

export const unpoolTiesModes: readonly UnpoolTies[] = ['all', 'first'];

export interface MaxPoolResult {
  /** [B, H/2, W/2, C]. */
  readonly pooled: tf.Tensor4D;
  /** [B, H, W, C] float32, 1 where x equals its 2×2 window's max (no gradient flows through it). */
  readonly unpoolMask: tf.Tensor4D;
}

/**
 * Nearest-neighbour 2× upsampling: [B, h, w, C] → [B, 2h, 2w, C], each value copied to a 2×2 block.
 * Built from concat + reshape so its gradient (slices) runs on every backend. Returns a new tensor.
 */
export function upsampleNearest2x(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width, channels] = x.shape;
    const widened = tf.reshape(tf.concat([x, x], 3), [batch, height, width * 2, channels]);
    return tf.reshape(tf.concat([widened, widened], 2), [
      batch,
      height * 2,
      width * 2,
      channels,
    ]) as tf.Tensor4D;
  });
}

/** Keeps, in each 2×2 window of a 0/1 mask, only its first 1 in row-major order. Returns a new tensor. */
function keepFirstInWindow(mask: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width, channels] = mask.shape;
    const grid = tf.reshape(mask, [batch, height / 2, 2, width / 2, 2, channels]);
    const position = (row: number, column: number) =>
      tf.slice(grid, [0, 0, row, 0, column, 0], [-1, -1, 1, -1, 1, -1]);
    const kept: tf.Tensor[] = [];
    let taken: tf.Tensor | undefined;
    for (const [row, column] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ] as const) {
      const candidate = position(row, column);
      const keep = taken ? tf.mul(candidate, tf.sub(1, taken)) : candidate;
      taken = taken ? tf.add(taken, keep) : keep;
      kept.push(keep);
    }
    const top = tf.concat([kept[0]!, kept[1]!], 4);
    const bottom = tf.concat([kept[2]!, kept[3]!], 4);
    return tf.reshape(tf.concat([top, bottom], 2), [batch, height, width, channels]) as tf.Tensor4D;
  });
}

/**
 * 2×2 stride-2 max pooling of x [B, H, W, C] (H and W even), with the unpooling mask (`ties`: see UnpoolTies,
 * default 'all'). Caller disposes both results.
 */
export function maxPool2x2(x: tf.Tensor4D, ties: UnpoolTies = 'all'): MaxPoolResult {
  if (!unpoolTiesModes.includes(ties))
    throw new Error(
      `maxPool2x2: unknown ties mode '${String(ties)}' (expected one of: ${unpoolTiesModes.join(', ')})`,
    );
  const [, height, width] = x.shape;
  if (height % 2 !== 0 || width % 2 !== 0) {
    throw new Error(
      `maxPool2x2: height and width must be even, got [${x.shape.join(', ')}] (SegNet inputs must be multiples of 32)`,
    );
  }
  if (isCountingFlops()) {
    return tf.tidy(() => {
      const pooled = tf.zeros([x.shape[0], height / 2, width / 2, x.shape[3]]) as tf.Tensor4D;
      return { pooled, unpoolMask: tf.onesLike(x) };
    });
  }
  return tf.tidy(() => {
    const pooled = tf.maxPool(x, 2, 2, 'valid');
    const unpoolMask = tf.tidy(() => {
      const detachedInput = stopGradient(x);
      const detachedPooled = stopGradient(pooled);
      const allMaxima = tf.cast(
        tf.equal(detachedInput, upsampleNearest2x(detachedPooled)),
        'float32',
      ) as tf.Tensor4D;
      return ties === 'first' ? keepFirstInWindow(allMaxima) : allMaxima;
    });
    return { pooled, unpoolMask };
  });
}

/**
 * Max-unpooling: puts each pooled value back where its window's max was, zeros elsewhere:
 * up2(pooled) · unpoolMask. With ties the value goes to every tied position. Returns a new tensor.
 */
export function maxUnpool2x2(pooled: tf.Tensor4D, unpoolMask: tf.Tensor4D): tf.Tensor4D {
  const [batch, height, width, channels] = pooled.shape;
  const expected = [batch, height * 2, width * 2, channels];
  if (unpoolMask.shape.some((size, axis) => size !== expected[axis])) {
    throw new Error(
      `maxUnpool2x2: mask shape [${unpoolMask.shape.join(', ')}] does not match pooled [${pooled.shape.join(', ')}] upsampled 2×`,
    );
  }
  if (isCountingFlops()) return tf.clone(unpoolMask);
  return tf.tidy(() => tf.mul(upsampleNearest2x(pooled), unpoolMask));
}
