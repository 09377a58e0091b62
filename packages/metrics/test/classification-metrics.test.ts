import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMulticlassMetric, createMultilabelMetric, f1Score } from '../src/index.js';
import { logitsFor, seededUniform, useCpu } from './helpers.js';

beforeAll(useCpu);

// Labels [0, 1, 2, -1, 1], predicted [0, 2, 2, 1, 1]: the -1 sample is skipped; 3 of 4 correct.
// F1: class 0 tp 1 → 1; class 1 tp 1, fn 1 → 2/3; class 2 tp 1, fp 1 → 2/3.
const classLabels = [0, 1, 2, -1, 1];
const classPredictions = [0, 2, 2, 1, 1];

describe('multiclass metric', () => {
  it('computes accuracy, macro F1 and per-class F1', () => {
    const metric = createMulticlassMetric({ classCount: 3, classNames: ['neutral', 'happy', 'sad'] });
    metric.update(
      { data: logitsFor(classPredictions, 3), shape: [5, 3] },
      { data: classLabels, shape: [5, 1] },
    );
    const result = metric.result();
    expect(result.accuracy).toBe(0.75);
    expect(result['f1.neutral']).toBe(1);
    expect(result['f1.happy']).toBeCloseTo(2 / 3, 12);
    expect(result['f1.sad']).toBeCloseTo(2 / 3, 12);
    expect(result.macroF1).toBeCloseTo(7 / 9, 12);
  });

  it('leaves a class absent from labels and predictions out of macro F1', () => {
    const metric = createMulticlassMetric({ classCount: 4 });
    metric.update(logitsFor(classPredictions, 4), classLabels);
    expect(metric.result().macroF1).toBeCloseTo(7 / 9, 12);
    expect(metric.result()['f1.3']).toBeUndefined();
    expect(f1Score(0, 0, 0)).toBeNaN();
  });

  it('reports {} without labelled samples; masks samples; rejects bad labels and NaN', () => {
    const metric = createMulticlassMetric({ classCount: 2 });
    metric.update(logitsFor([0, 1], 2), [-1, -1]);
    expect(metric.result()).toEqual({});
    metric.update({ data: logitsFor([0, 1], 2), shape: [2, 2] }, { data: [0, 0], shape: [2, 1] }, [1, 0]);
    expect(metric.result()).toEqual({ accuracy: 1, macroF1: 1, 'f1.0': 1 });
    metric.reset();
    expect(metric.result()).toEqual({});
    expect(() => metric.update(logitsFor([0], 2), [2])).toThrow(
      /multiclass: label\[0\] is 2; expected a class id in \[0, 2\) or -1/,
    );
    expect(() => metric.update([Number.NaN, 0], [0])).toThrow(/multiclass: prediction contains NaN/);
  });

  it('gives the same result in small batches, on tensors, without leaks', () => {
    const random = seededUniform(5);
    const logits = Float32Array.from({ length: 30 }, random);
    const labels = Float32Array.from({ length: 10 }, () => Math.floor(random() * 4) - 1);
    const logitsTensor = tf.tensor2d(logits, [10, 3]);
    const labelTensor = tf.tensor2d(labels, [10, 1]);
    const before = tf.memory().numTensors;
    const whole = createMulticlassMetric({ classCount: 3 });
    whole.update(logitsTensor, labelTensor);
    expect(tf.memory().numTensors).toBe(before);
    const pieces = createMulticlassMetric({ classCount: 3 });
    for (let sample = 0; sample < 10; sample += 2) {
      pieces.update(logits.subarray(sample * 3, sample * 3 + 6), labels.subarray(sample, sample + 2));
    }
    expect(pieces.result()).toEqual(whole.result());
    tf.dispose([logitsTensor, labelTensor]);
  });
});

// Logits [[2, -1], [-2, 3], [1, 0]], labels [[1, 0], [1, -1], [0, 1]].
// Label 0: tp (s0), fn (s1), fp (s2) → F1 2/4 = 0.5. Label 1: s0 tn, s1 not annotated, s2 logit 0 → p = 0.5,
// not above the threshold → fn → F1 0. Mean 0.25.
const labelLogits = [2, -1, -2, 3, 1, 0];
const multiLabels = [1, 0, 1, -1, 0, 1];

describe('multilabel metric', () => {
  it('computes per-label F1 and their mean, skipping -1 entries', () => {
    const metric = createMultilabelMetric({ labelCount: 2, labelNames: ['AU1', 'AU2'] });
    metric.update({ data: labelLogits, shape: [3, 2] }, { data: multiLabels, shape: [3, 2] });
    expect(metric.result()).toEqual({ meanF1: 0.25, 'f1.AU1': 0.5, 'f1.AU2': 0 });
  });

  it('accepts probabilities with another threshold', () => {
    const metric = createMultilabelMetric({ labelCount: 2, inputs: 'probabilities', threshold: 0.3 });
    metric.update([0.4, 0.2, 0.1, 0.9, 0.35, 0.31], multiLabels);
    // Label 0: tp, fn, fp → 0.5. Label 1: s0 0.2 → tn; s2 0.31 > 0.3 → tp → F1 1.
    expect(metric.result()).toEqual({ meanF1: 0.75, 'f1.0': 0.5, 'f1.1': 1 });
  });

  it('leaves out labels never annotated; {} when nothing is annotated; rejects bad labels', () => {
    const metric = createMultilabelMetric({ labelCount: 3 });
    metric.update([2, -1, 0, -2, 3, 0, 1, 0, 0], [1, 0, -1, 1, -1, -1, 0, 1, -1]);
    expect(metric.result()).toEqual({ meanF1: 0.25, 'f1.0': 0.5, 'f1.1': 0 });
    metric.reset();
    metric.update([1, 1, 1], [-1, -1, -1]);
    expect(metric.result()).toEqual({});
    expect(() => metric.update([1, 1, 1], [0.5, 0, 0])).toThrow(
      /multilabel: label\[0\] is 0.5; expected 0, 1 or -1/,
    );
  });

  it('applies the sample mask, matches in small batches, reads tensors without leaks', () => {
    const logitsTensor = tf.tensor2d(labelLogits, [3, 2]);
    const labelTensor = tf.tensor2d(multiLabels, [3, 2]);
    const maskTensor = tf.tensor1d([1, 1, 0]);
    const before = tf.memory().numTensors;
    const whole = createMultilabelMetric({ labelCount: 2 });
    whole.update(logitsTensor, labelTensor, maskTensor);
    expect(tf.memory().numTensors).toBe(before);
    // Without sample 2: label 0 tp + fn → 2/3; label 1 tn only → undefined, left out.
    expect(whole.result()).toEqual({ meanF1: 2 / 3, 'f1.0': 2 / 3 });
    const pieces = createMultilabelMetric({ labelCount: 2 });
    pieces.update([2, -1], [1, 0]);
    pieces.update([-2, 3], [1, -1]);
    expect(pieces.result()).toEqual(whole.result());
    tf.dispose([logitsTensor, labelTensor, maskTensor]);
  });
});
