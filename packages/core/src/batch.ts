// The data path's shared shapes: a decoded sample, a source of samples, and a batch of tensors that carries the
// per-sample label mask, so every loss, regularizer and metric knows which tasks each sample is labelled for.
import type * as tf from '@tensorflow/tfjs';
import type { TaskSpec } from './tasks.js';

/** Typed-array storage of one array, row-major with its shape. */
export type ArrayData = Float32Array | Int32Array | Uint8Array;

export interface DenseArray {
  readonly data: ArrayData;
  /** e.g. [H, W, C] for an image, [H, W] for a label map, [C] for a class vector. */
  readonly shape: readonly number[];
}

/** One decoded sample: an image and the labels it has. Unlabelled tasks are absent from `labels`. */
export interface Sample {
  /** Index of the sample in its data set (row of the split table). */
  readonly index: number;
  /** Image, HWC float32 in [0, 1]. */
  readonly image: DenseArray;
  /**
   * Labels by task name. Segmentation: [H, W] class ids (ignore -1); depth: [H, W, 1]; normals: [H, W, 3];
   * multiclass: [1] class id; multilabel: [M] 0/1 with -1 where the label is not annotated.
   */
  readonly labels: Readonly<Record<string, DenseArray>>;
}

/** Random access to the samples of a data set. Implementations read lazily from disk or render on demand. */
export interface SampleSource {
  readonly tasks: readonly TaskSpec[];
  readonly length: number;
  read(index: number): Promise<Sample>;
}

/**
 * A batch ready for a training step. All tensors are owned by the batch: call `disposeBatch` when done.
 * Every task in `tasks` has a label tensor; where a sample is unlabelled for a task its label entries hold the
 * task's ignore value and its `labelMask` entry is 0.
 */
export interface TaskBatch {
  /** [B, H, W, 3] float32. */
  readonly images: tf.Tensor4D;
  /**
   * Labels by task name, float32: dense tasks [B, H, W, C] (segmentation: C = 1 holding class ids, −1 = ignore;
   * depth [B, H, W, 1], 0 = invalid; normals [B, H, W, 3], 0 = invalid); multiclass [B, 1] class id (−1 = absent);
   * multilabel [B, M] 0/1 with −1 where a label is not annotated.
   */
  readonly labels: Readonly<Record<string, tf.Tensor>>;
  /** [B, T] float32, 1 where sample b is labelled for task t (task order of the data set). */
  readonly labelMask: tf.Tensor2D;
  /** Task names in column order of `labelMask`. */
  readonly taskNames: readonly string[];
  /** Indices of the samples in their data set. */
  readonly indices: readonly number[];
  /** Extra augmented views of the same samples (MTPSL uses 1, JTR 2), each with its own geometric labels. */
  readonly views?: readonly TaskBatch[];
}

/** Frees every tensor of a batch, views included. */
export function disposeBatch(batch: TaskBatch): void {
  batch.images.dispose();
  batch.labelMask.dispose();
  for (const label of Object.values(batch.labels)) label.dispose();
  for (const view of batch.views ?? []) disposeBatch(view);
}

/** Column of the label mask for one task, [B] (a new tensor; the caller disposes it). */
export function labelMaskColumn(batch: TaskBatch, task: string, ops: typeof tf): tf.Tensor1D {
  const column = batch.taskNames.indexOf(task);
  if (column < 0) throw new Error(`batch has no task '${task}' (tasks: ${batch.taskNames.join(', ')})`);
  return ops.tidy(() => ops.squeeze(ops.slice(batch.labelMask, [0, column], [-1, 1]), [1]) as tf.Tensor1D);
}
