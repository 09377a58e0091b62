// Distribution matching against an independent PyTorch implementation written from distribution-matching.md
// (reference/dm_reference.py, float64, its output in fixtures/dm-reference.json): for each configuration (perAu and
// naiveBayes, with and without detachTarget, hard co-annotation, dmOn 'missingOther', one direction, clips, Du 2014
// with shares and ones, the empirical estimate) the resolved R, the loss, its four logged parts, and the gradients of
// the loss and of every part w.r.t. the class and attribute logits; and supervisedClassificationLoss ('batch',
// 'sample'). Six samples: class only, attributes only (some unknown), both, neither, an unknown class id (-1), and a
// task-level label mask that hides label values which must be ignored.

import { defineTasks, RandomSource, type RegularizerInput, type TaskBatch } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  classificationTensors,
  createDistributionMatching,
  type DistributionMatchingSettings,
  resolveRelatedness,
  supervisedClassificationLoss,
} from '../src/index.js';
import { useCpu } from './helpers.js';
import { readReferenceFixture, relativeError } from './reference-fixture.js';

beforeAll(useCpu);

const partNames = [
  'coannotationClassToAttribute',
  'coannotationAttributeToClass',
  'matchingClassToAttribute',
  'matchingAttributeToClass',
] as const;
type PartName = (typeof partNames)[number];

interface Gradients {
  readonly classLogits: number[];
  readonly attributeLogits: number[];
}

interface ReferenceResult {
  /** The settings, with `relatedness: 'matrix'` standing for the fixture's `relatedness` matrix. */
  readonly options: Omit<DistributionMatchingSettings, 'relatedness'> & {
    readonly relatedness: 'matrix' | 'du2014' | 'empirical';
  };
  readonly relatednessMatrix: number[][];
  readonly loss: number;
  readonly parts: Record<PartName, number>;
  /** Of the loss and of each (unweighted) part. */
  readonly gradients: Record<'loss' | PartName, Gradients>;
}

interface Reference {
  readonly batchSize: number;
  readonly classes: number;
  readonly attributes: number;
  readonly classLabels: number[];
  readonly attributeLabels: number[][];
  readonly labelMask: number[][];
  readonly classLogits: number[][];
  readonly attributeLogits: number[][];
  readonly relatedness: number[][];
  readonly du2014: { readonly classNames: string[]; readonly attributeNames: string[] };
  readonly coannotatedData: { readonly classLabels: number[]; readonly attributeLabels: number[][] };
  readonly expected: Record<string, ReferenceResult>;
  readonly supervised: Record<'batch' | 'sample', { readonly loss: number; readonly gradients: Gradients }>;
}

const reference = readReferenceFixture<Reference>('dm-reference.json');

const tasks = defineTasks([
  { name: 'expression', kind: 'multiclass', channels: reference.classes },
  { name: 'actionUnits', kind: 'multilabel', channels: reference.attributes },
]);

/** Entries that are exactly zero in the reference (masked samples and attributes, stop-gradient) and not here. */
function nonZeroWhereZero(actual: ArrayLike<number>, expected: readonly number[]): number[] {
  return expected.flatMap((want, i) => (want === 0 && actual[i] !== 0 ? [i] : []));
}

const scalarError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

function makeInput(classLogits: tf.Variable, attributeLogits: tf.Variable): RegularizerInput {
  const batch: TaskBatch = {
    images: tf.zeros([reference.batchSize, 1, 1, 3]),
    labels: {
      expression: tf.tensor2d(reference.classLabels.map((label) => [label])),
      actionUnits: tf.tensor2d(reference.attributeLabels),
    },
    labelMask: tf.tensor2d(reference.labelMask),
    taskNames: tasks.map((task) => task.name),
    indices: reference.labelMask.map((_, i) => i),
  };
  return {
    tasks,
    batch,
    output: { predictions: { expression: classLogits, actionUnits: attributeLogits }, features: {} },
    viewOutputs: [],
    random: new RandomSource(1),
    step: 0,
    epoch: 0,
  };
}

function disposeInput(input: RegularizerInput): void {
  tf.dispose([input.batch.images, input.batch.labelMask, ...Object.values(input.batch.labels)]);
}

/**
 * Gradients of `f` w.r.t. both logits, as arrays. A variable with no path to the value (stop-gradient, a term that is
 * off) gets none from tf.variableGrads, and a value with no path to either throws: both read as exact zeros.
 */
function gradientsOf(
  f: () => tf.Scalar,
  classLogits: tf.Variable,
  attributeLogits: tf.Variable,
): { value: number; gradients: Record<keyof Gradients, Float32Array> } {
  const zeros = (variable: tf.Variable) => new Float32Array(variable.size);
  try {
    // In a tidy: when variableGrads throws, it has already computed the value, which the tidy then frees.
    const { value, grads } = tf.tidy(() => tf.variableGrads(f, [classLogits, attributeLogits]));
    const read = (variable: tf.Variable) => {
      const gradient = grads[variable.name];
      return gradient ? (gradient.dataSync() as Float32Array) : zeros(variable);
    };
    const result = {
      value: value.dataSync()[0]!,
      gradients: { classLogits: read(classLogits), attributeLogits: read(attributeLogits) },
    };
    tf.dispose([value, ...Object.values(grads)]);
    return result;
  } catch (error) {
    if (!/Cannot find a connection between any variable and the result/.test(String(error))) throw error;
    const value = tf.tidy(f);
    const result = {
      value: value.dataSync()[0]!,
      gradients: { classLogits: zeros(classLogits), attributeLogits: zeros(attributeLogits) },
    };
    value.dispose();
    return result;
  }
}

function expectGradients(
  actual: Record<keyof Gradients, Float32Array>,
  want: Gradients,
  label: string,
): void {
  for (const key of ['classLogits', 'attributeLogits'] as const) {
    expect(relativeError(actual[key], want[key]), `${label} d/d${key}`).toBeLessThan(2e-5);
    expect(nonZeroWhereZero(actual[key], want[key]), `${label} d/d${key}: zero in the reference`).toEqual([]);
  }
}

describe('distribution matching against the PyTorch reference', () => {
  let counter = 0;
  const variables = () => {
    counter += 1;
    return {
      classLogits: tf.variable(tf.tensor2d(reference.classLogits), true, `dmReference.class${counter}`),
      attributeLogits: tf.variable(tf.tensor2d(reference.attributeLogits), true, `dmReference.au${counter}`),
    };
  };

  it.each(Object.keys(reference.expected))(
    '%s: R, loss, parts and the gradients of each match reference/dm_reference.py',
    (name) => {
      const expected = reference.expected[name]!;
      const { relatedness, ...settings } = expected.options;
      const options = {
        tasks,
        ...settings,
        relatedness: relatedness === 'matrix' ? reference.relatedness : relatedness,
        ...reference.du2014,
        coannotatedData: reference.coannotatedData,
      };
      // The resolved R (Du 2014 table, empirical estimate, or the matrix as given).
      const matrix = resolveRelatedness(options, tasks[0]!, tasks[1]!);
      expect(relativeError(matrix.flat(), expected.relatednessMatrix.flat()), 'R').toBeLessThan(1e-9);

      const regularizer = createDistributionMatching(options);
      const { classLogits, attributeLogits } = variables();
      const input = makeInput(classLogits, attributeLogits);
      const before = tf.memory().numTensors;
      const parts: Record<string, number> = {};
      const total = gradientsOf(
        () => {
          const result = regularizer.loss(input);
          for (const [key, part] of Object.entries(result.parts)) parts[key] = part.dataSync()[0]!;
          tf.dispose(Object.values(result.parts));
          return result.loss as tf.Scalar;
        },
        classLogits,
        attributeLogits,
      );
      expect(scalarError(total.value, expected.loss), 'loss').toBeLessThan(2e-5);
      expect(Object.keys(parts).sort()).toEqual([...partNames].sort());
      for (const key of partNames) {
        const want = expected.parts[key];
        if (want === 0) expect(parts[key], key).toBe(0);
        else expect(scalarError(parts[key]!, want), key).toBeLessThan(2e-5);
      }
      expectGradients(total.gradients, expected.gradients.loss, 'loss');

      // Each part on its own: stop-gradient and the masks show as exact zeros.
      for (const key of partNames) {
        const part = gradientsOf(
          () => {
            const result = regularizer.loss(input);
            const kept = result.parts[key]!;
            tf.dispose([result.loss, ...Object.values(result.parts).filter((tensor) => tensor !== kept)]);
            return kept as tf.Scalar;
          },
          classLogits,
          attributeLogits,
        );
        expectGradients(part.gradients, expected.gradients[key], key);
      }
      expect(tf.memory().numTensors).toBe(before);
      disposeInput(input);
      tf.dispose([classLogits, attributeLogits]);
      regularizer.dispose();
    },
  );

  it.each(['batch', 'sample'] as const)(
    "supervisedClassificationLoss, auNormalisation '%s', and its gradients match the reference",
    (normalisation) => {
      const expected = reference.supervised[normalisation];
      const { classLogits, attributeLogits } = variables();
      const input = makeInput(classLogits, attributeLogits);
      const { value, gradients } = gradientsOf(
        () => {
          const tensors = classificationTensors(input, 'expression', 'actionUnits');
          const loss = supervisedClassificationLoss(tensors, normalisation);
          tf.dispose([tensors.hasClass, tensors.classLabels, tensors.attributeLabels, tensors.attributeMask]);
          return loss;
        },
        classLogits,
        attributeLogits,
      );
      expect(scalarError(value, expected.loss), 'loss').toBeLessThan(2e-5);
      expectGradients(gradients, expected.gradients, 'supervised');
      disposeInput(input);
      tf.dispose([classLogits, attributeLogits]);
    },
  );
});
