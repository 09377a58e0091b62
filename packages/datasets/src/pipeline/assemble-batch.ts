// Builds a core TaskBatch from prepared samples on the main thread: images [B, H, W, 3]; a label tensor for every
// task, the task's ignore value where a sample is unlabelled (−1 segmentation/multiclass/multilabel, 0 depth and
// normals, 0 for kinds without one); labelMask [B, T] in task order; each extra view as a nested TaskBatch.
import * as tf from '@tensorflow/tfjs';
import { type TaskBatch, type TaskSpec, ignoreValueOf, isDenseTask } from '@partial-mtl/core';
import { type PreparedSample, labelSizeOf } from './prepare-sample.js';

/** The value an unlabelled sample's label is filled with. */
export function fillValueOf(task: TaskSpec): number {
  return ignoreValueOf(task) ?? (task.kind === 'multiclass' ? -1 : 0);
}

/** Label tensor shape of a task for a batch. */
export function labelShapeOf(task: TaskSpec, batchSize: number, height: number, width: number): number[] {
  if (isDenseTask(task)) return [batchSize, height, width, task.kind === 'segmentation' ? 1 : task.channels];
  return [batchSize, task.kind === 'multiclass' ? 1 : task.channels];
}

function assembleView(samples: readonly PreparedSample[], tasks: readonly TaskSpec[], view: number): TaskBatch {
  const first = samples[0]!;
  const { height, width } = first;
  const batchSize = samples.length;
  const pixels = height * width * 3;
  const images = new Float32Array(batchSize * pixels);
  const labelArrays = tasks.map((task) => new Float32Array(batchSize * labelSizeOf(task, height, width)));
  const mask = new Float32Array(batchSize * tasks.length);
  samples.forEach((sample, b) => {
    if (sample.height !== height || sample.width !== width) {
      throw new Error(
        `batch: sample ${sample.index} is ${sample.height}×${sample.width} but sample ${first.index} is ${height}×${width}; all samples of a batch need one size`,
      );
    }
    const prepared = sample.views[view]!;
    images.set(prepared.image, b * pixels);
    tasks.forEach((task, t) => {
      const size = labelSizeOf(task, height, width);
      const label = prepared.labels[t];
      if (label) {
        labelArrays[t]!.set(label, b * size);
        mask[b * tasks.length + t] = 1;
      } else {
        labelArrays[t]!.fill(fillValueOf(task), b * size, (b + 1) * size);
      }
    });
  });
  const labels: Record<string, tf.Tensor> = {};
  tasks.forEach((task, t) => {
    labels[task.name] = tf.tensor(labelArrays[t]!, labelShapeOf(task, batchSize, height, width), 'float32');
  });
  return {
    images: tf.tensor4d(images, [batchSize, height, width, 3], 'float32'),
    labels,
    labelMask: tf.tensor2d(mask, [batchSize, tasks.length], 'float32'),
    taskNames: tasks.map((task) => task.name),
    indices: samples.map((sample) => sample.index),
  };
}

/** A TaskBatch (with `views` when the samples carry extra views). The caller disposes it (`disposeBatch`). */
export function assembleBatch(samples: readonly PreparedSample[], tasks: readonly TaskSpec[]): TaskBatch {
  if (samples.length === 0) throw new Error('batch: no samples');
  const viewCount = samples[0]!.views.length;
  const main = assembleView(samples, tasks, 0);
  if (viewCount === 1) return main;
  const views: TaskBatch[] = [];
  for (let view = 1; view < viewCount; view++) views.push(assembleView(samples, tasks, view));
  return { ...main, views };
}
