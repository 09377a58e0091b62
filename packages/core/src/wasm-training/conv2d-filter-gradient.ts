// Filter gradient of a 2-D convolution as one forward convolution with "channels as batch": x transposed to
// [Ci, H, W, N] is convolved ('valid', stride = the dilation, dilation = the stride) with dy transposed to
// [Ho, Wo, N, Co] used as the filter, giving [Ci, kh, kw, Co]. Measured on wasm at 2–3× the forward conv, against
// 5–30× for im2col + matMul (/work/shared/specs/performance.md); the same identity as dW = x ⋆ dy in arXiv 1603.07285.
import * as tf from '@tensorflow/tfjs';
import { conv2dGeometry, padOrCropSpatial, type Conv2dPad } from './conv-geometry.js';

/**
 * dL/dfilter of `conv2d(x, filter, strides, pad, 'NHWC', dilations)` given dL/dy, as [kh, kw, Ci, Co].
 * Returns a new tensor the caller owns.
 */
export function conv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly [number, number, number, number],
  strides: number | readonly number[],
  pad: Conv2dPad,
  dilations: number | readonly number[] = 1,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  const g = conv2dGeometry(x.shape, filterShape, strides, pad, dilations, dimRoundingMode);
  return tf.tidy(() => {
    // Rows of (padded) x the convolution reads: (kh−1)·dh + (Ho−1)·sh + 1, starting padTop above row 0.
    const neededHeight = (g.filterHeight - 1) * g.dilationHeight + (g.outHeight - 1) * g.strideHeight + 1;
    const neededWidth = (g.filterWidth - 1) * g.dilationWidth + (g.outWidth - 1) * g.strideWidth + 1;
    const top = g.padTop;
    const left = g.padLeft;
    const bottom = neededHeight - g.inHeight - top;
    const right = neededWidth - g.inWidth - left;
    // Crop first where the forward conv never read the last rows/columns; pad inside the convolution otherwise.
    const cropped = padOrCropSpatial(x, [
      [Math.min(top, 0), Math.min(bottom, 0)],
      [Math.min(left, 0), Math.min(right, 0)],
    ]);
    const channelsAsBatch = tf.transpose(cropped, [3, 1, 2, 0]) as tf.Tensor4D;
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    const padding: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [Math.max(top, 0), Math.max(bottom, 0)],
      [Math.max(left, 0), Math.max(right, 0)],
      [0, 0],
    ];
    const result = tf.conv2d(
      channelsAsBatch,
      dyAsFilter,
      [g.dilationHeight, g.dilationWidth],
      padding,
      'NHWC',
      [g.strideHeight, g.strideWidth],
    );
    return tf.transpose(result, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}
