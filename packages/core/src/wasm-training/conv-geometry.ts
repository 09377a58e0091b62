// Shared geometry of the Conv2D gradients: the padding a convolution used (from TensorFlow.js's own
// `computeConv2DInfo`, so 'same', 'valid', explicit pads and dimRoundingMode mean exactly what the forward op did),
// and a pad-or-crop helper, since rewriting a gradient as a forward convolution can need negative padding.
import * as tf from '@tensorflow/tfjs';

export type Conv2dPad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

export interface Conv2dGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly outChannels: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

function pair(value: number | readonly number[]): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0]!, value[1] ?? value[0]!];
}

/** Geometry of an NHWC conv2d of x [N, H, W, Ci] with filter [kh, kw, Ci, Co]. */
export function conv2dGeometry(
  inputShape: readonly number[],
  filterShape: readonly number[],
  strides: number | readonly number[],
  pad: Conv2dPad,
  dilations: number | readonly number[],
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): Conv2dGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    pair(strides),
    pair(dilations),
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor:
 * `[[top, bottom], [left, right]]`. Returns `x` itself when every amount is 0.
 */
export function padOrCropSpatial(
  x: tf.Tensor4D,
  amounts: readonly [readonly [number, number], readonly [number, number]],
): tf.Tensor4D {
  const [[top, bottom], [left, right]] = amounts;
  let result = x;
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    result = tf.pad(result, [
      [0, 0],
      [Math.max(top, 0), Math.max(bottom, 0)],
      [Math.max(left, 0), Math.max(right, 0)],
      [0, 0],
    ]);
  }
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [n, h, w, c] = result.shape;
    const cropTop = Math.max(-top, 0);
    const cropLeft = Math.max(-left, 0);
    result = tf.slice(
      result,
      [0, cropTop, cropLeft, 0],
      [n, h - cropTop - Math.max(-bottom, 0), w - cropLeft - Math.max(-right, 0), c],
    );
  }
  return result;
}

/** Names the backend a gradient runs on, to pick the formulation measured fastest there. */
export function activeBackendName(): string {
  return tf.getBackend();
}
