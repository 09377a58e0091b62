// One sample's share of a batch, computed where it is cheapest (a worker thread or the main thread): read or
// receive the decoded sample, draw its views from a per-sample seed (so results do not depend on which thread
// runs it), drop the labels its split row marks unlabelled, and flatten every label to float32.
import { RandomSource, type Sample, type TaskSpec, isDenseTask } from '@partial-mtl/core';
import { type AugmentationOptions, sampleViews } from '../augment/multi-view.js';
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

/** One view of a prepared sample: image and the labels it keeps (float32, flattened), by task order. */
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

/**
 * A float32 array this sample owns alone: arrays of the source sample (a source may cache them) and views into a
 * larger buffer are copied, so the result's buffer can be transferred to another thread.
 */
function ownedFloat32(data: ArrayLike<number>, sourceArrays: ReadonlySet<unknown>): Float32Array {
  const owned =
    data instanceof Float32Array &&
    !sourceArrays.has(data) &&
    data.byteOffset === 0 &&
    data.byteLength === data.buffer.byteLength;
  return owned ? data : Float32Array.from(data);
}

/** Augments a decoded sample into its views and keeps the labelled tasks' labels. */
export function prepareSample(sample: Sample, tasks: readonly TaskSpec[], job: SampleJob): PreparedSample {
  const { height, width } = imageSize(sample);
  if (sample.image.shape[2] !== 3) {
    throw new Error(`sample ${sample.index}: image must have 3 channels, got [${sample.image.shape.join(', ')}]`);
  }
  // Strip unlabelled tasks before augmenting, so their arrays are neither resampled nor sent.
  const kept: Record<string, Sample['labels'][string]> = {};
  tasks.forEach((task, t) => {
    const label = sample.labels[task.name];
    if (job.labelled[t] && label) kept[task.name] = label;
  });
  const sourceArrays = new Set<unknown>([sample.image.data, ...Object.values(sample.labels).map((label) => label.data)]);
  const views = sampleViews({ ...sample, labels: kept }, tasks, new RandomSource(job.seed), job.extraViews, job.augmentation);
  return {
    index: sample.index,
    height,
    width,
    views: views.map((view) => ({
      image: ownedFloat32(view.image.data, sourceArrays),
      labels: tasks.map((task) => {
        const label = view.labels[task.name];
        if (!label) return null;
        const expected = labelSizeOf(task, height, width);
        if (label.data.length !== expected) {
          throw new Error(
            `sample ${sample.index} task '${task.name}': label has ${label.data.length} values (shape [${label.shape.join(', ')}]), expected ${expected}`,
          );
        }
        return ownedFloat32(label.data, sourceArrays);
      }),
    })),
  };
}

/** The buffers of a prepared sample, for a zero-copy transfer between threads. */
export function transferListOf(prepared: PreparedSample): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const view of prepared.views) {
    buffers.add(view.image.buffer as ArrayBuffer);
    for (const label of view.labels) if (label) buffers.add(label.buffer as ArrayBuffer);
  }
  return [...buffers];
}
