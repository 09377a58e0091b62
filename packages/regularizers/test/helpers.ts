// Test helpers: building batches and regularizer inputs from plain arrays.

import {
  defineTasks,
  enableWasmTraining,
  type NetworkOutput,
  RandomSource,
  type RegularizerInput,
  type TaskBatch,
  type TaskSpec,
} from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * cpu backend plus core's Conv2D gradient written as forward convolutions (registered by enableWasmTraining and
 * used on cpu too; core tests it against the stock kernels): the stock cpu filter gradient is ~30× slower.
 */
export async function useCpuWithFastConvGradients(): Promise<void> {
  await useCpu();
  enableWasmTraining();
}

export function makeBatch(
  taskNames: readonly string[],
  labels: Record<string, tf.Tensor>,
  labelMask: number[][],
  images?: tf.Tensor4D,
  views?: TaskBatch[],
): TaskBatch {
  const batchSize = labelMask.length;
  return {
    images: images ?? tf.zeros([batchSize, 4, 4, 3]),
    labels,
    labelMask: tf.tensor2d(labelMask),
    taskNames,
    indices: labelMask.map((_, i) => i),
    ...(views ? { views } : {}),
  };
}

export function makeInput(
  tasks: readonly TaskSpec[],
  batch: TaskBatch,
  output: NetworkOutput,
  viewOutputs: NetworkOutput[] = [],
  seed = 1,
): RegularizerInput {
  return { tasks, batch, output, viewOutputs, random: new RandomSource(seed), step: 0, epoch: 0 };
}

/** Deterministic pseudo-random values in [-1, 1) from an index (no RNG state). */
export function fixedValues(count: number, salt = 0): number[] {
  return Array.from({ length: count }, (_, i) => Math.sin(12.9898 * (i + 1) + 78.233 * (salt + 1)) * 0.999);
}

/** Small task sets for tests that only create regularizers: three dense tasks, and a class → attribute pair with R. */
export const creationFixtures = {
  denseTasks: defineTasks([
    { name: 'depth', kind: 'depth', channels: 1 },
    { name: 'normal', kind: 'normals', channels: 3 },
    { name: 'semseg', kind: 'segmentation', channels: 4 },
  ]),
  affectTasks: defineTasks([
    { name: 'expression', kind: 'multiclass', channels: 4 },
    { name: 'actionUnits', kind: 'multilabel', channels: 3 },
  ]),
  relatedness: [
    [1, 0.5, 0],
    [0.2, 0, 0],
    [0, 1, 0.5],
    [0, 0, 1],
  ],
};
