import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  enableWasmTraining,
  type MultiTaskNetwork,
  RandomSource,
  type Regularizer,
  type TaskBatch,
  type TaskSpec,
} from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlignmentLine } from '../src/diagnostics/alignment-probe.js';
import {
  disposeHiddenLabels,
  type HiddenLabelAlignmentInput,
  hiddenLabelAlignment,
  hideLabels,
} from '../src/diagnostics/hidden-label-alignment.js';
import { train } from '../src/train.js';
import { tinyNetwork, tinySupervisedLoss, tinyTasks } from './fixtures/tiny-components.js';

const fill = (task: TaskSpec) => task.ignoreValue ?? 0;

beforeAll(async () => {
  // cpu, with core's Conv2D gradient written as forward convolutions (the stock cpu filter gradient is ~30× slower).
  await tf.setBackend('cpu');
  enableWasmTraining();
});

/** Four 4×4 samples, every label present, one flipped view. */
function fullBatch(): TaskBatch {
  const random = new RandomSource(7);
  const images = tf.tensor4d(
    Float32Array.from({ length: 4 * 16 * 3 }, () => random.next()),
    [4, 4, 4, 3],
  );
  const seg = tf.tidy(() => tf.expandDims(tf.cast(tf.argMax(images, 3), 'float32'), 3));
  const depth = tf.tidy(() => tf.add(tf.mean(images, 3, true), 0.1));
  const mask = tf.ones([4, 2]) as tf.Tensor2D;
  const view: TaskBatch = {
    images: tf.reverse(images, 2) as tf.Tensor4D,
    labels: { semseg: tf.reverse(seg, 2), depth: tf.reverse(depth, 2) },
    labelMask: tf.clone(mask),
    taskNames: ['semseg', 'depth'],
    indices: [0, 1, 2, 3],
  };
  return {
    images,
    labels: { semseg: seg, depth },
    labelMask: mask,
    taskNames: ['semseg', 'depth'],
    indices: [0, 1, 2, 3],
    views: [view],
  };
}

/** Samples 0 and 2 labelled for semseg, 1 and 3 for depth: depth is hidden on 0 and 2, semseg on 1 and 3. */
const splitValues = [
  [1, 0],
  [0, 1],
  [1, 0],
  [0, 1],
];

/**
 * A regularizer that cheats: it reads the hidden depth labels of `batch` (captured here, not given by the
 * trainer), so its gradient is exactly the hidden depth labels' own, times `sign`.
 */
function depthOracle(batch: TaskBatch, hiddenMask: tf.Tensor2D, sign: number): Regularizer {
  const counter = tf.variable(tf.scalar(0), false);
  return {
    name: 'depth-oracle',
    viewsNeeded: 1,
    variableGroups: () => [],
    namedVariables: () => new Map([['counter', counter]]),
    loss({ output }) {
      counter.assign(tf.add(counter, 1)); // state the probe must put back
      const depthOnly = tf.mul(hiddenMask, tf.tensor2d([[0, 1]]));
      const { parts } = tinySupervisedLoss(tinyTasks, output, {
        ...batch,
        labelMask: depthOnly as tf.Tensor2D,
      });
      const loss = tf.mul(sign, parts.depth) as tf.Scalar;
      return { loss, parts: {} };
    },
    dispose: () => counter.dispose(),
  };
}

function zeroRegularizer(): Regularizer {
  return {
    name: 'zero',
    viewsNeeded: 1,
    variableGroups: () => [],
    namedVariables: () => new Map(),
    loss: () => ({ loss: tf.scalar(0), parts: {} }),
    dispose: () => {},
  };
}

function cosine(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): number {
  return tf.tidy(() => {
    const dot = tf.addN(a.map((x, i) => tf.sum(tf.mul(x, b[i]!))));
    const na = tf.addN(a.map((x) => tf.sum(tf.square(x))));
    const nb = tf.addN(b.map((x) => tf.sum(tf.square(x))));
    return tf.div(dot, tf.sqrt(tf.mul(na, nb))).dataSync()[0]!;
  });
}

describe('hideLabels', () => {
  it('fills the labels outside the split with the task fill value and splits the mask', () => {
    const batch = fullBatch();
    const split = tf.tensor2d(splitValues);
    const { visible, hiddenMask } = hideLabels(tinyTasks, batch, split, fill);
    expect(Array.from(visible.labelMask.dataSync())).toEqual(splitValues.flat());
    expect(Array.from(hiddenMask.dataSync())).toEqual(splitValues.flat().map((v) => 1 - v));
    const depth = visible.labels.depth!.arraySync() as number[][][][];
    const seg = visible.labels.semseg!.arraySync() as number[][][][];
    const trueDepth = batch.labels.depth!.arraySync() as number[][][][];
    expect(depth[0]![1]![2]![0]).toBe(0); // depth hidden on sample 0: its fill value
    expect(depth[1]![1]![2]![0]).toBeCloseTo(trueDepth[1]![1]![2]![0]!, 6); // kept on sample 1
    expect(seg[1]!.flat(2).every((v) => v === -1)).toBe(true); // semseg hidden on sample 1
    expect(visible.views![0]!.labels.depth!.arraySync()).not.toEqual(
      batch.views![0]!.labels.depth!.arraySync(),
    );
    expect(
      (visible.views![0]!.labels.depth!.arraySync() as number[][][][])[0]!.flat(2).every((v) => v === 0),
    ).toBe(true);
    disposeHiddenLabels(visible);
    hiddenMask.dispose();
    expect(batch.images.isDisposed).toBe(false);
    split.dispose();
    tf.dispose([batch.images, batch.labelMask, ...Object.values(batch.labels)]);
  });
});

describe('hiddenLabelAlignment', () => {
  let batch: TaskBatch;
  let split: tf.Tensor2D;
  let hiddenMask: tf.Tensor2D;
  beforeAll(() => {
    batch = fullBatch();
    split = tf.tensor2d(splitValues);
    hiddenMask = tf.sub(1, split) as tf.Tensor2D;
  });
  afterAll(() => tf.dispose([split, hiddenMask]));

  const inputFor = (network: MultiTaskNetwork, regularizer: Regularizer): HiddenLabelAlignmentInput => ({
    tasks: tinyTasks,
    network,
    regularizer,
    supervisedLoss: tinySupervisedLoss,
    batches: [batch],
    splitMasks: [split],
    random: new RandomSource(1),
    step: 0,
    epoch: 0,
  });

  const run = (regularizer: Regularizer) => {
    const network = tinyNetwork(5);
    try {
      return hiddenLabelAlignment(inputFor(network, regularizer), fill);
    } finally {
      network.dispose();
      regularizer.dispose();
    }
  };

  it('gives cosine 1 and pull 1 for a regularizer whose gradient is the hidden labels’, −1 for its negation', () => {
    const toward = run(depthOracle(batch, hiddenMask, 1));
    expect(toward.byTask.depth!.regularizerCosine).toBeCloseTo(1, 5);
    expect(toward.byTask.depth!.regularizerPull).toBeCloseTo(1, 5);
    expect(toward.byTask.depth!.hidden).toBe(2);
    expect(toward.byTask.semseg!.hidden).toBe(2);
    const away = run(depthOracle(batch, hiddenMask, -1));
    expect(away.byTask.depth!.regularizerCosine).toBeCloseTo(-1, 5);
    expect(away.byTask.depth!.regularizerPull).toBeCloseTo(-1, 5);
    expect(away.all.hidden).toBe(4);
  });

  it('compares the labelled supervised gradient with the hidden one as computed independently', () => {
    const network = tinyNetwork(5);
    const variables = [
      network.sharedVariables[0]!,
      network.taskVariables.semseg![0]!,
      network.taskVariables.depth![0]!,
    ];
    const gradientOf = (mask: tf.Tensor2D) => {
      const { grads, value } = tf.variableGrads(() => {
        const images = tf.concat([batch.images, batch.views![0]!.images]);
        const output = network.apply(images as tf.Tensor4D, { training: true });
        const view0 = {
          predictions: Object.fromEntries(
            Object.entries(output.predictions).map(([name, tensor]) => [name, tf.slice(tensor, 0, 4)]),
          ),
        };
        const { loss } = tinySupervisedLoss(tinyTasks, view0, { ...batch, labelMask: mask });
        return loss;
      }, variables);
      value.dispose();
      return variables.map((variable) => grads[variable.name]!);
    };
    const labelled = gradientOf(split);
    const depthHidden = tf.mul(hiddenMask, tf.tensor2d([[0, 1]])) as tf.Tensor2D;
    const hidden = gradientOf(depthHidden);
    const expected = cosine(labelled, hidden);
    network.dispose();
    tf.dispose([...labelled, ...hidden, depthHidden]);
    const report = run(zeroRegularizer());
    expect(report.byTask.depth!.supervisedCosine).toBeCloseTo(expected, 5);
    expect(Math.abs(expected)).toBeGreaterThan(0.01);
    expect(report.byTask.depth!.regularizerCosine).toBeNaN(); // a zero gradient has no direction
  });

  it('puts the regularizer state back and leaves no tensors behind', () => {
    const network = tinyNetwork(5);
    const regularizer = depthOracle(batch, hiddenMask, 1);
    const before = tf.memory().numTensors;
    const input = inputFor(network, regularizer);
    hiddenLabelAlignment(input, fill);
    hiddenLabelAlignment(input, fill);
    expect(tf.memory().numTensors).toBe(before);
    expect(regularizer.namedVariables().get('counter')!.dataSync()[0]).toBe(0);
    network.dispose();
    regularizer.dispose();
  });
});

describe('diagnostics.hiddenLabelAlignment in a run', () => {
  const config = (outDir: string, diagnostics: boolean) => ({
    seed: 2,
    outDir,
    dataset: {
      name: 'synthetic-scenes',
      options: { height: 16, width: 16, trainCount: 8, validationCount: 4 },
    },
    split: { scenario: 'onelabel' },
    model: { backbone: 'segnet', widthMultiplier: 0.125, backboneOptions: { stages: 2 } },
    regularizer: { name: 'jtr', options: { stages: 2 } },
    data: { batchSize: 4, augment: false },
    training: { maxSteps: 2, evaluateEvery: { unit: 'step', every: 2 } },
    ...(diagnostics ? { diagnostics: { hiddenLabelAlignment: { every: 1, batches: 1 } } } : {}),
  });
  const quiet = { progress: 'none' as const, log: () => {}, report: false };

  it('writes a line before step 1 and every N steps, and leaves training exactly as it was', async () => {
    const root = mkdtempSync(join(tmpdir(), 'alignment-'));
    const probed = await train(config(join(root, 'probed'), true), quiet);
    const plain = await train(config(join(root, 'plain'), false), quiet);
    expect(probed.lastMetrics).toEqual(plain.lastMetrics);
    const lines = readFileSync(join(root, 'probed', 'alignment.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AlignmentLine);
    expect(lines.map((line) => line.step)).toEqual([0, 1, 2]);
    for (const line of lines) {
      expect(Object.keys(line.byTask).sort()).toEqual(['depth', 'normal', 'semseg']);
      expect(line.all.hidden).toBeGreaterThan(0);
      expect(Math.abs(line.all.regularizerCosine)).toBeLessThanOrEqual(1);
      expect(Math.abs(line.all.supervisedCosine)).toBeLessThanOrEqual(1);
    }
  }, 120_000);

  it('rejects a split that hides nothing', async () => {
    const full = { ...config('unused', true), split: { scenario: 'full' } };
    await expect(train(full, quiet)).rejects.toThrow(
      /diagnostics.hiddenLabelAlignment: the split hides no labels/,
    );
  });
});
