// Packs prepared samples into batch-sized float32 arrays, without tensors, so it runs in the worker that prepared
// them and the main thread only wraps the arrays: images [B, H, W, 3]; every task's labels with the task's ignore
// value where a sample is unlabelled (−1 segmentation/multiclass/multilabel, 0 depth, normals and kinds without
// one); the label mask [B, T] in task order; one such set per view. Augmentation writes into the slots directly.
import { ignoreValueOf, type Sample, type TaskSpec } from '@partial-mtl/core';
import type { TransformOutputs } from '../augment/random-scale-crop.js';
import { imageSize } from '../augment/sample-geometry.js';
import { labelSizeOf, type PreparedSample, prepareSample, type SampleJob } from './prepare-sample.js';

/** The value an unlabelled sample's label is filled with. */
export function fillValueOf(task: TaskSpec): number {
  return ignoreValueOf(task) ?? (task.kind === 'multiclass' ? -1 : 0);
}

export interface PackedView {
  /** [B·H·W·3] images. */
  readonly images: Float32Array;
  /** Per task, in task order: [B · labelSizeOf(task)] labels. */
  readonly labels: readonly Float32Array[];
}

/** A batch as plain arrays: what a worker sends back (its buffers transferred, not copied). */
export interface PackedBatch {
  readonly indices: readonly number[];
  readonly height: number;
  readonly width: number;
  /** [B·T] label mask, 1 = labelled. */
  readonly labelMask: Float32Array;
  /** View 0 (supervised) first, then the extra views. */
  readonly views: readonly PackedView[];
}

function allocateBatch(
  indices: readonly number[],
  tasks: readonly TaskSpec[],
  viewCount: number,
  height: number,
  width: number,
): PackedBatch {
  const batchSize = indices.length;
  return {
    indices: [...indices],
    height,
    width,
    labelMask: new Float32Array(batchSize * tasks.length),
    views: Array.from({ length: viewCount }, () => ({
      images: new Float32Array(batchSize * height * width * 3),
      labels: tasks.map((task) => new Float32Array(batchSize * labelSizeOf(task, height, width))),
    })),
  };
}

/** Sample b's slots in a batch's arrays (subarrays: writing them writes the batch). */
function slotsOf(batch: PackedBatch, tasks: readonly TaskSpec[], b: number, view: number): TransformOutputs {
  const { height, width } = batch;
  const pixels = height * width * 3;
  const packed = batch.views[view]!;
  const labels: Record<string, Float32Array> = {};
  tasks.forEach((task, t) => {
    const size = labelSizeOf(task, height, width);
    labels[task.name] = packed.labels[t]!.subarray(b * size, (b + 1) * size);
  });
  return { image: packed.images.subarray(b * pixels, (b + 1) * pixels), labels };
}

function isSameMemory(a: Float32Array, b: Float32Array): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length;
}

/** Puts a prepared sample in slot b: copies what augmentation did not already write there, fills missing labels. */
function placeSample(
  batch: PackedBatch,
  tasks: readonly TaskSpec[],
  b: number,
  sample: PreparedSample,
): void {
  if (sample.height !== batch.height || sample.width !== batch.width) {
    throw new Error(
      `batch: sample ${sample.index} is ${sample.height}×${sample.width} but sample ${batch.indices[0]} is ${batch.height}×${batch.width}; all samples of a batch need one size`,
    );
  }
  tasks.forEach((_, t) => {
    batch.labelMask[b * tasks.length + t] = sample.views[0]!.labels[t] ? 1 : 0;
  });
  batch.views.forEach((_, view) => {
    const slots = slotsOf(batch, tasks, b, view);
    const prepared = sample.views[view]!;
    if (!isSameMemory(prepared.image, slots.image!)) slots.image!.set(prepared.image);
    tasks.forEach((task, t) => {
      const slot = slots.labels![task.name]!;
      const label = prepared.labels[t];
      if (!label) slot.fill(fillValueOf(task));
      else if (!isSameMemory(label, slot)) slot.set(label);
    });
  });
}

/** Copies prepared samples into new batch arrays; every sample must have the same size and view count. */
export function packBatch(samples: readonly PreparedSample[], tasks: readonly TaskSpec[]): PackedBatch {
  const first = samples[0];
  if (!first) throw new Error('batch: no samples');
  const batch = allocateBatch(
    samples.map((sample) => sample.index),
    tasks,
    first.views.length,
    first.height,
    first.width,
  );
  samples.forEach((sample, b) => {
    placeSample(batch, tasks, b, sample);
  });
  return batch;
}

/**
 * Augments decoded samples straight into new batch arrays (the views' last steps write into each sample's slots;
 * the rest is copied): the same result as `packBatch` over `prepareSample`, with fewer copies.
 */
export function prepareBatch(
  samples: readonly Sample[],
  tasks: readonly TaskSpec[],
  jobs: readonly SampleJob[],
): PackedBatch {
  const first = samples[0];
  if (!first || samples.length !== jobs.length)
    throw new Error('batch: expected one job per sample and at least one sample');
  const { height, width } = imageSize(first);
  const batch = allocateBatch(
    samples.map((sample) => sample.index),
    tasks,
    jobs[0]!.extraViews + 1,
    height,
    width,
  );
  samples.forEach((sample, b) => {
    const size = imageSize(sample);
    const outputsFor =
      size.height === height && size.width === width
        ? (view: number) => slotsOf(batch, tasks, b, view)
        : undefined;
    placeSample(batch, tasks, b, prepareSample(sample, tasks, jobs[b]!, outputsFor));
  });
  return batch;
}

/** The buffers of a packed batch, for a zero-copy transfer between threads. */
export function transferListOf(batch: PackedBatch): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>([batch.labelMask.buffer as ArrayBuffer]);
  for (const view of batch.views) {
    buffers.add(view.images.buffer as ArrayBuffer);
    for (const label of view.labels) buffers.add(label.buffer as ArrayBuffer);
  }
  return [...buffers];
}
