import { defineTasks, enableWasmTraining, RandomSource, selectBackend } from '@partial-mtl/core';
import { segnetChannels } from '@partial-mtl/models';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  consistencyWeightAt,
  cosineDistancePerSample,
  createPairwiseConsistency,
  createRegularizer,
  crossSampleSimilarity,
  mappingCollapseReport,
  mappingStageRepeats,
  pairIndex,
  pairwiseDefaults,
  prepareLabel,
  preparePrediction,
  samplePairs,
  singlePositionWarning,
} from '../src/index.js';
import { takeSamples } from '../src/pairwise.js';
import {
  creationFixtures,
  fixedValues,
  makeBatch,
  makeInput,
  useCpuWithFastConvGradients,
} from './helpers.js';

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
    // Sources limited to task 1: only (1, 0) of the two partial pairs; in full-label mode (1, 0) and (1, 2).
    expect(samplePairs([1, 0, 0], 'partial', (task) => task === 1)).toEqual([[1, 0]]);
    expect(samplePairs([1, 1, 0], 'all', (task) => task === 1)).toEqual([
      [1, 0],
      [1, 2],
    ]);
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
    // The softmax extension: the class probabilities, by hand.
    const soft = Array.from(
      preparePrediction(
        segTask,
        tf.tensor4d([5, 0, 0, 0, 0, 9], [1, 1, 2, 3]),
        new RandomSource(1),
        'softmax',
      ).dataSync(),
    );
    const first = [Math.exp(5), 1, 1].map((v) => v / (Math.exp(5) + 2));
    const second = [1, 1, Math.exp(9)].map((v) => v / (Math.exp(9) + 2));
    [...first, ...second].forEach((v, i) => {
      expect(soft[i]).toBeCloseTo(v, 6);
    });
  });

  it("segmentationPrediction: 'softmax' takes no Gumbel draw; the default does", () => {
    tf.engine().startScope(); // the fixtures below are freed at endScope
    const segTasks = defineTasks([
      { name: 'semseg', kind: 'segmentation', channels: 3 },
      { name: 'depth', kind: 'depth', channels: 1 },
    ]);
    const names = segTasks.map((task) => task.name);
    const labels = {
      semseg: tf.tensor4d([0, 1, 2, -1, 2, 1, 0, 0], [2, 2, 2, 1]),
      depth: tf.tensor4d([1, 2, 3, 4, 2, 2, 1, 3], [2, 2, 2, 1]),
    };
    const predictions = {
      semseg: tf.tensor4d(fixedValues(24, 7), [2, 2, 2, 3]),
      depth: tf.tensor4d(fixedValues(8, 8), [2, 2, 2, 1]),
    };
    const mask = [
      [0, 1],
      [0, 1],
    ]; // segmentation unlabelled: it is the source of both pairs
    const bottleneck = tf.tensor4d(fixedValues(2 * 8, 9), [2, 1, 1, 8]);
    const view = makeBatch(names, labels, mask);
    const output = { predictions, features: { bottleneck } };
    const lossWith = (segmentationPrediction: 'softmax' | 'straight-through-gumbel', seed: number) => {
      const regularizer = createPairwiseConsistency({
        tasks: segTasks,
        widthMultiplier: 0.125,
        stages: 1,
        seed: 3,
        segmentationPrediction,
        warn: () => {},
      });
      const input = makeInput(
        segTasks,
        { ...makeBatch(names, labels, mask), views: [view] },
        output,
        [output],
        seed,
      );
      const { loss, parts } = regularizer.loss(input);
      const value = loss.dataSync()[0]!;
      tf.dispose([loss, ...Object.values(parts)]);
      regularizer.dispose();
      return value;
    };
    expect(lossWith('softmax', 1)).toBe(lossWith('softmax', 2));
    const drawn = [1, 2, 3, 4].map((seed) => lossWith('straight-through-gumbel', seed));
    expect(new Set(drawn).size).toBeGreaterThan(1);
    tf.engine().endScope();
  });
});

const size = 32;
const labelMaskTwoRows = [
  [1, 0, 0],
  [0, 1, 1],
];
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
    const anchorSimilarity = parts.anchorSimilarity!.dataSync()[0]!;
    const mappedSimilarity = parts.mappedSimilarity!.dataSync()[0]!;
    tf.dispose([loss, ...Object.values(parts)]);
    expect(tf.memory().numTensors).toBe(before);
    const mappedLabels: number[][] = [];
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
        mappedLabels.push(Array.from(mt.dataSync()));
      }
      return (2 * total) / 2;
    });
    expect(value).toBeCloseTo(expected, 4);
    // The collapse diagnostics: mean cosine over pairs of samples (and positions) of the anchors and mapped labels.
    const cosine = (a: readonly number[], b: readonly number[]) => {
      const dot = a.reduce((sum, v, i) => sum + v * b[i]!, 0);
      return dot / Math.sqrt(a.reduce((sum, v) => sum + v * v, 0) * b.reduce((sum, v) => sum + v * v, 0));
    };
    const meanOffDiagonal = (rows: readonly (readonly number[])[]) => {
      let sum = 0;
      for (let i = 0; i < rows.length; i++)
        for (let j = 0; j < rows.length; j++) if (i !== j) sum += cosine(rows[i]!, rows[j]!);
      return sum / (rows.length * (rows.length - 1));
    };
    const flatAnchors = input.viewOutputs[0]!.features.bottleneck!.reshape([2, -1]) as tf.Tensor2D;
    const anchorRows = flatAnchors.arraySync();
    flatAnchors.dispose();
    expect(anchorSimilarity).toBeCloseTo(meanOffDiagonal(anchorRows), 5);
    expect(mappedSimilarity).toBeCloseTo(meanOffDiagonal(mappedLabels), 5);
    // Clean mode batches each pair over its samples; here every pair has one sample, so values agree.
    const clean = createRegularizer('pairwise', { tasks, widthMultiplier: 0.125, seed: 3, mode: 'clean' });
    expect(clean.loss(input).loss.dataSync()[0]).toBeCloseTo(value, 4);
    clean.dispose();
    regularizer.dispose();
  });

  it('diagnostics: false drops the two similarity parts and leaves the loss and the other parts unchanged', () => {
    const input = pairwiseInput(labelMask, 0.125);
    const logged = createPairwiseConsistency({ tasks, widthMultiplier: 0.125, seed: 3 });
    const quiet = createPairwiseConsistency({ tasks, widthMultiplier: 0.125, seed: 3, diagnostics: false });
    const before = tf.memory().numTensors;
    const withParts = logged.loss(input);
    const without = quiet.loss(input);
    expect(Object.keys(withParts.parts).sort()).toEqual([
      'anchorSimilarity',
      'consistency',
      'mappedSimilarity',
      'pairs',
    ]);
    expect(Object.keys(without.parts).sort()).toEqual(['consistency', 'pairs']);
    expect(without.loss.dataSync()[0]).toBe(withParts.loss.dataSync()[0]);
    expect(without.parts.consistency!.dataSync()[0]).toBe(withParts.parts.consistency!.dataSync()[0]);
    tf.dispose([
      withParts.loss,
      without.loss,
      ...Object.values(withParts.parts),
      ...Object.values(without.parts),
    ]);
    expect(tf.memory().numTensors).toBe(before);
    logged.dispose();
    quiet.dispose();
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

  it('sourceTasks: only the named tasks are sources; the others get no gradient; an unknown name is refused', () => {
    const regularizer = createPairwiseConsistency({
      tasks,
      widthMultiplier: 0.125,
      seed: 6,
      sourceTasks: ['height'],
      warn: () => {},
    });
    const base = pairwiseInput([[1, 0, 0]], 0.125);
    const normal = tf.variable(base.viewOutputs[0]!.predictions.normal!, true, 'pw-src-normal');
    const height = tf.variable(base.viewOutputs[0]!.predictions.height!, true, 'pw-src-height');
    const input = pairwiseInput([[1, 0, 0]], 0.125, {
      predictions: { depth: base.viewOutputs[0]!.predictions.depth!, normal, height },
    });
    let pairs = -1;
    const { grads } = tf.variableGrads(() => {
      const { loss, parts } = regularizer.loss(input);
      pairs = parts.pairs!.dataSync()[0]!;
      tf.dispose(Object.values(parts));
      return loss;
    }, [normal, height]);
    expect(pairs).toBe(1); // (height, depth) only; (normal, depth) skipped
    expect(grads[normal.name]).toBeUndefined();
    expect(tf.tidy(() => tf.max(tf.abs(grads[height.name]!)).dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose([...Object.values(grads), normal, height]);
    regularizer.dispose();
    expect(() => createPairwiseConsistency({ tasks, sourceTasks: ['normals'] })).toThrow(
      /pairwise: sourceTasks names 'normals', which is not a dense task here \(dense tasks: depth, normal, height\)/,
    );
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

describe('crossSampleSimilarity', () => {
  it('is the mean cosine over ordered pairs of samples and positions; a zero vector counts 0', () => {
    // Positions (2) × channels (2): sample 0 [1,0],[0,1]; sample 1 [1,0],[1,1]; sample 2 [0,0],[0,2].
    const x = tf.tensor4d([1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 2], [3, 1, 2, 2]);
    // Pairs (0,1): 1 and 1/√2; (0,2): 0 and 1; (1,2): 0 and 1/√2; both orders, over 2·3·2 = 12 terms.
    const expected = (2 * (1 + Math.SQRT1_2 + 0 + 1 + 0 + Math.SQRT1_2)) / 12;
    expect(crossSampleSimilarity(x).dataSync()[0]).toBeCloseTo(expected, 6);
    expect(crossSampleSimilarity(tf.slice(x, [0], [2])).dataSync()[0]).toBeCloseTo((1 + Math.SQRT1_2) / 2, 6);
    expect(() => crossSampleSimilarity(tf.slice(x, [0], [1]))).toThrow(/at least 2 samples, got 1/);
    x.dispose();
  });
});

describe('mappingCollapseReport', () => {
  it('measures, per ordered pair, the cross-sample similarity of the mapped labels, and of the anchors', () => {
    const regularizer = createPairwiseConsistency({ tasks, widthMultiplier: 0.125, seed: 4 });
    const input = pairwiseInput(labelMaskTwoRows, 0.125);
    const labels = input.batch.views![0]!.labels;
    const anchor = input.viewOutputs[0]!.features.bottleneck!;
    const before = tf.memory().numTensors;
    const report = mappingCollapseReport(regularizer, tasks, labels, anchor);
    expect(tf.memory().numTensors).toBe(before);
    expect(report.pairs.map((pair) => `${pair.source}->${pair.target}`)).toEqual([
      'depth->normal',
      'depth->height',
      'normal->depth',
      'normal->height',
      'height->depth',
      'height->normal',
    ]);
    expect(report.anchorSimilarity).toBeCloseTo(crossSampleSimilarity(anchor).dataSync()[0]!, 6);
    // By hand for one pair: map each sample's label (batch 1, as faithful training does), then compare the two.
    const k = pairIndex(1, 0, 3);
    const expected = tf.tidy(() => {
      const mapped = [0, 1].map((sample) =>
        regularizer.mappingNetwork.apply(
          prepareLabel(tasks[0]!, tf.slice(labels.depth!, [sample], [1])) as tf.Tensor4D,
          0,
          k,
        ),
      );
      return crossSampleSimilarity(tf.concat(mapped, 0)).dataSync()[0]!;
    });
    expect(report.pairs[2]!.targetSimilarity).toBeCloseTo(expected, 5);
    for (const pair of report.pairs) {
      expect(Math.abs(pair.sourceSimilarity)).toBeLessThanOrEqual(1 + 1e-6);
      expect(Math.abs(pair.targetSimilarity)).toBeLessThanOrEqual(1 + 1e-6);
    }
    regularizer.dispose();
  });
});

describe('pairwise mapping network with fewer stages', () => {
  it('maps to H/2^stages with the first stages of SegNet, and rejects a stage count that misses the anchor', () => {
    const regularizer = createPairwiseConsistency({ tasks, widthMultiplier: 0.125, stages: 3, seed: 2 });
    expect(regularizer.settings.stages).toBe(3);
    // 2 + 2 + 3 FiLM convs: 7 gamma and 7 beta tables.
    expect(regularizer.mappingNetwork.filmVariables).toHaveLength(14);
    const c3 = segnetChannels(0.125, 3)[2]!;
    expect(regularizer.mappingNetwork.outChannels).toBe(c3);
    const mapped = regularizer.mappingNetwork.apply(tf.zeros([1, size, size, 1]) as tf.Tensor4D, 0, 1);
    expect(mapped.shape).toEqual([1, size / 8, size / 8, c3]);
    mapped.dispose();
    const anchor = tf.tensor4d(fixedValues(2 * 16 * c3, 70), [2, 4, 4, c3]);
    const { loss, parts } = regularizer.loss(pairwiseInput(labelMaskTwoRows, 0.125, { bottleneck: anchor }));
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    expect(loss.dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([loss, ...Object.values(parts)]);
    // The five-stage network's 1×1 anchor does not fit a three-stage mapping.
    expect(() => regularizer.loss(pairwiseInput(labelMaskTwoRows, 0.125))).toThrow(/stages/);
    anchor.dispose();
    regularizer.dispose();
  });
});

describe('pairwise 1×1 bottleneck warning', () => {
  it('warns once per instance when the anchor is 1×1, never when it has more positions', () => {
    const messages: string[] = [];
    const regularizer = createPairwiseConsistency({
      tasks,
      widthMultiplier: 0.125,
      warn: (message) => messages.push(message),
    });
    const c5 = segnetChannels(0.125)[4]!;
    const wide = tf.zeros([1, 2, 2, c5]) as tf.Tensor4D;
    const flat = tf.zeros([1, 1, 1, c5]) as tf.Tensor4D;
    // Fully labelled rows: no pairs, so the loss is 0 and only the anchor's shape is looked at.
    regularizer.loss(pairwiseInput([[1, 1, 1]], 0.125, { bottleneck: wide })).loss.dispose();
    expect(messages).toEqual([]);
    regularizer.loss(pairwiseInput([[1, 1, 1]], 0.125, { bottleneck: flat })).loss.dispose();
    regularizer.loss(pairwiseInput([[1, 1, 1]], 0.125, { bottleneck: flat })).loss.dispose();
    expect(messages).toEqual([singlePositionWarning]);
    expect(singlePositionWarning).toMatch(/1×1/);
    tf.dispose([wide, flat]);
    regularizer.dispose();
  });
});

describe('pairwise clean mode on wasm and dispose', () => {
  // Sample 0 and 2 share pairs (1→0, 2→0), so clean mode batches non-contiguous rows (slices joined by concat).
  const labelMask = [
    [1, 0, 0],
    [0, 1, 1],
    [1, 0, 0],
  ];

  it('takes rows as slices of contiguous runs, with the same values and gradient as gather', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);
    const before = tf.memory().numTensors;
    expect(takeSamples(x, [0, 1, 2, 3], 4)).toBe(x);
    expect(tf.memory().numTensors).toBe(before);
    tf.tidy(() => {
      expect(Array.from(takeSamples(x, [0, 2, 3], 4).dataSync())).toEqual([1, 2, 5, 6, 7, 8]);
      expect(Array.from(takeSamples(x, [1], 4).dataSync())).toEqual([3, 4]);
      const weights = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
      const gradient = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(takeSamples(v, [0, 2, 3], 4), weights)))(x);
      const gatherGradient = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.gather(v, [0, 2, 3]), weights)))(x);
      expect(Array.from(gradient.dataSync())).toEqual(Array.from(gatherGradient.dataSync()));
    });
    x.dispose();
  });

  /** One clean-mode training step (gradients of predictions and mapping net, one Adam step); loss before and after. */
  function cleanTrainingStep(): { loss: number; after: number; gradientNorm: number } {
    const regularizer = createPairwiseConsistency({ tasks, widthMultiplier: 0.125, seed: 9, mode: 'clean' });
    const base = pairwiseInput(labelMask, 0.125);
    const predictions = Object.fromEntries(
      Object.entries(base.viewOutputs[0]!.predictions).map(([name, value]) => [
        name,
        tf.variable(value, true, `pw-wasm-${name}-${tf.getBackend()}`),
      ]),
    );
    const input = pairwiseInput(labelMask, 0.125, { predictions });
    const groups = regularizer.variableGroups();
    const variables = [...Object.values(predictions), ...groups[0]!.variables, ...groups[1]!.variables];
    const { value, grads } = tf.variableGrads(() => regularizer.loss(input).loss, variables);
    const loss = value.dataSync()[0]!;
    const gradientNorm = tf.tidy(
      () => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))).dataSync()[0]!,
    );
    const optimizer = tf.train.adam(1e-3);
    optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
    const afterLoss = regularizer.loss(input).loss;
    const after = afterLoss.dataSync()[0]!;
    tf.dispose([value, afterLoss, ...Object.values(grads), ...Object.values(predictions)]);
    optimizer.dispose();
    regularizer.dispose();
    return { loss, after, gradientNorm };
  }

  it('trains a clean-mode step on wasm (no UnsortedSegmentSum) with the cpu loss within 1e-4', async () => {
    const cpu = cleanTrainingStep();
    expect(cpu.after).toBeLessThan(cpu.loss);
    try {
      // Core's selectBackend loads @tensorflow/tfjs-backend-wasm (core's optional peer) and enables wasm training.
      const selection = await selectBackend({ prefer: 'wasm', warn: () => {} });
      expect(selection.name).toBe('wasm');
      enableWasmTraining();
      const wasm = cleanTrainingStep();
      // Relative tolerance 1e-4: float32 summation order differs between the backends' conv kernels.
      expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-4 * Math.max(1, Math.abs(cpu.loss)));
      expect(Math.abs(wasm.after - cpu.after)).toBeLessThan(1e-4 * Math.max(1, Math.abs(cpu.after)));
      expect(Math.abs(wasm.gradientNorm - cpu.gradientNorm)).toBeLessThan(1e-3 * cpu.gradientNorm);
    } finally {
      await useCpuWithFastConvGradients();
    }
  });

  it('create + dispose leaves no tensors behind, for pairwise and every other regularizer', () => {
    const { denseTasks, affectTasks, relatedness } = creationFixtures;
    const cases: Array<[string, typeof denseTasks]> = [
      ['pairwise', denseTasks],
      ['jtr', denseTasks],
      ['none', denseTasks],
      ['consistency', denseTasks],
      ['distribution-matching', affectTasks],
    ];
    for (const [name, regularizerTasks] of cases) {
      const before = tf.memory().numTensors;
      createRegularizer(name, {
        tasks: regularizerTasks,
        seed: 1,
        widthMultiplier: 0.125,
        ...(name === 'distribution-matching' ? { relatedness } : {}),
      }).dispose();
      expect({ name, leaked: tf.memory().numTensors - before }).toEqual({ name, leaked: 0 });
    }
  });
});
