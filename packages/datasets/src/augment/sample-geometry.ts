// How each task's label follows a geometric transform of the image (data-formats.md §6, after lorenmt/mtan
// `im2im_pred/create_dataset.py`): images, normals and other continuous maps are resampled bilinearly; class ids,
// edges and depth by nearest neighbour (depth is then divided by the scale); per-image labels are untouched.
import type { ArrayData, DenseArray, Sample, TaskSpec } from '@partial-mtl/core';
import { isDenseTask } from '@partial-mtl/core';
import type { PlanarImage } from './resize.js';

/** How a label is resampled: bilinearly, by nearest neighbour, or not at all (per-image labels). */
export type LabelResampling = 'bilinear' | 'nearest' | 'none';

/** The resampling a task's labels need under a crop or flip. */
export function labelResamplingOf(task: TaskSpec): LabelResampling {
  if (!isDenseTask(task)) return 'none';
  switch (task.kind) {
    case 'normals':
    case 'regression':
      return 'bilinear';
    default:
      return 'nearest';
  }
}

/** Views an HWC (or HW) dense array as a planar image of the given size; throws naming the array on mismatch. */
export function asPlanar(array: DenseArray, height: number, width: number, what: string): PlanarImage {
  const [arrayHeight, arrayWidth] = array.shape;
  const channels = array.shape.length === 2 ? 1 : (array.shape[2] ?? 0);
  if (
    (array.shape.length !== 2 && array.shape.length !== 3) ||
    arrayHeight !== height ||
    arrayWidth !== width ||
    array.data.length !== height * width * channels
  ) {
    throw new Error(
      `${what}: expected an array of shape [${height}, ${width}] or [${height}, ${width}, C], got [${array.shape.join(', ')}] with ${array.data.length} values`,
    );
  }
  return { data: array.data, height, width, channels };
}

/** Image height and width of a sample (its image is HWC). */
export function imageSize(sample: Sample): { height: number; width: number } {
  const [height, width, channels] = sample.image.shape;
  if (
    sample.image.shape.length !== 3 ||
    height === undefined ||
    width === undefined ||
    channels === undefined
  ) {
    throw new Error(
      `sample ${sample.index}: image must be [H, W, C], got [${sample.image.shape.join(', ')}]`,
    );
  }
  return { height, width };
}

/**
 * Applies a per-array transform to the image and to every dense label of a sample, keeping shapes (the
 * transform returns an array of the same HWC size). `transform` receives the task (undefined for the image).
 */
export function mapSampleArrays(
  sample: Sample,
  tasks: readonly TaskSpec[],
  transform: (planar: PlanarImage, task: TaskSpec | undefined) => ArrayData,
): Sample {
  const { height, width } = imageSize(sample);
  const image = transform(asPlanar(sample.image, height, width, `sample ${sample.index} image`), undefined);
  const labels: Record<string, DenseArray> = {};
  for (const [name, label] of Object.entries(sample.labels)) {
    const task = tasks.find((candidate) => candidate.name === name);
    if (!task || labelResamplingOf(task) === 'none') {
      labels[name] = label;
      continue;
    }
    const data = transform(asPlanar(label, height, width, `sample ${sample.index} label '${name}'`), task);
    labels[name] = { data, shape: label.shape };
  }
  return { index: sample.index, image: { data: image, shape: sample.image.shape }, labels };
}
