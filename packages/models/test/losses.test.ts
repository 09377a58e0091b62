import { defineTasks, nyuv2Tasks, type TaskBatch } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type LossNormalisation,
  maskedL1,
  maskedL2,
  multiclassCrossEntropy,
  multilabelBinaryCrossEntropy,
  normalsCosine,
  segmentationCrossEntropy,
  supervisedLoss,
  taskLoss,
} from '../src/index.js';
import { expectNoLeak, finiteDifferenceGradient, maxAbsDifference } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

type LossFunction = (
  p: tf.Tensor,
  y: tf.Tensor,
  m: tf.Tensor,
  o?: { normalisation?: LossNormalisation },
) => tf.Scalar;

function value(
  loss: LossFunction,
  p: tf.Tensor,
  y: tf.Tensor,
  mask: number[],
  normalisation?: LossNormalisation,
): number {
  let result = Number.NaN;
  expectNoLeak(() => {
    result = tf.tidy(
      () => loss(p, y, tf.tensor1d(mask), normalisation ? { normalisation } : {}).dataSync()[0]!,
    );
  });
  return result;
}

const ln = Math.log;

describe('segmentationCrossEntropy', () => {
  // Two samples, 1×2 pixels, 2 classes. Pixel logits [0, 0] (CE ln 2 either class) and [ln 3, 0] (softmax .75/.25).
  const logits = tf.tensor4d([0, 0, ln(3), 0, 0, 0, ln(3), 0], [2, 1, 2, 2]);
  const labels = tf.tensor4d([0, 1, -1, 0], [2, 1, 2, 1]);
  const sample0 = (ln(2) + ln(4)) / 2;
  const sample1 = ln(4 / 3);

  it('matches hand values for both normalisations and label masks', () => {
    expect(value(segmentationCrossEntropy, logits, labels, [1, 1])).toBeCloseTo((sample0 + sample1) / 2, 6);
    expect(value(segmentationCrossEntropy, logits, labels, [1, 1], 'pooled')).toBeCloseTo(
      (ln(2) + ln(4) + ln(4 / 3)) / 3,
      6,
    );
    expect(value(segmentationCrossEntropy, logits, labels, [0, 1])).toBeCloseTo(sample1 / 2, 6);
    expect(value(segmentationCrossEntropy, logits, labels, [0, 1], 'pooled')).toBeCloseTo(sample1, 6);
  });

  it('gives exactly 0 (not NaN) for an all-unlabelled batch or all-ignored pixels', () => {
    expect(value(segmentationCrossEntropy, logits, labels, [0, 0])).toBe(0);
    expect(value(segmentationCrossEntropy, logits, labels, [0, 0], 'pooled')).toBe(0);
    const ignored = tf.fill([2, 1, 2, 1], -1);
    expect(value(segmentationCrossEntropy, logits, ignored, [1, 1], 'pooled')).toBe(0);
    ignored.dispose();
  });

  it('rejects labels of the wrong shape and a wrong label mask', () => {
    const wrong = tf.zeros([2, 1, 2]);
    expect(() => segmentationCrossEntropy(logits, wrong, tf.ones([2]))).toThrow(
      /segmentationCrossEntropy: labels must be \[2, 1, 2, 1\]/,
    );
    expect(() => segmentationCrossEntropy(logits, labels, tf.ones([3]))).toThrow(/labelMask must be \[2\]/);
    wrong.dispose();
  });
});

describe('maskedL1 (depth)', () => {
  // Sample 0: predictions [1, 2, 3], labels [1.5, 0 (invalid), 1] → (0.5 + 2) / 2 = 1.25. Sample 1: no valid pixel.
  const predictions = tf.tensor4d([1, 2, 3, 0, 0, 0], [2, 1, 3, 1]);
  const labels = tf.tensor4d([1.5, 0, 1, 0, 0, 0], [2, 1, 3, 1]);
  it('averages |p − y| over valid pixels (label ≠ 0)', () => {
    expect(value(maskedL1, predictions, labels, [1, 1])).toBeCloseTo(0.625, 6);
    expect(value(maskedL1, predictions, labels, [1, 1], 'pooled')).toBeCloseTo(1.25, 6);
    expect(value(maskedL1, predictions, labels, [0, 1])).toBe(0);
  });
  it('treats every element as valid with invalidValue null (edges)', () => {
    expect(
      tf.tidy(
        () =>
          maskedL1(predictions, labels, tf.ones([2]), {
            invalidValue: null,
            normalisation: 'pooled',
          }).dataSync()[0],
      ),
    ).toBeCloseTo((0.5 + 2 + 2) / 6, 6);
  });
});

describe('normalsCosine', () => {
  it('is 1 − mean dot product over valid pixels (Σ_c y ≠ 0)', () => {
    const predictions = tf.tensor4d([1, 0, 0, 0, 1, 0], [1, 1, 2, 3]);
    const labels = tf.tensor4d([0.6, 0.8, 0, 0, 0, 0], [1, 1, 2, 3]);
    expect(value(normalsCosine, predictions, labels, [1])).toBeCloseTo(0.4, 6);
    expect(value(normalsCosine, predictions, labels, [0])).toBe(0);
    tf.dispose([predictions, labels]);
  });
});

describe('per-image losses', () => {
  it('multiclassCrossEntropy averages over samples with a class (−1 absent)', () => {
    const logits = tf.tensor2d([
      [0, 0, 0],
      [ln(2), 0, 0],
    ]);
    const absent = tf.tensor2d([[2], [-1]]);
    const present = tf.tensor2d([[2], [0]]);
    expect(value(multiclassCrossEntropy, logits, absent, [1, 1])).toBeCloseTo(ln(3), 6);
    expect(value(multiclassCrossEntropy, logits, present, [1, 1])).toBeCloseTo((ln(3) + ln(2)) / 2, 6);
    expect(value(multiclassCrossEntropy, logits, present, [1, 1], 'per-sample')).toBeCloseTo(
      (ln(3) + ln(2)) / 2,
      6,
    );
    expect(value(multiclassCrossEntropy, logits, present, [0, 1], 'per-sample')).toBeCloseTo(ln(2) / 2, 6);
    expect(value(multiclassCrossEntropy, logits, present, [0, 0])).toBe(0);
    tf.dispose([logits, absent, present]);
  });

  it('multilabelBinaryCrossEntropy masks unannotated labels (−1)', () => {
    const logits = tf.tensor2d([[0, ln(3)]]);
    const partly = tf.tensor2d([[1, -1]]);
    const full = tf.tensor2d([[1, 0]]);
    expect(value(multilabelBinaryCrossEntropy, logits, partly, [1])).toBeCloseTo(ln(2), 6);
    expect(value(multilabelBinaryCrossEntropy, logits, full, [1])).toBeCloseTo((ln(2) + ln(4)) / 2, 6);
    expect(value(multilabelBinaryCrossEntropy, logits, full, [0])).toBe(0);
    const huge = tf.tensor2d([[-200, 200]]); // both wrong by a wide margin: stable, no Infinity
    expect(value(multilabelBinaryCrossEntropy, huge, full, [1])).toBeCloseTo(200, 3);
    tf.dispose([logits, partly, full, huge]);
  });

  it('maskedL2 is the mean squared error', () => {
    const predictions = tf.tensor2d([[1, 2]]);
    const labels = tf.tensor2d([[0, 0]]);
    expect(value(maskedL2, predictions, labels, [1])).toBeCloseTo(2.5, 6);
    tf.dispose([predictions, labels]);
  });
});

describe('gradients match finite differences', () => {
  const cases: {
    name: string;
    shape: number[];
    labels: () => tf.Tensor;
    loss: LossFunction;
    mask: number[];
  }[] = [
    {
      name: 'segmentation CE',
      shape: [2, 2, 2, 3],
      labels: () => tf.tensor4d([0, 2, -1, 1, 1, 1, 0, -1], [2, 2, 2, 1]),
      loss: segmentationCrossEntropy,
      mask: [1, 1],
    },
    {
      name: 'depth L1',
      shape: [2, 2, 2, 1],
      labels: () => tf.tensor4d([1, 0, 2, 3, 0.5, 0, 0, 4], [2, 2, 2, 1]),
      loss: maskedL1,
      mask: [1, 0],
    },
    {
      name: 'normals',
      shape: [1, 2, 2, 3],
      labels: () => tf.tensor4d([0.6, 0.8, 0, 0, 0, 0, 0, 0, 1, 0.6, 0, 0.8], [1, 2, 2, 3]),
      loss: normalsCosine,
      mask: [1],
    },
    {
      name: 'multiclass CE',
      shape: [3, 4],
      labels: () => tf.tensor2d([[3], [-1], [0]]),
      loss: multiclassCrossEntropy,
      mask: [1, 1, 1],
    },
    {
      name: 'multilabel BCE',
      shape: [2, 3],
      labels: () =>
        tf.tensor2d([
          [1, -1, 0],
          [0, 1, 1],
        ]),
      loss: multilabelBinaryCrossEntropy,
      mask: [1, 1],
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const size = testCase.shape.reduce((a, b) => a * b, 1);
      const values = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 1.7) * 1.3 + 0.05 * i);
      const labels = testCase.labels();
      const mask = tf.tensor1d(testCase.mask);
      const lossOf = (x: tf.Tensor) => testCase.loss(x, labels, mask);
      expectNoLeak(() => {
        const analytic = tf.tidy(() => tf.grad(lossOf)(tf.tensor(values, testCase.shape)).dataSync());
        const numeric = finiteDifferenceGradient(values, testCase.shape, lossOf, 1e-2);
        expect(maxAbsDifference(analytic, numeric)).toBeLessThan(2e-3);
        expect(Math.max(...Array.from(analytic, Math.abs))).toBeGreaterThan(1e-3);
      });
      tf.dispose([labels, mask]);
    });
  }

  it('an all-unlabelled batch gives zero, finite gradients', () => {
    const logits = tf.tensor4d([0, 1, 2, 3], [1, 1, 2, 2]);
    const labels = tf.tensor4d([0, 1], [1, 1, 2, 1]);
    const gradient = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => segmentationCrossEntropy(x, labels, tf.zeros([1])))(logits)
        .dataSync(),
    );
    expect(Array.from(gradient, (v) => v + 0)).toEqual([0, 0, 0, 0]);
    tf.dispose([logits, labels]);
  });
});

describe('taskLoss picks the loss from the task spec', () => {
  it('edges with binary-cross-entropy, regression with l2, edges default l1 over every pixel', () => {
    const [edgesBce, edgesL1, regression] = defineTasks([
      { name: 'edgesBce', kind: 'edges', channels: 1, loss: 'binary-cross-entropy' },
      { name: 'edgesL1', kind: 'edges', channels: 1 },
      { name: 'flow', kind: 'regression', channels: 1 },
    ]);
    const predictions = tf.tensor4d([0, ln(3)], [1, 1, 2, 1]);
    const labels = tf.tensor4d([1, 0], [1, 1, 2, 1]);
    const mask = tf.ones([1]);
    expectNoLeak(() => {
      tf.tidy(() => {
        expect(taskLoss(edgesBce!, predictions, labels, mask).dataSync()[0]).toBeCloseTo(
          (ln(2) + ln(4)) / 2,
          6,
        );
        expect(taskLoss(edgesL1!, predictions, labels, mask).dataSync()[0]).toBeCloseTo((1 + ln(3)) / 2, 6);
        expect(taskLoss(regression!, predictions, labels, mask).dataSync()[0]).toBeCloseTo(
          (1 + ln(3) ** 2) / 2,
          6,
        );
      });
    });
    tf.dispose([predictions, labels, mask]);
  });
});

describe('supervisedLoss', () => {
  it('sums the task losses, each on its own label-mask column, with parts per task', () => {
    const tasks = defineTasks([...nyuv2Tasks, { name: 'expression', kind: 'multiclass', channels: 3 }]);
    const predictions = {
      semseg: tf.randomNormal([2, 2, 2, 13], 0, 1, 'float32', 1),
      depth: tf.randomNormal([2, 2, 2, 1], 0, 1, 'float32', 2),
      normal: tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 3),
      expression: tf.randomNormal([2, 3], 0, 1, 'float32', 4),
    };
    const batch: TaskBatch = {
      images: tf.zeros([2, 2, 2, 3]) as tf.Tensor4D,
      labels: {
        semseg: tf.tensor4d([0, 3, 12, -1, 5, 5, 5, 5], [2, 2, 2, 1]),
        depth: tf.tensor4d([1, 2, 0, 3, 1, 1, 1, 1], [2, 2, 2, 1]),
        normal: tf.tensor4d(
          Array.from({ length: 24 }, (_, i) => (i % 3 === 2 ? 1 : 0)),
          [2, 2, 2, 3],
        ),
        expression: tf.tensor2d([[2], [1]]),
      },
      labelMask: tf.tensor2d([
        [1, 0, 1, 1],
        [0, 1, 1, 0],
      ]),
      taskNames: tasks.map((task) => task.name),
      indices: [0, 1],
    };
    const output = { predictions, features: {} };
    expectNoLeak(() => {
      const { loss, parts } = supervisedLoss(tasks, output, batch);
      expect(Object.keys(parts)).toEqual(['semseg', 'depth', 'normal', 'expression']);
      let sum = 0;
      tasks.forEach((task, column) => {
        const expected = tf.tidy(
          () =>
            taskLoss(
              task,
              predictions[task.name as keyof typeof predictions],
              batch.labels[task.name]!,
              tf.tensor1d(batch.labelMask.arraySync().map((row) => row[column]!)),
            ).dataSync()[0]!,
        );
        expect(parts[task.name]!.dataSync()[0]).toBeCloseTo(expected, 6);
        sum += expected;
      });
      expect(loss.dataSync()[0]).toBeCloseTo(sum, 5);
      tf.dispose([loss, ...Object.values(parts)]);
    });
    expect(() =>
      supervisedLoss(tasks, { predictions: { semseg: predictions.semseg }, features: {} }, batch),
    ).toThrow(/output.predictions has no 'depth'/);
    tf.dispose([
      ...Object.values(predictions),
      batch.images,
      batch.labelMask,
      ...Object.values(batch.labels),
    ]);
  });
});
