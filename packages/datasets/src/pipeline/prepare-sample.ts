// One sample's share of a batch, computed where it is cheapest (a worker thread or the main thread): draw the
// views of a decoded sample from a per-sample seed (so results do not depend on which thread runs it), drop the
// labels its split row marks unlabelled, and flatten every label to float32.
import { isDenseTask, RandomSource, type Sample, type TaskSpec } from '@partial-mtl/core';
import { type AugmentationOptions, sampleViews } from '../augment/multi-view.js';
import type { TransformOutputs } from '../augment/random-scale-crop.js';
import { imageSize } from '../augment/sample-geometry.js';

/** Everything needed to prepare one sample, structured-clone safe. */
export interface SampleJob {
  /** Row of the sample in its data set. */
  readonly index: number;
  /** Seed of this sample's augmentation stream (drawn by the loader per epoch position). */
  readonly seed: number;
  /** Per task (in task order): does the split mark the sample labelled? */
  readonly labelled: readonly boolean[];
  readonly extraViews: number;
  readonly augmentation: AugmentationOptions | undefined;
  /** The decoded sample, when the worker cannot rebuild the source itself. */
  readonly sample?: Sample;
}

/**
 * One view of a prepared sample: image and the labels it keeps (float32, flattened), by task order. Arrays may be
 * the source sample's own (no augmentation, or a scale-1 crop): copy before modifying.
 */
export interface PreparedView {
  readonly image: Float32Array;
  /** Per task: the label, or null where the sample is unlabelled (split or source). */
  readonly labels: readonly (Float32Array | null)[];
}

export interface PreparedSample {
  readonly index: number;
  readonly height: number;
  readonly width: number;
  readonly views: readonly PreparedView[];
}

/** Values per sample of a task's label in a batch: dense H·W·C (segmentation C = 1), multiclass 1, else channels. */
export function labelSizeOf(task: TaskSpec, height: number, width: number): number {
  if (isDenseTask(task)) return height * width * (task.kind === 'segmentation' ? 1 : task.channels);
  return task.kind === 'multiclass' ? 1 : task.channels;
}

function toFloat32(data: ArrayLike<number>): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

/**
 * Augments a decoded sample into its views and keeps the labelled tasks' labels. `outputsFor(view)` may give
 * arrays (the sample's batch slots) for the views' last steps to write into; the values are the same either way.
 */
export function prepareSample(
  sample: Sample,
  tasks: readonly TaskSpec[],
  job: SampleJob,
  outputsFor?: (view: number) => TransformOutputs | undefined,
): PreparedSample {
  const { height, width } = imageSize(sample);
  if (sample.image.shape[2] !== 3) {
    throw new Error(
      `sample ${sample.index}: image must have 3 channels, got [${sample.image.shape.join(', ')}]`,
    );
  }
  // Strip unlabelled tasks before augmenting, so their arrays are neither resampled nor sent.
  const kept: Record<string, Sample['labels'][string]> = {};
  tasks.forEach((task, t) => {
    const label = sample.labels[task.name];
    if (job.labelled[t] && label) kept[task.name] = label;
  });
  const views = sampleViews(
    { ...sample, labels: kept },
    tasks,
    new RandomSource(job.seed),
    job.extraViews,
    job.augmentation,
    outputsFor,
  );
  return {
    index: sample.index,
    height,
    width,
    views: views.map((view) => ({
      image: toFloat32(view.image.data),
      labels: tasks.map((task) => {
        const label = view.labels[task.name];
        if (!label) return null;
        const expected = labelSizeOf(task, height, width);
        if (label.data.length !== expected) {
          throw new Error(
            `sample ${sample.index} task '${task.name}': label has ${label.data.length} values (shape [${label.shape.join(', ')}]), expected ${expected}`,
          );
        }
        return toFloat32(label.data);
      }),
    })),
  };
}
