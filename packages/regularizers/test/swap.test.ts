// The one-argument swap: the same tiny training script (a SegNet from the models package, a few SGD steps on tiny
// random data with partial labels) runs with each regularizer by changing only its name. On the wasm backend the same
// script gives cpu's losses: a wasm kernel that misbehaves on a regularizer's path (as OneHot's dtype did) shows here.

import {
  defineTasks,
  enableWasmTraining,
  type NetworkOutput,
  RandomSource,
  type TaskBatch,
} from '@partial-mtl/core';
import { createMultiTaskNetwork, supervisedLoss } from '@partial-mtl/models';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRegularizer, type RegularizerName } from '../src/index.js';
import { useCpuWithFastConvGradients } from './helpers.js';

beforeAll(useCpuWithFastConvGradients);

const tasks = defineTasks([
  { name: 'semseg', kind: 'segmentation', channels: 3 },
  { name: 'depth', kind: 'depth', channels: 1 },
  { name: 'scene', kind: 'multiclass', channels: 2 },
  { name: 'tags', kind: 'multilabel', channels: 2 },
]);
const batchSize = 1;
const size = 32;
/** All SegNet stages at 8 channels (max(8, floor(c/64))): the cpu backend's conv filter gradient is slow. */
const widthMultiplier = 1 / 64;

function makeBatch(random: RandomSource, labelMask: number[][], withViews: number): TaskBatch {
  const seed = random.tfSeed();
  const labelled = (t: number) => labelMask.map((row) => row[t]!);
  const perPixel = (t: number, value: (b: number) => number) =>
    tf.tensor4d(
      Array.from({ length: batchSize * size * size }, (_, i) =>
        labelled(t)[Math.floor(i / (size * size))]! ? value(i) : t === 1 ? 0 : -1,
      ),
      [batchSize, size, size, 1],
    );
  const base = {
    labels: {
      semseg: perPixel(0, (i) => (i * 7) % 3),
      depth: perPixel(1, (i) => 1 + ((i * 13) % 17) / 10),
      scene: tf.tensor2d(labelMask.map((row, b) => [row[2] ? b % 2 : -1])),
      tags: tf.tensor2d(labelMask.map((row, b) => (row[3] ? [b % 2, 1] : [-1, -1]))),
    },
    labelMask: tf.tensor2d(labelMask),
    taskNames: tasks.map((t) => t.name),
    indices: labelMask.map((_, i) => i),
  };
  const view = (offset: number): TaskBatch => ({
    ...base,
    images: tf.randomUniform([batchSize, size, size, 3], 0, 1, 'float32', seed + offset) as tf.Tensor4D,
    labels: Object.fromEntries(Object.entries(base.labels).map(([k, v]) => [k, tf.clone(v)])) as Record<
      string,
      tf.Tensor
    >,
    labelMask: tf.clone(base.labelMask),
  });
  const batch = { ...view(0), views: Array.from({ length: withViews }, (_, i) => view(i + 1)) };
  tf.dispose([base.labelMask, ...Object.values(base.labels)]);
  return batch;
}

function sliceOutput(output: NetworkOutput, index: number): NetworkOutput {
  const take = <T extends tf.Tensor>(x: T) => tf.slice(x, [index * batchSize], [batchSize]) as T;
  return {
    predictions: Object.fromEntries(Object.entries(output.predictions).map(([k, v]) => [k, take(v)])),
    features: output.features.bottleneck ? { bottleneck: take(output.features.bottleneck) } : {},
  };
}

/** The training script: only `name` changes between runs (`stages`: SegNet stages, and pairwise's mapping network's). */
function train(name: RegularizerName, steps: number, stages = 5) {
  const network = createMultiTaskNetwork({
    backbone: 'segnet',
    tasks,
    widthMultiplier,
    seed: 0,
    backboneOptions: { stages },
  });
  const regularizer = createRegularizer(name, {
    tasks,
    seed: 0,
    widthMultiplier,
    stages,
    relatedness: [
      [1, 0.2],
      [0.1, 0.9],
    ],
  });
  const optimizer = tf.train.sgd(1e-2);
  const random = new RandomSource(7);
  const variables = [
    ...network.sharedVariables,
    ...Object.values(network.taskVariables).flat(),
    ...regularizer.variableGroups().flatMap((group) => [...group.variables]),
  ];
  const regularizerVariable = regularizer.variableGroups()[0]?.variables[0];
  const initial = regularizerVariable ? regularizerVariable.dataSync().slice() : undefined;
  const losses: number[] = [];
  const tensorCounts: number[] = [];
  for (let step = 0; step < steps; step++) {
    // Segmentation and the class labelled, depth and the tags not: every regularizer has work to do.
    const batch = makeBatch(random, [[1, 0, 1, 0]], regularizer.viewsNeeded);
    const { value, grads } = tf.variableGrads(() => {
      const images = tf.concat([batch.images, ...(batch.views ?? []).map((view) => view.images)]);
      const output = network.apply(images as tf.Tensor4D, { training: true });
      const viewOutputs = (batch.views ?? []).map((_, i) => sliceOutput(output, i + 1));
      const first = sliceOutput(output, 0);
      const supervised = supervisedLoss(tasks, first, batch).loss;
      const regularization = regularizer.loss({
        tasks,
        batch,
        output: first,
        viewOutputs,
        random,
        step,
        epoch: 0,
      }).loss;
      return tf.add(supervised, regularization) as tf.Scalar;
    }, variables);
    optimizer.applyGradients(grads as tf.NamedTensorMap as Parameters<typeof optimizer.applyGradients>[0]);
    losses.push(value.dataSync()[0]!);
    tf.dispose([value, ...Object.values(grads)]);
    for (const view of batch.views ?? [])
      tf.dispose([view.images, view.labelMask, ...Object.values(view.labels)]);
    tf.dispose([batch.images, batch.labelMask, ...Object.values(batch.labels)]);
    tensorCounts.push(tf.memory().numTensors);
  }
  const regularizerMoved =
    regularizerVariable && initial
      ? regularizerVariable.dataSync().some((v, i) => v !== initial[i])
      : undefined;
  optimizer.dispose();
  network.dispose();
  regularizer.dispose();
  return { losses, tensorCounts, regularizerMoved };
}

describe('one-argument swap', () => {
  for (const name of ['none', 'jtr', 'pairwise', 'distribution-matching', 'consistency'] as const) {
    it(`trains with '${name}'`, () => {
      const { losses, tensorCounts, regularizerMoved } = train(name, 2);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(tensorCounts[1]).toBe(tensorCounts[0]); // no leak per step
      if (name === 'jtr' || name === 'pairwise') expect(regularizerMoved).toBe(true);
    });
  }
});

describe('the same script on wasm', () => {
  // Two SegNet stages (an 8×8 bottleneck): with five, pairwise's faithful mapping batch-normalises 2×2 values of one
  // image, and its gradient changes by ~0.2 % when the depth prediction moves by 1e-5, so float32 rounding differences
  // between backends grow to several per cent in one SGD step. Measured with identical inputs on both backends, that
  // gradient agreed to 0.1 %.
  for (const name of ['none', 'jtr', 'pairwise', 'distribution-matching', 'consistency'] as const) {
    it(`gives cpu's losses with '${name}'`, async () => {
      await useCpuWithFastConvGradients();
      const onCpu = train(name, 2, 2).losses;
      expect(await tf.setBackend('wasm')).toBe(true);
      enableWasmTraining();
      try {
        const onWasm = train(name, 2, 2).losses;
        for (let step = 0; step < onCpu.length; step++)
          expect(Math.abs(onWasm[step]! - onCpu[step]!)).toBeLessThan(
            1e-3 * Math.max(1, Math.abs(onCpu[step]!)),
          );
      } finally {
        await useCpuWithFastConvGradients();
      }
    });
  }
});
