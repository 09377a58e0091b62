// Random scale crop (RSC), data-formats.md §6, as in lorenmt/mtan `im2im_pred/create_dataset.py`
// (`RandomScaleCrop`), VICO-UoE/MTPSL `dataset/nyuv2ssl.py` and KentoNishi/JTR-CVPR-2024 `code/datasets/nyuv2.py`.
// Nearest indices are computed in float64 like tfjs (PyTorch uses float32); both give the same rows and columns for
// every NYU-v2 and Cityscapes crop size (checked exhaustively), other sizes may differ at rare exact multiples.
import type { RandomSource, Sample, TaskSpec } from '@partial-mtl/core';
import { type CropWindow, cropResizeBilinear, cropResizeNearest } from './resize.js';
import { imageSize, labelResamplingOf, mapSampleArrays } from './sample-geometry.js';

/**
 * Where a transform may write its result instead of allocating: the image, and labels by task name (float32 arrays
 * of the transformed size, e.g. a sample's slot of batch arrays). Arrays not listed are allocated.
 */
export interface TransformOutputs {
  readonly image?: Float32Array;
  readonly labels?: Readonly<Record<string, Float32Array>>;
}

export interface RandomScaleCropOptions {
  /** Scales drawn uniformly; the crop is floor(H/s)×floor(W/s), resized back to H×W. */
  readonly scales: readonly number[];
}

export const randomScaleCropDefaults: RandomScaleCropOptions = Object.freeze({
  scales: Object.freeze([1, 1.2, 1.5]),
});

/** One drawn crop: the scale and the window it cuts. */
export interface ScaleCrop extends CropWindow {
  readonly scale: number;
}

/**
 * Draws a scale crop for an image of height×width, in the reference order: the scale, then the top row in
 * [0, H−h], then the left column in [0, W−w] (both inclusive).
 */
export function drawScaleCrop(
  height: number,
  width: number,
  random: RandomSource,
  options: RandomScaleCropOptions = randomScaleCropDefaults,
): ScaleCrop {
  const scale = random.pick(options.scales);
  if (!(scale >= 1)) throw new Error(`randomScaleCrop: scales must be ≥ 1, got ${scale}`);
  const cropHeight = Math.floor(height / scale);
  const cropWidth = Math.floor(width / scale);
  const top = random.intBetween(0, height - cropHeight);
  const left = random.intBetween(0, width - cropWidth);
  return { scale, top, left, height: cropHeight, width: cropWidth };
}

/**
 * Applies a drawn crop: crop, resize back to the sample's size (image and normals bilinear with aligned corners;
 * class ids, edges and depth nearest), then divide depth by the scale. Normals are not re-normalised. A scale-1
 * full-size crop returns the sample itself (the result would be identical).
 */
export function applyScaleCrop(
  sample: Sample,
  tasks: readonly TaskSpec[],
  crop: ScaleCrop,
  outputs?: TransformOutputs,
): Sample {
  const { height, width } = imageSize(sample);
  // A full-size crop at scale 1 resamples every pixel onto itself (both interpolations) and divides depth by 1.
  if (crop.scale === 1 && crop.top === 0 && crop.left === 0 && crop.height === height && crop.width === width)
    return sample;
  return mapSampleArrays(sample, tasks, (planar, task) => {
    const given = task === undefined ? outputs?.image : outputs?.labels?.[task.name];
    // An output of another size is ignored: the caller's own shape check then names the task.
    const out = given && given.length === planar.data.length ? given : undefined;
    if (task === undefined || labelResamplingOf(task) === 'bilinear') {
      return cropResizeBilinear(planar, crop, height, width, out);
    }
    return cropResizeNearest(
      planar,
      crop,
      height,
      width,
      task.kind === 'depth' ? crop.scale : undefined,
      out,
    );
  });
}

/** Draws and applies a random scale crop (writing into `outputs` where given, except for a scale-1 crop). */
export function randomScaleCrop(
  sample: Sample,
  tasks: readonly TaskSpec[],
  random: RandomSource,
  options: RandomScaleCropOptions = randomScaleCropDefaults,
  outputs?: TransformOutputs,
): Sample {
  const { height, width } = imageSize(sample);
  return applyScaleCrop(sample, tasks, drawScaleCrop(height, width, random, options), outputs);
}
