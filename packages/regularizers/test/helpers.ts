// Test helpers: building batches and regularizer inputs from plain arrays.
import * as tf from '@tensorflow/tfjs';
import { type NetworkOutput, RandomSource, type RegularizerInput, type TaskBatch, type TaskSpec } from '@partial-mtl/core';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
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
