import { defineTasks, RandomSource } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildJtrViewStacks,
  cosineDistancePerSample,
  createJointTaskRegularization,
  createRegularizer,
  phi,
  resolveJtrOptions,
  singlePositionLatentWarning,
} from '../src/index.js';
import { fixedValues, makeBatch, makeInput, useCpuWithFastConvGradients } from './helpers.js';

beforeAll(useCpuWithFastConvGradients);

// Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), an independent erf for the expected values.
function erf(x: number): number {
  const sign = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-a * a);
  return sign * y;
}
const phiJs = (x: number) => 0.5 * (1 + erf((x - 2.3618) / (1.5876 * Math.SQRT2)));

const geometricTasks = defineTasks([
  { name: 'depth', kind: 'depth', channels: 1 },
  { name: 'normal', kind: 'normals', channels: 3 },
]);

describe('JTR encodings and stacks', () => {
  it('Phi has the official constants (Phi(0) ≈ 0.0684)', () => {
    const values = phi(tf.tensor1d([0, 2.3618, 4])).dataSync();
    expect(values[0]).toBeCloseTo(0.0684, 4);
    expect(values[1]).toBeCloseTo(0.5, 6);
    expect(values[2]).toBeCloseTo(phiJs(4), 5);
  });

  // One sample, 1×2 map. Depth is labelled (pixel 0 invalid), normals are not.
  const depthPrediction = [1.5, 3];
  const normalPrediction = [0.6, 0, 0.8, 0, 1, 0];
  const depthLabel = [0, 2];
  const normalLabel = [0, 0, 0, 0, 0, 0];
  const view = () => ({
    predictions: [tf.tensor4d(depthPrediction, [1, 1, 2, 1]), tf.tensor4d(normalPrediction, [1, 1, 2, 3])],
    labels: [tf.tensor4d(depthLabel, [1, 1, 2, 1]), tf.tensor4d(normalLabel, [1, 1, 2, 3])],
    labelled: tf.tensor2d([[1, 0]]),
  });
  const resolution = { height: 1, width: 2 };

  it('faithful view-2 stacks and reconstruction targets match jtr.md §1 and §4 by hand', () => {
    const stacks = buildJtrViewStacks(
      geometricTasks,
      view(),
      2,
      new RandomSource(0),
      resolveJtrOptions({}),
      resolution,
    );
    const mask = [0, 1];
    expect(Array.from(stacks.mask.dataSync())).toEqual(mask);
    // Y: depth label Phi(y·[y≠0]) NOT masked (quirk 6); normals (n·m + 1)/2.
    const normalChannel = (pixel: number) =>
      [0, 1, 2].map((c) => (normalPrediction[pixel * 3 + c]! * mask[pixel]! + 1) / 2);
    const expectedStack = [phiJs(0), ...normalChannel(0), phiJs(2), ...normalChannel(1)];
    const expectedPredictionStack = [phiJs(0), ...normalChannel(0), phiJs(3), ...normalChannel(1)];
    Array.from(stacks.stack.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(expectedStack[i]!, 5);
    });
    Array.from(stacks.predictionStack.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(expectedPredictionStack[i]!, 5);
    });
    // Targets: depth of Y = Phi(raw GT); normals of Y = raw prediction (unlabelled, unmasked, quirk 4);
    // depth of Yhat = Phi(Phi(p·m)) (quirk 3); normals of Yhat = (p·m + 1)/2.
    Array.from(stacks.stackTargets[0]!.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(phiJs(depthLabel[i]!), 5);
    });
    Array.from(stacks.stackTargets[1]!.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(normalPrediction[i]!, 6);
    });
    // Quirk 5 counts the official pre-Phi target: the raw depth label (one non-zero pixel).
    expect(Array.from(stacks.stackTargetCountSources[0]!.dataSync())).toEqual(depthLabel);
    const doublePhi = [phiJs(phiJs(0)), phiJs(phiJs(3))];
    Array.from(stacks.predictionTargets[0]!.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(doublePhi[i]!, 5);
    });
  });

  it('quirk 7: clean mode encodes depth with the depthPhi option, faithful keeps the NYU constants', () => {
    const depthPhi = { mean: 4.7, std: 2.2 };
    const phiWith = (x: number) => 0.5 * (1 + erf((x - 4.7) / (2.2 * Math.SQRT2)));
    const clean = buildJtrViewStacks(
      geometricTasks,
      view(),
      1,
      new RandomSource(0),
      resolveJtrOptions({ mode: 'clean', depthPhi }),
      resolution,
    );
    // Pixel 1: label 2 (labelled), prediction 3 (Yhat).
    expect(clean.stack.dataSync()[4]).toBeCloseTo(phiWith(2), 5);
    expect(clean.predictionStack.dataSync()[4]).toBeCloseTo(phiWith(3), 5);
    const faithful = buildJtrViewStacks(
      geometricTasks,
      view(),
      1,
      new RandomSource(0),
      resolveJtrOptions({ depthPhi }),
      resolution,
    );
    expect(faithful.predictionStack.dataSync()[4]).toBeCloseTo(phiJs(3), 5);
  });

  it('clean stacks mask every channel of Y and Yhat and reconstruct the detached input', () => {
    const settings = resolveJtrOptions({ mode: 'clean' });
    const stacks = buildJtrViewStacks(geometricTasks, view(), 2, new RandomSource(0), settings, resolution);
    const stack = Array.from(stacks.stack.dataSync());
    expect(stack[0]).toBe(0); // Phi(0)·m with m = 0
    // Prediction channels too (quirk 6's fix masks both stacks): depth and the three normal channels of pixel 0.
    expect(Array.from(stacks.predictionStack.dataSync()).slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(stack.slice(1, 4)).toEqual([0, 0, 0]);
    expect(stack[4]).toBeCloseTo(phiJs(2), 5);
    expect(Array.from(stacks.predictionTargets[0]!.dataSync())[1]).toBeCloseTo(phiJs(3), 5);
    expect(Array.from(stacks.stackTargets[1]!.dataSync())).toEqual(
      Array.from(tf.slice(stacks.stack, [0, 0, 0, 1], [-1, -1, -1, 3]).dataSync()),
    );
  });

  it('segmentation: one-hot labels, straight-through Gumbel in Y, softmax in faithful view-2 Yhat', () => {
    const tasks = defineTasks([{ name: 'semseg', kind: 'segmentation', channels: 3 }]);
    const logits = [0.2, -1, 0.5, 1, 0, -0.3];
    const make = (labelledFlag: number) => ({
      predictions: [tf.tensor4d(logits, [1, 1, 2, 3])],
      labels: [tf.tensor4d([2, -1], [1, 1, 2, 1])],
      labelled: tf.tensor2d([[labelledFlag]]),
    });
    const labelled = buildJtrViewStacks(tasks, make(1), 1, new RandomSource(0), resolveJtrOptions({}), {
      height: 1,
      width: 2,
    });
    expect(Array.from(labelled.stack.dataSync())).toEqual([0, 0, 1, 0, 0, 0]);
    const unlabelled = buildJtrViewStacks(tasks, make(0), 2, new RandomSource(0), resolveJtrOptions({}), {
      height: 1,
      width: 2,
    });
    const softmax = (z: number[]) => {
      const e = z.map(Math.exp);
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    };
    const expected = [...softmax(logits.slice(0, 3)), ...softmax(logits.slice(3))];
    Array.from(unlabelled.predictionStack.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 5);
    });
    const stack = Array.from(unlabelled.stack.dataSync());
    expect(stack.every((v) => v === 0 || Math.abs(v - 1) < 1e-6)).toBe(true);
    expect(stack.reduce((a, b) => a + b, 0)).toBeCloseTo(2, 5);
  });

  it("segmentationPrediction: 'softmax' puts the softmax in Y, Yhat and the targets, both views and modes, no draw", () => {
    const tasks = defineTasks([{ name: 'semseg', kind: 'segmentation', channels: 3 }]);
    const logits = [0.2, -1, 0.5, 1, 0, -0.3];
    const e = logits.map(Math.exp);
    const expected = [0, 3].flatMap((i) => e.slice(i, i + 3).map((v) => v / (e[i]! + e[i + 1]! + e[i + 2]!)));
    const before = tf.memory().numTensors;
    for (const mode of ['faithful', 'clean'] as const) {
      for (const viewNumber of [1, 2] as const) {
        for (const seed of [0, 1]) {
          tf.tidy(() => {
            const stacks = buildJtrViewStacks(
              tasks,
              {
                predictions: [tf.tensor4d(logits, [1, 1, 2, 3])],
                labels: [tf.tensor4d([2, -1], [1, 1, 2, 1])],
                labelled: tf.tensor2d([[0]]),
              },
              viewNumber,
              new RandomSource(seed),
              resolveJtrOptions({ mode, segmentationPrediction: 'softmax' }),
              { height: 1, width: 2 },
            );
            const encoded = [
              stacks.stack,
              stacks.predictionStack,
              ...stacks.stackTargets,
              ...stacks.predictionTargets,
            ];
            expect(encoded).toHaveLength(viewNumber === 2 ? 4 : 2);
            for (const tensor of encoded) {
              Array.from(tensor.dataSync()).forEach((v, i) => {
                expect(v).toBeCloseTo(expected[i]!, 5);
              });
            }
          });
        }
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(() => resolveJtrOptions({ segmentationPrediction: 'gumbel' as 'softmax' })).toThrow(
      /jtr.*segmentationPrediction.*straight-through-gumbel/s,
    );
  });
});

// A tiny end-to-end setting: two samples, 32×32 maps, auto-encoder width 1/8.
const size = 32;
function denseView(tasks: ReturnType<typeof defineTasks>, labelMask: number[][], salt: number) {
  const batchSize = labelMask.length;
  const pixels = batchSize * size * size;
  const labels: Record<string, tf.Tensor> = {};
  const predictions: Record<string, tf.Tensor> = {};
  for (const [index, task] of tasks.entries()) {
    const values = fixedValues(pixels * task.channels, salt * 10 + index);
    predictions[task.name] = tf.tensor4d(
      values.map((v) => v * 2),
      [batchSize, size, size, task.channels],
    );
    if (task.kind === 'segmentation') {
      labels[task.name] = tf.tensor4d(
        fixedValues(pixels, salt + 7).map((v) => (v < -0.8 ? -1 : Math.floor((v + 1) * 1.5))),
        [batchSize, size, size, 1],
      );
    } else if (task.kind === 'depth') {
      labels[task.name] = tf.tensor4d(
        fixedValues(pixels, salt + 8).map((v) => (v < -0.7 ? 0 : 2 + v)),
        [batchSize, size, size, 1],
      );
    } else {
      labels[task.name] = tf.tidy(() => {
        const raw = tf.tensor4d(fixedValues(pixels * 3, salt + 9), [batchSize, size, size, 3]);
        return tf.div(raw, tf.norm(raw, 'euclidean', -1, true));
      });
    }
  }
  return {
    batch: makeBatch(
      tasks.map((t) => t.name),
      labels,
      labelMask,
    ),
    output: { predictions, features: {} },
  };
}

function jtrInput(
  tasks: ReturnType<typeof defineTasks>,
  labelMask: number[][],
  predictionsOverride?: [Record<string, tf.Tensor>, Record<string, tf.Tensor>],
) {
  const view0 = denseView(tasks, labelMask, 0);
  const view1 = denseView(tasks, labelMask, 1);
  const view2 = denseView(tasks, labelMask, 2);
  const batch = { ...view0.batch, views: [view1.batch, view2.batch] };
  const outputs = [view1.output, view2.output];
  if (predictionsOverride) {
    outputs[0] = { predictions: predictionsOverride[0], features: {} };
    outputs[1] = { predictions: predictionsOverride[1], features: {} };
  }
  return makeInput(tasks, batch, view0.output, outputs, 3);
}

const nyuLikeTasks = defineTasks([
  { name: 'semseg', kind: 'segmentation', channels: 3 },
  { name: 'depth', kind: 'depth', channels: 1 },
  { name: 'normal', kind: 'normals', channels: 3 },
]);

describe('JTR regularizer', () => {
  it('weights the parts 4·(d1 + 2·d2) + 2·rec (quirk 8) and does not leak', () => {
    const regularizer = createRegularizer('jtr', { tasks: nyuLikeTasks, widthMultiplier: 0.125, seed: 1 });
    expect(regularizer.viewsNeeded).toBe(2);
    const input = jtrInput(nyuLikeTasks, [
      [1, 0, 0],
      [0, 1, 1],
    ]);
    const before = tf.memory().numTensors;
    const { loss, parts } = regularizer.loss(input);
    const d1 = parts.firstViewDistance!.dataSync()[0]!;
    const d2 = parts.secondViewDistance!.dataSync()[0]!;
    const rec = parts.reconstruction!.dataSync()[0]!;
    expect(loss.dataSync()[0]).toBeCloseTo(4 * (d1 + 2 * d2) + 2 * rec, 4);
    expect(d1).toBeGreaterThan(0);
    tf.dispose([loss, ...Object.values(parts)]);
    expect(tf.memory().numTensors).toBe(before);
    regularizer.dispose();
  });

  it.each([5, 2])(
    'd1 equals the cosine distance of the frozen encodings of hand-built view-1 stacks (%i stages)',
    (stages) => {
      const warnings: string[] = [];
      const regularizer = createJointTaskRegularization({
        tasks: geometricTasks,
        widthMultiplier: 0.125,
        mode: 'clean',
        seed: 2,
        stages,
        warn: (message) => warnings.push(message),
      });
      const input = jtrInput(geometricTasks, [[1, 0]]);
      const { parts } = regularizer.loss(input);
      const again = regularizer.loss(input);
      tf.dispose([again.loss, ...Object.values(again.parts)]);
      // 32×32 over 2^stages: a 1×1 latent at five stages (warned once over two calls), 8×8 at two (no warning).
      expect(warnings).toEqual(stages === 5 ? [singlePositionLatentWarning] : []);
      const latent = regularizer.autoEncoder.apply(tf.zeros([1, size, size, 4]) as tf.Tensor4D).latent;
      expect(latent.shape.slice(1, 3)).toEqual([size / 2 ** stages, size / 2 ** stages]);
      latent.dispose();
      const expected = tf.tidy(() => {
        const view = input.batch.views![0]!;
        const depth = input.viewOutputs[0]!.predictions.depth!;
        const normal = input.viewOutputs[0]!.predictions.normal!;
        const label = view.labels.depth!;
        const mask = tf.cast(tf.notEqual(label, 0), 'float32');
        // Clean mode masks every channel of both stacks (jtr.md §8, quirk 6).
        const normalChannels = tf.mul(tf.div(tf.add(tf.mul(normal, mask), 1), 2), mask);
        const stack = tf.concat([tf.mul(phi(label), mask), normalChannels], 3) as tf.Tensor4D;
        const predictionStack = tf.concat(
          [tf.mul(phi(tf.mul(depth, mask)), mask), normalChannels],
          3,
        ) as tf.Tensor4D;
        const encoder = regularizer.autoEncoder;
        return cosineDistancePerSample(
          encoder.encodeFrozen(stack),
          encoder.encodeFrozen(predictionStack),
        ).dataSync()[0]!;
      });
      expect(parts.firstViewDistance!.dataSync()[0]).toBeCloseTo(expected, 5);
      regularizer.dispose();
    },
  );

  it('rejects an auto-encoder stage count outside 1..5, naming jtr.stages', () => {
    for (const stages of [0, 6, 2.5]) {
      expect(() => createJointTaskRegularization({ tasks: geometricTasks, stages })).toThrow(
        /jtr\.stages: expected an integer in 1\.\.5, got/,
      );
    }
  });

  it('gradient flow: d1 trains only unlabelled heads; d2 and reconstruction train only the auto-encoder', () => {
    const regularizer = createJointTaskRegularization({
      tasks: geometricTasks,
      widthMultiplier: 0.125,
      seed: 4,
    });
    const labelMask = [[1, 0]]; // depth labelled, normals not
    const base = jtrInput(geometricTasks, labelMask);
    const variables = {
      depth1: tf.variable(base.viewOutputs[0]!.predictions.depth!, true, 'jtr-depth-view1'),
      normal1: tf.variable(base.viewOutputs[0]!.predictions.normal!, true, 'jtr-normal-view1'),
      depth2: tf.variable(base.viewOutputs[1]!.predictions.depth!, true, 'jtr-depth-view2'),
      normal2: tf.variable(base.viewOutputs[1]!.predictions.normal!, true, 'jtr-normal-view2'),
    };
    const input = jtrInput(geometricTasks, labelMask, [
      { depth: variables.depth1, normal: variables.normal1 },
      { depth: variables.depth2, normal: variables.normal2 },
    ]);
    const autoEncoderVariables = regularizer.variableGroups()[0]!.variables;
    const all = [...Object.values(variables), ...autoEncoderVariables];
    const isZero = (g: tf.Tensor | undefined) =>
      g === undefined || tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) === 0;
    const { grads } = tf.variableGrads(() => regularizer.loss(input).loss, all);
    // Labelled head (depth, view 1): no gradient; unlabelled head (normals, view 1): gradient.
    expect(isZero(grads[variables.depth1.name])).toBe(true);
    expect(isZero(grads[variables.normal1.name])).toBe(false);
    // View-2 stacks are detached: no gradient reaches the network through d2 or the reconstruction.
    expect(grads[variables.depth2.name]).toBeUndefined();
    expect(grads[variables.normal2.name]).toBeUndefined();
    // The auto-encoder trains (from d2 and the reconstruction).
    expect(autoEncoderVariables.some((v) => !isZero(grads[v.name]))).toBe(true);
    tf.dispose(Object.values(grads));
    // d1 runs the encoder with stop-gradient weights: its input gets a gradient, no encoder variable does.
    const stack = tf.variable(tf.randomUniform([1, size, size, 4], 0, 1, 'float32', 5), true, 'jtr-stack');
    const encoderVariables = regularizer.autoEncoder.encoder.trainableVariables;
    const frozenGrads = tf.variableGrads(
      () => tf.sum(regularizer.autoEncoder.encodeFrozen(stack as tf.Tensor4D)) as tf.Scalar,
      [stack, ...encoderVariables],
    ).grads;
    expect(Object.keys(frozenGrads)).toEqual([stack.name]);
    tf.dispose(Object.values(frozenGrads));
    regularizer.dispose();
  });

  it('distanceWeight 0 switches d1 and d2 off: the network gets no gradient, the auto-encoder only the reconstruction', () => {
    const regularizer = createJointTaskRegularization({
      tasks: geometricTasks,
      widthMultiplier: 0.125,
      seed: 4,
      distanceWeight: 0,
    });
    const labelMask = [[1, 0]];
    const base = jtrInput(geometricTasks, labelMask);
    const normal1 = tf.variable(base.viewOutputs[0]!.predictions.normal!, true, 'jtr-off-normal-view1');
    const input = jtrInput(geometricTasks, labelMask, [
      { depth: base.viewOutputs[0]!.predictions.depth!, normal: normal1 },
      base.viewOutputs[1]!.predictions,
    ]);
    const autoEncoderVariables = regularizer.variableGroups()[0]!.variables;
    const { value, grads } = tf.variableGrads(
      () => regularizer.loss(input).loss,
      [normal1, ...autoEncoderVariables],
    );
    // With weight 4 the unlabelled head gets d1's gradient (test above); with 0 there is no path to it at all.
    expect(grads[normal1.name]).toBeUndefined();
    // What is left is exactly the reconstruction term, weighted 2 (the default), still training the auto-encoder.
    const parts = regularizer.loss(input).parts;
    expect(value.dataSync()[0]).toBeCloseTo(2 * parts.reconstruction!.dataSync()[0]!, 5);
    expect(parts.firstViewDistance!.dataSync()[0]).toBeGreaterThan(0); // still computed and logged
    expect(autoEncoderVariables.some((v) => grads[v.name] !== undefined)).toBe(true);
    tf.dispose([value, ...Object.values(grads), ...Object.values(parts)]);
    normal1.dispose();
    regularizer.dispose();
  });

  it('clean batched mode and heterogeneous dense + classification tasks give a finite loss', () => {
    const tasks = defineTasks([
      { name: 'depth', kind: 'depth', channels: 1 },
      { name: 'scene', kind: 'multiclass', channels: 3 },
      { name: 'tags', kind: 'multilabel', channels: 2 },
    ]);
    const regularizer = createJointTaskRegularization({ tasks, widthMultiplier: 0.125, mode: 'clean' });
    const view = (salt: number) => {
      const depthValues = fixedValues(2 * size * size, salt).map((v) => 2 + v);
      return {
        batch: makeBatch(
          ['depth', 'scene', 'tags'],
          {
            depth: tf.tensor4d(depthValues, [2, size, size, 1]),
            scene: tf.tensor2d([[2], [-1]]),
            tags: tf.tensor2d([
              [1, -1],
              [0, 1],
            ]),
          },
          [
            [0, 1, 1],
            [1, 0, 1],
          ],
        ),
        output: {
          predictions: {
            depth: tf.tensor4d(
              depthValues.map((v) => v * 0.9),
              [2, size, size, 1],
            ),
            scene: tf.tensor2d([
              [0.1, 0.2, 0.3],
              [1, -1, 0],
            ]),
            tags: tf.tensor2d([
              [0.5, -0.5],
              [1, 2],
            ]),
          },
          features: {},
        },
      };
    };
    const [v0, v1, v2] = [view(0), view(1), view(2)];
    const input = makeInput(tasks, { ...v0.batch, views: [v1.batch, v2.batch] }, v0.output, [
      v1.output,
      v2.output,
    ]);
    const value = regularizer.loss(input).loss.dataSync()[0]!;
    expect(Number.isFinite(value)).toBe(true);
    expect(resolveJtrOptions({ mode: 'clean', quirks: { perSampleAutoEncoder: true } }).quirks).toMatchObject(
      {
        perSampleAutoEncoder: true,
        viewTwoSoftmaxPrediction: false,
        unnormalisedNormalTarget: false,
      },
    );
    regularizer.dispose();
  });
});
