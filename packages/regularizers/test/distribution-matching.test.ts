import { defineTasks } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createDistributionMatching,
  createRegularizer,
  du2014Relatedness,
  estimateRelatedness,
} from '../src/index.js';
import { makeBatch, makeInput, useCpu } from './helpers.js';

beforeAll(useCpu);

const tasks = defineTasks([
  { name: 'expression', kind: 'multiclass', channels: 2 },
  { name: 'actionUnits', kind: 'multilabel', channels: 3 },
]);
const relatedness = [
  [1, 0.5, 0],
  [0.2, 0, 0],
];
const classLogits = [
  [1, -1],
  [0.5, 0.3],
  [-0.2, 0.4],
];
const attributeLogits = [
  [0.3, -0.7, 1.0],
  [-1.2, 0.4, 0.1],
  [0.8, 0.2, -0.5],
];
// sample 0: class 0, no AUs; sample 1: no class, AUs [1, 0, 1]; sample 2: class 1, AU0 = 0 (AU1 unknown), AU2 = 1.
const classLabels = [[0], [-1], [1]];
const attributeLabels = [
  [-1, -1, -1],
  [1, 0, 1],
  [0, -1, 1],
];
const labelMask = [
  [1, 0],
  [0, 1],
  [1, 1],
];

// Independent plain-JS reference of distribution-matching.md §4 with the defaults.
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const bce = (t: number, z: number) => -(t * Math.log(sigmoid(z)) + (1 - t) * Math.log(1 - sigmoid(z)));
const softmax = (z: number[]) => {
  const e = z.map(Math.exp);
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const related = [0, 1]; // AU 2 has a zero column
const clipR = (r: number) => Math.min(Math.max(r, 1e-3), 1 - 1e-3);
const implied = (b: number) =>
  [0, 1, 2].map((i) => {
    const p = softmax(classLogits[b]!);
    const q = p[0]! * relatedness[0]![i]! + p[1]! * relatedness[1]![i]!;
    return Math.min(Math.max(q, 1e-6), 1 - 1e-6);
  });
function reference() {
  // co-annotation class → attribute: sample 0 only, target R[0, :]
  const sca1 = related.reduce((s, i) => s + bce(relatedness[0]![i]!, attributeLogits[0]![i]!), 0) / 2;
  // co-annotation attribute → class: sample 1 only, u = [1, 0] on the related AUs
  const logScores = [0, 1].map(
    (k) => Math.log(clipR(relatedness[k]![0]!)) + Math.log(1 - clipR(relatedness[k]![1]!)),
  );
  const target = softmax(logScores);
  const logP = softmax(classLogits[1]!).map(Math.log);
  const sca2 = -(target[0]! * logP[0]! + target[1]! * logP[1]!);
  let dm1 = 0;
  let dm2 = 0;
  for (let b = 0; b < 3; b++) {
    const q = implied(b);
    dm1 += related.reduce((s, i) => s + bce(q[i]!, attributeLogits[b]![i]!), 0) / 2;
    dm2 +=
      -related.reduce((s, i) => {
        const a = sigmoid(attributeLogits[b]![i]!);
        return s + a * Math.log(q[i]!) + (1 - a) * Math.log(1 - q[i]!);
      }, 0) / 2;
  }
  return { sca1, sca2, dm1: dm1 / 3, dm2: dm2 / 3 };
}

function makeInputs(classVariable?: tf.Tensor, attributeVariable?: tf.Tensor) {
  const batch = makeBatch(
    ['expression', 'actionUnits'],
    { expression: tf.tensor2d(classLabels), actionUnits: tf.tensor2d(attributeLabels) },
    labelMask,
  );
  const output = {
    predictions: {
      expression: classVariable ?? tf.tensor2d(classLogits),
      actionUnits: attributeVariable ?? tf.tensor2d(attributeLogits),
    },
    features: {},
  };
  return { batch, output, input: makeInput(tasks, batch, output) };
}

describe('distribution matching', () => {
  it('matches the hand-computed terms and total with the defaults', () => {
    const regularizer = createRegularizer('distribution-matching', { tasks, relatedness });
    const { batch, output, input } = makeInputs();
    const before = tf.memory().numTensors;
    const { loss, parts } = regularizer.loss(input);
    const expected = reference();
    expect(parts.coannotationClassToAttribute!.dataSync()[0]).toBeCloseTo(expected.sca1, 5);
    expect(parts.coannotationAttributeToClass!.dataSync()[0]).toBeCloseTo(expected.sca2, 5);
    expect(parts.matchingClassToAttribute!.dataSync()[0]).toBeCloseTo(expected.dm1, 5);
    expect(parts.matchingAttributeToClass!.dataSync()[0]).toBeCloseTo(expected.dm2, 5);
    expect(loss.dataSync()[0]).toBeCloseTo(expected.sca1 + expected.sca2 + expected.dm1 + expected.dm2, 5);
    loss.dispose();
    for (const part of Object.values(parts)) part.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([
      batch.images,
      batch.labelMask,
      ...Object.values(batch.labels),
      ...Object.values(output.predictions),
    ]);
    regularizer.dispose();
  });

  it('gives zero co-annotation when no sample is eligible, and lambdas weight the parts', () => {
    const regularizer = createDistributionMatching({ tasks, relatedness, lambdaSca: 0, lambdaDm: 2 });
    const { input } = makeInputs();
    const { loss } = regularizer.loss(input);
    const expected = reference();
    expect(loss.dataSync()[0]).toBeCloseTo(2 * (expected.dm1 + expected.dm2), 5);
    const noEligible = createDistributionMatching({ tasks, relatedness, direction: 'off' });
    const fullyLabelled = makeBatch(
      ['expression', 'actionUnits'],
      { expression: tf.tensor2d([[0]]), actionUnits: tf.tensor2d([[1, 0, 1]]) },
      [[1, 1]],
    );
    const out = noEligible.loss(
      makeInput(tasks, fullyLabelled, {
        predictions: { expression: tf.tensor2d([[1, 2]]), actionUnits: tf.tensor2d([[0, 1, 2]]) },
        features: {},
      }),
    );
    expect(out.loss.dataSync()[0]).toBe(0);
    expect(Number.isNaN(out.loss.dataSync()[0])).toBe(false);
  });

  it('detachTarget stops the matching targets: each matching term trains only its own head', () => {
    const classVariable = tf.variable(tf.tensor2d(classLogits), true, 'dm-class');
    const attributeVariable = tf.variable(tf.tensor2d(attributeLogits), true, 'dm-attribute');
    const gradsFor = (detachTarget: boolean, direction: 'expToAu' | 'auToExp') => {
      const regularizer = createDistributionMatching({
        tasks,
        relatedness,
        coannotation: 'off',
        direction,
        detachTarget,
      });
      const { input } = makeInputs(classVariable, attributeVariable);
      const { grads } = tf.variableGrads(
        () => regularizer.loss(input).loss,
        [classVariable, attributeVariable],
      );
      return Object.keys(grads).sort();
    };
    expect(gradsFor(true, 'expToAu')).toEqual(['dm-attribute']);
    expect(gradsFor(true, 'auToExp')).toEqual(['dm-class']);
    expect(gradsFor(false, 'expToAu')).toEqual(['dm-attribute', 'dm-class']);
    expect(gradsFor(false, 'auToExp')).toEqual(['dm-attribute', 'dm-class']);
  });

  it("dmOn 'missingOther' matches only where the other task's label is missing", () => {
    const regularizer = createDistributionMatching({
      tasks,
      relatedness,
      coannotation: 'off',
      dmOn: 'missingOther',
    });
    const { parts } = regularizer.loss(makeInputs().input);
    // expression → AU on samples without AU labels (sample 0); AU → expression on samples without a class (sample 1).
    const q0 = implied(0);
    const q1 = implied(1);
    const expectedToAu = related.reduce((s, i) => s + bce(q0[i]!, attributeLogits[0]![i]!), 0) / 2;
    const expectedToExp =
      -related.reduce((s, i) => {
        const a = sigmoid(attributeLogits[1]![i]!);
        return s + a * Math.log(q1[i]!) + (1 - a) * Math.log(1 - q1[i]!);
      }, 0) / 2;
    expect(parts.matchingClassToAttribute!.dataSync()[0]).toBeCloseTo(expectedToAu, 5);
    expect(parts.matchingAttributeToClass!.dataSync()[0]).toBeCloseTo(expectedToExp, 5);
    expect(parts.coannotationClassToAttribute!.dataSync()[0]).toBe(0);
  });

  it('hard co-annotation binarises R[y, :] at 0.5', () => {
    const regularizer = createDistributionMatching({
      tasks,
      relatedness,
      coannotation: 'hard',
      direction: 'off',
    });
    const { parts } = regularizer.loss(makeInputs().input);
    // sample 0, class 0: R[0, :] = [1, 0.5] on the related AUs → targets [1, 1].
    const expected = (bce(1, attributeLogits[0]![0]!) + bce(1, attributeLogits[0]![1]!)) / 2;
    expect(parts.coannotationClassToAttribute!.dataSync()[0]).toBeCloseTo(expected, 5);
  });

  it('naiveBayes form matches a hand computation', () => {
    const regularizer = createDistributionMatching({
      tasks,
      relatedness,
      coannotation: 'off',
      direction: 'auToExp',
      auToExpForm: 'naiveBayes',
    });
    const { input } = makeInputs();
    const { loss } = regularizer.loss(input);
    let expected = 0;
    for (let b = 0; b < 3; b++) {
      const scores = [0, 1].map((k) =>
        related.reduce((s, i) => {
          const a = sigmoid(attributeLogits[b]![i]!);
          return (
            s + a * Math.log(clipR(relatedness[k]![i]!)) + (1 - a) * Math.log(1 - clipR(relatedness[k]![i]!))
          );
        }, 0),
      );
      const t = softmax(scores);
      const logP = softmax(classLogits[b]!).map(Math.log);
      expected += -(t[0]! * logP[0]! + t[1]! * logP[1]!);
    }
    expect(loss.dataSync()[0]).toBeCloseTo(expected / 3, 5);
  });
});

describe('relatedness', () => {
  it('builds the Du 2014 rows by name, with observational shares or ones', () => {
    const matrix = du2014Relatedness(['Neutral', 'Happiness', 'Contempt'], ['AU6', 'AU12', 'AU14']);
    expect(matrix).toEqual([
      [0, 0, 0],
      [0.51, 1, 0],
      [0, 0, 0],
    ]);
    expect(du2014Relatedness(['happy'], ['6'], { observationalValue: 'one' })).toEqual([[1]]);
  });

  it("refuses 'du2014' when no attribute name is an AU of the table, instead of an all-zero R", () => {
    const tasks = defineTasks([
      { name: 'expression', kind: 'multiclass', channels: 2, labelNames: ['neutral', 'happiness'] },
      { name: 'attributes', kind: 'multilabel', channels: 2, labelNames: ['attribute0', 'attribute1'] },
    ]);
    expect(() => createDistributionMatching({ tasks })).toThrow(
      /'du2014' found no \(expression, AU\) pair.*attribute0, attribute1.*2×2 matrix/,
    );
    const named = defineTasks([
      { name: 'expression', kind: 'multiclass', channels: 2, labelNames: ['neutral', 'happiness'] },
      { name: 'attributes', kind: 'multilabel', channels: 2, labelNames: ['AU6', 'AU12'] },
    ]);
    const regularizer = createDistributionMatching({ tasks: named });
    regularizer.dispose();
  });

  it('estimates R empirically with add-alpha smoothing', () => {
    const matrix = estimateRelatedness(
      {
        classLabels: [0, 0, 1, -1],
        attributeLabels: [
          [1, -1],
          [1, 0],
          [0, 0],
          [1, 1],
        ],
      },
      2,
      2,
    );
    // class 0: AU0 annotated twice, on twice -> 3/4; AU1 annotated once, off -> 1/3. class 1: 1/3, 1/3.
    expect(matrix[0]![0]).toBeCloseTo(3 / 4);
    expect(matrix[0]![1]).toBeCloseTo(1 / 3);
    expect(matrix[1]).toEqual([1 / 3, 1 / 3]);
  });

  it('unknown regularizer names list the valid ones', () => {
    expect(() => createRegularizer('nope' as 'none', { tasks })).toThrow(/valid names: none/);
  });
});
