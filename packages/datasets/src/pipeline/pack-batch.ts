// Packs prepared samples into batch-sized float32 arrays, without tensors, so it runs in the worker that prepared
// them and the main thread only wraps the arrays: images [B, H, W, 3]; every task's labels with the task's ignore
// value where a sample is unlabelled (−1 segmentation/multiclass/multilabel, 0 depth, normals and kinds without
// one); the label mask [B, T] in task order; one such set per view.
import { type TaskSpec, ignoreValueOf } from '@partial-mtl/core';
import { type PreparedSample, labelSizeOf } from './prepare-sample.js';

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

/** Copies prepared samples into batch arrays; every sample must have the same size and view count. */
export function packBatch(samples: readonly PreparedSample[], tasks: readonly TaskSpec[]): PackedBatch {
  const first = samples[0];
  if (!first) throw new Error('batch: no samples');
  const { height, width } = first;
  const batchSize = samples.length;
  const pixels = height * width * 3;
  for (const sample of samples) {
    if (sample.height !== height || sample.width !== width) {
      throw new Error(
        `batch: sample ${sample.index} is ${sample.height}×${sample.width} but sample ${first.index} is ${height}×${width}; all samples of a batch need one size`,
      );
    }
  }
  const labelMask = new Float32Array(batchSize * tasks.length);
  samples.forEach((sample, b) => {
    tasks.forEach((_, t) => {
      labelMask[b * tasks.length + t] = sample.views[0]!.labels[t] ? 1 : 0;
    });
  });
  const views = first.views.map((_, view): PackedView => {
    const images = new Float32Array(batchSize * pixels);
    const labels = tasks.map((task) => new Float32Array(batchSize * labelSizeOf(task, height, width)));
    samples.forEach((sample, b) => {
      const prepared = sample.views[view]!;
      images.set(prepared.image, b * pixels);
      tasks.forEach((task, t) => {
        const size = labelSizeOf(task, height, width);
        const label = prepared.labels[t];
        if (label) labels[t]!.set(label, b * size);
        else labels[t]!.fill(fillValueOf(task), b * size, (b + 1) * size);
      });
    });
    return { images, labels };
  });
  return { indices: samples.map((sample) => sample.index), height, width, labelMask, views };
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
