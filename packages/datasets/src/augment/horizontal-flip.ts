// Horizontal flip of a sample and its dense labels: data-formats.md §6 (Cityscapes flips with p = 0.5 before
// each view's scale crop, as KentoNishi/JTR-CVPR-2024 `code/datasets/cityscapes.py` does; MTAN's optional NYU flip
// negates the normal's x, lorenmt/mtan `im2im_pred/create_dataset.py`).
import type { RandomSource, Sample, TaskSpec } from '@partial-mtl/core';
import { flipHorizontal } from './resize.js';
import { mapSampleArrays } from './sample-geometry.js';

/** Mirrors a sample left to right; normals' x component (channel 0) is negated. */
export function flipSampleHorizontally(sample: Sample, tasks: readonly TaskSpec[]): Sample {
  return mapSampleArrays(sample, tasks, (planar, task) =>
    flipHorizontal(planar, task?.kind === 'normals' ? [0] : []),
  );
}

/** Flips with probability `probability` (one draw from `random`, always taken so streams stay aligned). */
export function randomHorizontalFlip(
  sample: Sample,
  tasks: readonly TaskSpec[],
  random: RandomSource,
  probability: number,
): Sample {
  const flip = random.next() < probability;
  return flip ? flipSampleHorizontally(sample, tasks) : sample;
}
