// Crop-and-resize of HWC typed arrays, the two interpolations of the random scale crop (data-formats.md §6):
// bilinear with aligned corners (PyTorch `F.interpolate(..., 'bilinear', align_corners=True)`, tfjs
// `resizeBilinear(alignCorners=true)`) and nearest with source index floor(dst·in/out) (PyTorch 'nearest', tfjs
// `resizeNearestNeighbor` without aligned corners or half-pixel centres). Pure typed-array code: runs in workers.
import type { ArrayData } from '@partial-mtl/core';

/** A rectangle of an image: top-left corner and size, in pixels. */
export interface CropWindow {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/** Row-major HWC typed array with its sizes. */
export interface PlanarImage<T extends ArrayData = ArrayData> {
  readonly data: T;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

function checkWindow(image: PlanarImage, window: CropWindow, what: string): void {
  const { top, left, height, width } = window;
  if (
    !Number.isInteger(top) ||
    !Number.isInteger(left) ||
    !Number.isInteger(height) ||
    !Number.isInteger(width) ||
    top < 0 ||
    left < 0 ||
    height < 1 ||
    width < 1 ||
    top + height > image.height ||
    left + width > image.width
  ) {
    throw new Error(
      `${what}: crop window ${JSON.stringify(window)} does not fit an image of ${image.height}×${image.width}`,
    );
  }
  if (image.data.length !== image.height * image.width * image.channels) {
    throw new Error(
      `${what}: data has ${image.data.length} values, expected ${image.height}×${image.width}×${image.channels}`,
    );
  }
}

function checkOutput(out: ArrayData, size: number, what: string): void {
  if (out.length !== size)
    throw new Error(`${what}: output array has ${out.length} values, expected ${size}`);
}

/**
 * Crops `window` out of `image` and resizes it to outHeight×outWidth bilinearly with aligned corners: output
 * pixel d samples source coordinate d·(in−1)/(out−1) (0 when out = 1), as tfjs' cpu kernel computes it.
 * Writes into `out` when given (e.g. a sample's slot of a batch array), else returns a new Float32Array.
 */
export function cropResizeBilinear(
  image: PlanarImage,
  window: CropWindow,
  outHeight: number,
  outWidth: number,
  out: Float32Array = new Float32Array(outHeight * outWidth * image.channels),
): Float32Array {
  checkWindow(image, window, 'cropResizeBilinear');
  const { data, width: stride, channels } = image;
  checkOutput(out, outHeight * outWidth * channels, 'cropResizeBilinear');
  const rowRatio = outHeight > 1 ? (window.height - 1) / (outHeight - 1) : 0;
  const columnRatio = outWidth > 1 ? (window.width - 1) / (outWidth - 1) : 0;
  // Per output column: left source column, right source column and weight (shared by all rows).
  const leftColumn = new Int32Array(outWidth);
  const rightColumn = new Int32Array(outWidth);
  const columnWeight = new Float64Array(outWidth);
  for (let x = 0; x < outWidth; x++) {
    const source = x * columnRatio;
    const floor = Math.floor(source);
    leftColumn[x] = (window.left + floor) * channels;
    rightColumn[x] = (window.left + Math.min(window.width - 1, Math.ceil(source))) * channels;
    columnWeight[x] = source - floor;
  }
  let o = 0;
  for (let y = 0; y < outHeight; y++) {
    const source = y * rowRatio;
    const floor = Math.floor(source);
    const topRow = (window.top + floor) * stride * channels;
    const bottomRow = (window.top + Math.min(window.height - 1, Math.ceil(source))) * stride * channels;
    const rowWeight = source - floor;
    if (channels === 3) {
      // The common case (RGB images, normals), unrolled.
      for (let x = 0; x < outWidth; x++) {
        const l = leftColumn[x]!;
        const r = rightColumn[x]!;
        const cw = columnWeight[x]!;
        const tl = topRow + l;
        const tr = topRow + r;
        const bl = bottomRow + l;
        const br = bottomRow + r;
        for (let c = 0; c < 3; c++) {
          const topLeft = data[tl + c]!;
          const bottomLeft = data[bl + c]!;
          const top = topLeft + (data[tr + c]! - topLeft) * cw;
          const bottom = bottomLeft + (data[br + c]! - bottomLeft) * cw;
          out[o++] = top + (bottom - top) * rowWeight;
        }
      }
      continue;
    }
    for (let x = 0; x < outWidth; x++) {
      const l = leftColumn[x]!;
      const r = rightColumn[x]!;
      const cw = columnWeight[x]!;
      for (let c = 0; c < channels; c++) {
        const topLeft = data[topRow + l + c]!;
        const topRight = data[topRow + r + c]!;
        const bottomLeft = data[bottomRow + l + c]!;
        const bottomRight = data[bottomRow + r + c]!;
        const top = topLeft + (topRight - topLeft) * cw;
        const bottom = bottomLeft + (bottomRight - bottomLeft) * cw;
        out[o++] = top + (bottom - top) * rowWeight;
      }
    }
  }
  return out;
}

/**
 * Crops `window` out of `image` and resizes it to outHeight×outWidth by nearest neighbour: output pixel d takes
 * source pixel min(in−1, floor(d·in/out)). Keeps the input's typed-array kind (class ids stay integers) unless
 * `divisor` is given, in which case values are divided by it into a Float32Array (depth after a scale crop).
 * Writes into `out` when given (any typed array of the right length).
 */
export function cropResizeNearest(
  image: PlanarImage,
  window: CropWindow,
  outHeight: number,
  outWidth: number,
  divisor?: number,
  output?: ArrayData,
): ArrayData {
  checkWindow(image, window, 'cropResizeNearest');
  const { data, width: stride, channels } = image;
  const size = outHeight * outWidth * channels;
  const out: ArrayData =
    output ??
    (divisor === undefined
      ? new (data.constructor as new (length: number) => ArrayData)(size)
      : new Float32Array(size));
  checkOutput(out, size, 'cropResizeNearest');
  const rowRatio = window.height / outHeight;
  const columnRatio = window.width / outWidth;
  const sourceColumn = new Int32Array(outWidth);
  for (let x = 0; x < outWidth; x++) {
    sourceColumn[x] = (window.left + Math.min(window.width - 1, Math.floor(x * columnRatio))) * channels;
  }
  let o = 0;
  for (let y = 0; y < outHeight; y++) {
    const row = (window.top + Math.min(window.height - 1, Math.floor(y * rowRatio))) * stride * channels;
    for (let x = 0; x < outWidth; x++) {
      const offset = row + sourceColumn[x]!;
      if (divisor === undefined) {
        for (let c = 0; c < channels; c++) out[o++] = data[offset + c]!;
      } else {
        for (let c = 0; c < channels; c++) out[o++] = data[offset + c]! / divisor;
      }
    }
  }
  return out;
}

/** Mirrors an HWC array left to right, negating the channels listed in `negateChannels` (normals' x). */
export function flipHorizontal(image: PlanarImage, negateChannels: readonly number[] = []): ArrayData {
  const { data, height, width, channels } = image;
  const out = new (data.constructor as new (length: number) => ArrayData)(data.length);
  const negate = new Uint8Array(channels);
  for (const channel of negateChannels) negate[channel] = 1;
  for (let y = 0; y < height; y++) {
    const row = y * width * channels;
    for (let x = 0; x < width; x++) {
      const from = row + (width - 1 - x) * channels;
      const to = row + x * channels;
      for (let c = 0; c < channels; c++) {
        const value = data[from + c]!;
        // 0 stays 0 (not −0) so invalid normals keep comparing equal to 0.
        out[to + c] = negate[c] && value !== 0 ? -value : value;
      }
    }
  }
  return out;
}
