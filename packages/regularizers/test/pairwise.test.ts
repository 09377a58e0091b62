import { defineTasks, RandomSource } from '@partial-mtl/core';
import { segnetChannels } from '@partial-mtl/models';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  consistencyWeightAt,
  cosineDistancePerSample,
  createPairwiseConsistency,
  createRegularizer,
  mappingStageRepeats,
  pairIndex,
  pairwiseDefaults,
  prepareLabel,
  preparePrediction,
  samplePairs,
} from '../src/index.js';
import { fixedValues, makeBatch, makeInput, useCpuWithFastConvGradients } from './helpers.js';

beforeAll(useCpuWithFastConvGradients);

describe('pairwise pair index and preparation', () => {
  it('k(s, t) is row-major over the grid without its diagonal (T = 3)', () => {
    const expected: Array<[number, number, number]> = [
      [0, 1, 0],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 3],
      [2, 0, 4],
      [2, 1, 5],
    ];
    for (const [s, t, k] of expected) expect(pairIndex(s, t, 3)).toBe(k);
    expect(() => pairIndex(1, 1, 3)).toThrow();
  });

  it('pairs are (unlabelled source, labelled target), or all ordered pairs in full-label mode', () => {
    expect(samplePairs([1, 0, 0], 'partial')).toEqual([
      [1, 0],
      [2, 0],
    ]);
    expect(samplePairs([1, 1, 1], 'partial')).toEqual([]);
    expect(samplePairs([1, 1, 0], 'all')).toHaveLength(6);
  });

  it('FiLM tables total 2 · 4224 · T(T − 1) parameters at width 1 (50,688 for NYU)', () => {
    const channels = segnetChannels(1);
    const totalOut = mappingStageRepeats.reduce((sum, repeats, stage) => sum + repeats * channels[stage]!, 0);
    expect(totalOut).toBe(4224);
    const tasks = defineTasks([
      { name: 'depth', kind: 'depth', channels: 1 },
      { name: 'normal', kind: 'normals', channels: 3 },
      { name: 'height', kind: 'regression', channels: 1 },
    ]);
    const regularizer = createPairwiseConsistency({ tasks, widthMultiplier: 0.125 });
    const film = regularizer.variableGroups()[1]!;
    const small = segnetChannels(0.125);
    const smallOut = mappingStageRepeats.reduce((sum, repeats, stage) => sum + repeats * small[stage]!, 0);
    expect(film.variables.reduce((sum, v) => sum + v.size, 0)).toBe(2 * smallOut * 6);
    expect(film).toMatchObject({
      name: 'pairwise-film',
      learningRate: 1e-3,
      schedule: { stepSize: 30, gamma: 0.5 },
    });
    expect(regularizer.variableGroups()[0]).toMatchObject({
      learningRate: 1e-4,
      schedule: { stepSize: 100, gamma: 0.5 },
    });
    expect(film.variables.every((v) => v.name.includes('gamma') || v.name.includes('beta'))).toBe(true);
    regularizer.dispose();
  });

  it('prepPred and prepGT match hand values', () => {
    const depthTask = defineTasks([{ name: 'depth', kind: 'depth', channels: 1 }])[0]!;
    const normalTask = defineTasks([{ name: 'normal', kind: 'normals', channels: 3 }])[0]!;
    const segTask = defineTasks([{ name: 'semseg', kind: 'segmentation', channels: 3 }])[0]!;
    const depth = tf.tensor4d([1, 2, 4, -1, 0.5, 0.25], [2, 1, 3, 1]);
    const prepared = Array.from(preparePrediction(depthTask, depth, new RandomSource(0)).dataSync());
    [0.25, 0.5, 1, -2, 1, 0.5].forEach((v, i) => {
      expect(prepared[i]).toBeCloseTo(v, 6);
    });
    expect(Array.from(prepareLabel(depthTask, tf.tensor4d([0, 2, 4], [1, 1, 3, 1])).dataSync())).toEqual([
      0, 0.5, 1,
    ]);
    expect(Array.from(prepareLabel(normalTask, tf.tensor4d([0, -1, 1], [1, 1, 1, 3])).dataSync())).toEqual([
      0.5, 0, 1,
    ]);
    expect(Array.from(prepareLabel(segTask, tf.tensor4d([2, -1], [1, 1, 2, 1])).dataSync())).toEqual([
      0, 0, 1, 0, 0, 0,
    ]);
    const sample = Array.from(
      preparePrediction(
        segTask,
        tf.tensor4d([5, 0, 0, 0, 0, 9], [1, 1, 2, 3]),
        new RandomSource(1),
      ).dataSync(),
    );
    expect(sample.filter((v) => Math.abs(v - 1) < 1e-6)).toHaveLength(2);
  });
});

const size = 32;
const tasks = defineTasks([
  { name: 'depth', kind: 'depth', channels: 1 },
  { name: 'normal', kind: 'normals', channels: 3 },
  { name: 'height', kind: 'regression', channels: 1 },
]);

function pairwiseInput(
  labelMask: number[][],
  width: number,
  overrides?: { predictions?: Record<string, tf.Tensor>; bottleneck?: tf.Tensor4D },
) {
  const batchSize = labelMask.length;
  const pixels = batchSize * size * size;
  const labels: Record<string, tf.Tensor> = {};
  const predictions: Record<string, tf.Tensor> = {};
  tasks.forEach((task, index) => {
    labels[task.name] = tf.tensor4d(
      fixedValues(pixels * task.channels, index + 20).map((v) => 1.5 + v),
      [batchSize, size, size, task.channels],
    );
    predictions[task.name] = tf.tensor4d(fixedValues(pixels * task.channels, index + 40), [
      batchSize,
      size,
      size,
      task.channels,
    ]);
  });
  const channels = segnetChannels(width);
  const bottleneck =
    overrides?.bottleneck ??
    tf.tensor4d(fixedValues(batchSize * channels[4]!, 60), [batchSize, 1, 1, channels[4]!]);
  const names = tasks.map((t) => t.name);
  const view = makeBatch(names, labels, labelMask);
  const batch = { ...makeBatch(names, labels, labelMask), views: [view] };
  const output = { predictions: overrides?.predictions ?? predictions, features: { bottleneck } };
  return makeInput(tasks, batch, output, [output], 5);
}

describe('pairwise regularizer', () => {
  const labelMask = [
    [1, 0, 0],
    [0, 1, 1],
  ];

  it('equals λ/B · Σ_pairs [D(ms, mt) + 0.5 (D(ms, f) + D(mt, f))] with the mapping applied by hand', () => {
    const regularizer = createPairwiseConsistency({ tasks, widthMultiplier: 0.125, seed: 3 });
    const input = pairwiseInput(labelMask, 0.125);
    const before = tf.memory().numTensors;
    const { loss, parts } = regularizer.loss(input);
    const value = loss.dataSync()[0]!;
    expect(parts.pairs!.dataSync()[0]).toBe(4);
    tf.dispose([loss, ...Object.values(parts)]);
    expect(tf.memory().numTensors).toBe(before);
    const expected = tf.tidy(() => {
      const view = input.batch.views![0]!;
      const f = input.viewOutputs[0]!.features.bottleneck!;
      let total = 0;
      const pairs: Array<[number, number, number]> = [
        [0, 1, 0],
        [0, 2, 0],
        [1, 0, 1],
        [1, 0, 2],
      ]; // [sample, source, target]
      for (const [sample, s, t] of pairs) {
        const take = (x: tf.Tensor) => tf.slice(x, [sample], [1]);
        const source = tasks[s]!;
        const target = tasks[t]!;
        const k = pairIndex(s, t, 3);
        const ms = regularizer.mappingNetwork.apply(
          preparePrediction(
            source,
            take(input.viewOutputs[0]!.predictions[source.name]!),
            new RandomSource(0),
          ),
          s,
          k,
        );
        const mt = regularizer.mappingNetwork.apply(
          prepareLabel(target, take(view.labels[target.name]!)),
          t,
          k,
        );
        const anchor = take(f);
        const d = (a: tf.Tensor, b: tf.Tensor) => cosineDistancePerSample(a, b).dataSync()[0]!;
        total += d(ms, mt) + 0.5 * (d(ms, anchor) + d(mt, anchor));
      }
      return (2 * total) / 2;
    });
    expect(value).toBeCloseTo(expected, 4);
    // Clean mode batches each pair over its samples; here every pair has one sample, so values agree.
    const clean = createRegularizer('pairwise', { tasks, widthMultiplier: 0.125, seed: 3, mode: 'clean' });
    expect(clean.loss(input).loss.dataSync()[0]).toBeCloseTo(value, 4);
    clean.dispose();
    regularizer.dispose();
  });

  it('gradient flow: anchor detached, labels constant, source heads and the mapping net get gradient', () => {
    const regularizer = createPairwiseConsistency({ tasks, widthMultiplier: 0.125, seed: 6 });
    const base = pairwiseInput([[1, 0, 0]], 0.125);
    const depth = tf.variable(base.viewOutputs[0]!.predictions.depth!, true, 'pw-depth');
    const normal = tf.variable(base.viewOutputs[0]!.predictions.normal!, true, 'pw-normal');
    const height = tf.variable(base.viewOutputs[0]!.predictions.height!, true, 'pw-height');
    const bottleneck = tf.variable(base.viewOutputs[0]!.features.bottleneck!, true, 'pw-bottleneck');
    const input = pairwiseInput([[1, 0, 0]], 0.125, {
      predictions: { depth, normal, height },
      bottleneck: bottleneck as tf.Tensor4D,
    });
    const groups = regularizer.variableGroups();
    const mappingVariables = [...groups[0]!.variables, ...groups[1]!.variables];
    const { grads } = tf.variableGrads(
      () => regularizer.loss(input).loss,
      [depth, normal, height, bottleneck, ...mappingVariables],
    );
    expect(grads[bottleneck.name]).toBeUndefined(); // anchor detached
    expect(grads[depth.name]).toBeUndefined(); // labelled task: only its (constant) label is used
    const nonZero = (g: tf.Tensor | undefined) =>
      g !== undefined && tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!) > 0;
    expect(nonZero(grads[normal.name])).toBe(true);
    expect(nonZero(grads[height.name])).toBe(true);
    expect(groups[1]!.variables.some((v) => nonZero(grads[v.name]))).toBe(true); // FiLM tables
    expect(groups[0]!.variables.some((v) => nonZero(grads[v.name]))).toBe(true); // stems and convs
    tf.dispose(Object.values(grads));
    regularizer.dispose();
  });

  it('gives zero without unlabelled tasks, checks the anchor shape, ramps λ up', () => {
    const regularizer = createPairwiseConsistency({ tasks, widthMultiplier: 0.125 });
    expect(regularizer.loss(pairwiseInput([[1, 1, 1]], 0.125)).loss.dataSync()[0]).toBe(0);
    const mismatched = pairwiseInput([[1, 0, 0]], 0.25);
    expect(() => regularizer.loss(mismatched)).toThrow(/widthMultiplier/);
    expect(
      consistencyWeightAt({ ...pairwiseDefaults, rampUp: 'up', iterationsPerEpoch: 10 }, 49, 5),
    ).toBeCloseTo(2 * 0.495, 6);
    expect(() =>
      createPairwiseConsistency({
        tasks: defineTasks([{ name: 'c', kind: 'multiclass', channels: 2 }, tasks[0]!]),
      }),
    ).toThrow(/at least 2 dense tasks/);
    regularizer.dispose();
  });
});
