// Wraps a packed batch (pack-batch.ts) into a core TaskBatch on the main thread: images [B, H, W, 3]; a label
// tensor for every task (dense [B, H, W, C] with C = 1 for segmentation, multiclass [B, 1], multilabel [B, M]);
// labelMask [B, T]; each extra view as a nested TaskBatch with its own geometric labels and the same mask.

import { isDenseTask, type TaskBatch, type TaskSpec } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { type PackedBatch, type PackedView, packBatch } from './pack-batch.js';
import type { PreparedSample } from './prepare-sample.js';

/** Label tensor shape of a task for a batch. */
export function labelShapeOf(task: TaskSpec, batchSize: number, height: number, width: number): number[] {
  if (isDenseTask(task)) return [batchSize, height, width, task.kind === 'segmentation' ? 1 : task.channels];
  return [batchSize, task.kind === 'multiclass' ? 1 : task.channels];
}

function viewBatch(batch: PackedBatch, view: PackedView, tasks: readonly TaskSpec[]): TaskBatch {
  const { height, width } = batch;
  const batchSize = batch.indices.length;
  const labels: Record<string, tf.Tensor> = {};
  tasks.forEach((task, t) => {
    labels[task.name] = tf.tensor(view.labels[t]!, labelShapeOf(task, batchSize, height, width), 'float32');
  });
  return {
    images: tf.tensor4d(view.images, [batchSize, height, width, 3], 'float32'),
    labels,
    labelMask: tf.tensor2d(batch.labelMask, [batchSize, tasks.length], 'float32'),
    taskNames: tasks.map((task) => task.name),
    indices: [...batch.indices],
  };
}

/** A TaskBatch of a packed batch (with `views` when it has extra views). The caller disposes it (`disposeBatch`). */
export function batchTensors(batch: PackedBatch, tasks: readonly TaskSpec[]): TaskBatch {
  const [first, ...extra] = batch.views;
  if (!first) throw new Error('batch: no views');
  const main = viewBatch(batch, first, tasks);
  if (extra.length === 0) return main;
  return { ...main, views: extra.map((view) => viewBatch(batch, view, tasks)) };
}

/** Packs prepared samples and wraps them as tensors (main-thread path). */
export function assembleBatch(samples: readonly PreparedSample[], tasks: readonly TaskSpec[]): TaskBatch {
  return batchTensors(packBatch(samples, tasks), tasks);
}
