// Multi-view sampling for cross-task regularizers (data-formats.md §6, jtr.md §6): view 0 = RSC(original) feeds
// the supervised losses; every extra view k ≥ 1 = RSC(view 0): MTPSL (VICO-UoE/MTPSL `dataset/nyuv2ssl.py`) uses
// view 1, JTR (KentoNishi/JTR-CVPR-2024 `code/datasets/nyuv2.py`) views 1 and 2, view 2 also photometric. An
// optional flip precedes each view's crop (Cityscapes); JTR's quirk of discarding view 2's flip is not reproduced.
import type { RandomSource, Sample, TaskSpec } from '@partial-mtl/core';
import { randomHorizontalFlip } from './horizontal-flip.js';
import { type PhotometricOptions, photometricDefaults, randomPhotometric } from './photometric.js';
import {
  type RandomScaleCropOptions,
  randomScaleCrop,
  randomScaleCropDefaults,
  type TransformOutputs,
} from './random-scale-crop.js';

export interface AugmentationOptions {
  /** Random scale crop before each view, or false for none. */
  readonly scaleCrop: RandomScaleCropOptions | false;
  /** Probability of a horizontal flip before each view's crop (0 for NYU-v2, 0.5 for Cityscapes). */
  readonly flipProbability: number;
  /** Photometric RandAugment subset, or false for none. */
  readonly photometric: PhotometricOptions | false;
  /** Views (0 = the supervised view) that get the photometric operations after their crop. JTR: view 2. */
  readonly photometricViews: readonly number[];
}

export const augmentationDefaults: AugmentationOptions = Object.freeze({
  scaleCrop: randomScaleCropDefaults,
  flipProbability: 0,
  photometric: photometricDefaults,
  photometricViews: Object.freeze([2]),
});

/** Resolves the `augment` option of loaders: true = defaults, false = none, an object overrides defaults. */
export function resolveAugmentation(
  augment: boolean | Partial<AugmentationOptions> | undefined,
): AugmentationOptions | undefined {
  if (augment === undefined || augment === false) return undefined;
  if (augment === true) return augmentationDefaults;
  return { ...augmentationDefaults, ...augment };
}

function augmentView(
  sample: Sample,
  tasks: readonly TaskSpec[],
  random: RandomSource,
  options: AugmentationOptions,
  view: number,
  outputs: TransformOutputs | undefined,
): Sample {
  const photometric =
    options.photometric && options.photometricViews.includes(view) ? options.photometric : undefined;
  let out = sample;
  if (options.flipProbability > 0) out = randomHorizontalFlip(out, tasks, random, options.flipProbability);
  if (options.scaleCrop) {
    // The crop is the last step for the labels, and for the image unless photometric operations follow.
    const cropOutputs =
      photometric && outputs?.labels ? { labels: outputs.labels } : photometric ? undefined : outputs;
    out = randomScaleCrop(out, tasks, random, options.scaleCrop, cropOutputs);
  }
  if (photometric) out = randomPhotometric(out, random, photometric, outputs?.image);
  return out;
}

/**
 * The views of one sample: element 0 is the supervised view, then `extraViews` more. Without augmentation every
 * view is the original sample. Draws from `random` in a fixed order (view by view: flip, crop, photometric).
 * `outputsFor(view)` may name arrays the last step of a view writes into (a batch slot); results are the same.
 */
export function sampleViews(
  sample: Sample,
  tasks: readonly TaskSpec[],
  random: RandomSource,
  extraViews: number,
  augmentation: AugmentationOptions | undefined,
  outputsFor?: (view: number) => TransformOutputs | undefined,
): Sample[] {
  if (!augmentation) return Array.from({ length: extraViews + 1 }, () => sample);
  const first = augmentView(sample, tasks, random, augmentation, 0, outputsFor?.(0));
  const views = [first];
  for (let view = 1; view <= extraViews; view++) {
    views.push(augmentView(first, tasks, random, augmentation, view, outputsFor?.(view)));
  }
  return views;
}
