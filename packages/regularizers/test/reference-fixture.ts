// Shared by the tests that compare a regularizer with its PyTorch reference (reference/*_reference.py): reading a
// fixture, and the error measure.

import { readFileSync } from 'node:fs';
import { defineTasks, type TaskBatch } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** A fixture of test/fixtures, parsed; its shape is the caller's to declare. */
export function readReferenceFixture<T>(fileName: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${fileName}`, import.meta.url), 'utf8')) as T;
}

/**
 * Largest |actual − expected| over the largest |expected|: a relative error for a whole tensor. A tensor that is zero
 * in exact arithmetic (a conv bias before batch norm: ~1e-17 in the float64 reference, ~1e-8 in float32; a masked
 * entry) is returned as its largest |actual| instead.
 */
export function relativeError(actual: ArrayLike<number>, expected: readonly number[]): number {
  expect(actual.length).toBe(expected.length);
  let difference = 0;
  let scale = 0;
  let largest = 0;
  for (let i = 0; i < expected.length; i++) {
    difference = Math.max(difference, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
    largest = Math.max(largest, Math.abs(actual[i]!));
  }
  return scale < 1e-9 ? largest : difference / scale;
}

/** What the dense fixtures (JTR, pairwise) say about their batch. */
export interface DenseReferenceGrid {
  readonly batchSize: number;
  readonly height: number;
  readonly width: number;
  readonly classes: number;
  readonly labelMask: number[][];
}

/**
 * The dense fixtures' setting: tasks semseg (`classes` classes, ignore −1), depth (ignore 0) and normals; channels
 * per task of predictions and of labels; `map` makes an NHWC [B, H, W, C] tensor of a flat list, `batch` a batch of
 * label maps with the fixture's label mask.
 */
export function denseReferenceSetting(grid: DenseReferenceGrid) {
  const tasks = defineTasks([
    { name: 'semseg', kind: 'segmentation', channels: grid.classes, ignoreValue: -1 },
    { name: 'depth', kind: 'depth', channels: 1, ignoreValue: 0 },
    { name: 'normal', kind: 'normals', channels: 3, ignoreValue: 0 },
  ]);
  const predictionChannels: Record<string, number> = { semseg: grid.classes, depth: 1, normal: 3 };
  const labelChannels: Record<string, number> = { semseg: 1, depth: 1, normal: 3 };
  const map = (values: number[], channels: number): tf.Tensor4D =>
    tf.tensor4d(values, [grid.batchSize, grid.height, grid.width, channels]);
  const batch = (labels: Record<string, tf.Tensor>): TaskBatch => ({
    images: tf.zeros([grid.batchSize, grid.height, grid.width, 3]),
    labels,
    labelMask: tf.tensor2d(grid.labelMask),
    taskNames: tasks.map((task) => task.name),
    indices: grid.labelMask.map((_, i) => i),
  });
  return { tasks, predictionChannels, labelChannels, map, batch };
}
