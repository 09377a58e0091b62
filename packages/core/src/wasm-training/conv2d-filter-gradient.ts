// Filter gradient of a 2-D convolution as one forward convolution with "channels as batch": x transposed to
// [Ci, H, W, N] is convolved ('valid', stride = the dilation, dilation = the stride) with dy transposed to
// [Ho, Wo, N, Co] used as the filter, giving [Ci, kh, kw, Co]. Measured on wasm at 2–3× the forward conv, against
// 5–30× for im2col + matMul (/work/shared/specs/performance.md); the same identity as dW = x ⋆ dy in arXiv 1603.07285.
// Large maps use a "rows" variant (XNNPACK's indirection buffer for the first grows as Ci·kh·kw·Ho·Wo pointers).
import * as tf from '@tensorflow/tfjs';
import { type Conv2dGeometry, type Conv2dPad, conv2dGeometry, padOrCropSpatial } from './conv-geometry.js';

/**
 * Above this many indirection pointers (Ci·kh·kw·Ho·Wo; 4 bytes each) the channels-as-batch convolution switches to
 * the rows variant: at width 1.0, 288×384 the former needs ~64 M pointers (255 MB) for one layer and aborted wasm.
 */
export const rowsVariantThreshold = 8_000_000;

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
  const pointers = g.inChannels * g.filterHeight * g.filterWidth * g.outHeight * g.outWidth;
  if (g.strideWidth === 1 && pointers > rowsVariantThreshold) return filterGradientByRows(x, dy, g);
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

/**
 * The filter gradient with batch = (kw, Ci), one spatial axis (rows) and channels = (N, Wo): x is shifted by each
 * kw column tap and laid out [kw·Ci, H, 1, N·Wo]; dy becomes the filter [Ho, 1, N·Wo, Co]; one 'valid' convolution
 * over rows (stride = dilation, dilation = stride, as above) gives [kw·Ci, kh, 1, Co]. Needs a width stride of 1.
 * Costs kw copies of x but only Ci·kh·kw·Ho indirection pointers. Exported for tests.
 */
export function filterGradientByRows(x: tf.Tensor4D, dy: tf.Tensor4D, g: Conv2dGeometry): tf.Tensor4D {
  if (g.strideWidth !== 1) throw new Error('filterGradientByRows: needs a width stride of 1');
  return tf.tidy(() => {
    const batch = g.batch;
    const neededHeight = (g.filterHeight - 1) * g.dilationHeight + (g.outHeight - 1) * g.strideHeight + 1;
    const neededWidth = (g.filterWidth - 1) * g.dilationWidth + g.outWidth;
    const top = g.padTop;
    const bottom = neededHeight - g.inHeight - top;
    const left = g.padLeft;
    const right = neededWidth - g.inWidth - left;
    // Width is padded for real (the column shifts are slices); height only cropped, its padding goes in the conv.
    const prepared = padOrCropSpatial(x, [
      [Math.min(top, 0), Math.min(bottom, 0)],
      [left, right],
    ]);
    const rows = prepared.shape[1];
    const channelsFirst = tf.transpose(prepared, [3, 1, 0, 2]); // [Ci, rows, N, neededWidth]
    const shifted = Array.from({ length: g.filterWidth }, (_, tap) =>
      tf.reshape(
        tf.slice(channelsFirst, [0, 0, 0, tap * g.dilationWidth], [g.inChannels, rows, batch, g.outWidth]),
        [g.inChannels, rows, 1, batch * g.outWidth],
      ),
    );
    const columnsAsBatch = (shifted.length === 1 ? shifted[0]! : tf.concat(shifted, 0)) as tf.Tensor4D;
    const dyAsFilter = tf.reshape(tf.transpose(dy, [1, 0, 2, 3]), [
      g.outHeight,
      1,
      batch * g.outWidth,
      g.outChannels,
    ]) as tf.Tensor4D;
    const result = tf.conv2d(
      columnsAsBatch,
      dyAsFilter,
      [g.dilationHeight, 1],
      [
        [0, 0],
        [Math.max(top, 0), Math.max(bottom, 0)],
        [0, 0],
        [0, 0],
      ],
      'NHWC',
      [g.strideHeight, 1],
    ); // [kw·Ci, kh, 1, Co]
    return tf.transpose(
      tf.reshape(result, [g.filterWidth, g.inChannels, g.filterHeight, g.outChannels]),
      [2, 0, 1, 3],
    ) as tf.Tensor4D;
  });
}
