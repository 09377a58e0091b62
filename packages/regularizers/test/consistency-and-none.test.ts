import { defineTasks } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { weighted } from '../src/common-options.js';
import {
  consistencyDefaults,
  createRegularizer,
  distributionMatchingDefaults,
  jtrDefaults,
  noRegularizationDefaults,
  pairwiseDefaults,
  regularizerNames,
  regularizerOptionNames,
} from '../src/index.js';
import { creationFixtures, makeBatch, makeInput, useCpu } from './helpers.js';

beforeAll(useCpu);

const tasks = defineTasks([
  { name: 'depth', kind: 'depth', channels: 1 },
  { name: 'scene', kind: 'multiclass', channels: 3 },
]);

describe('none', () => {
  it('has no views, no variables and a zero loss', () => {
    const regularizer = createRegularizer('none', { tasks });
    expect(regularizer.viewsNeeded).toBe(0);
    expect(regularizer.variableGroups()).toEqual([]);
    const batch = makeBatch(['depth', 'scene'], {}, [[1, 1]]);
    const before = tf.memory().numTensors;
    const { loss, parts } = regularizer.loss(makeInput(tasks, batch, { predictions: {}, features: {} }));
    expect(loss.dataSync()[0]).toBe(0);
    expect(parts).toEqual({});
    loss.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('registers every method by name', () => {
    expect([...regularizerNames].sort()).toEqual([
      'consistency',
      'distribution-matching',
      'jtr',
      'none',
      'pairwise',
    ]);
  });

  it('lists the config options of each method: every default setting, nothing the caller supplies', () => {
    const defaults = {
      none: noRegularizationDefaults,
      jtr: jtrDefaults,
      pairwise: pairwiseDefaults,
      'distribution-matching': distributionMatchingDefaults,
      consistency: consistencyDefaults,
    };
    for (const name of regularizerNames) {
      const names = regularizerOptionNames(name);
      expect(names).toEqual(expect.arrayContaining(Object.keys(defaults[name])));
      for (const supplied of ['tasks', 'seed', 'warn']) expect(names).not.toContain(supplied);
    }
    expect(regularizerOptionNames('jtr')).toContain('quirks');
    expect(regularizerOptionNames('pairwise')).toContain('iterationsPerEpoch');
    expect(regularizerOptionNames('none')).toEqual([]);
  });

  it('a misspelt choice fails at creation, naming the method, the field and the choices', () => {
    const { denseTasks: dense, affectTasks: affect, relatedness } = creationFixtures;
    const cases: Array<[Parameters<typeof createRegularizer>[0], Record<string, unknown>, RegExp]> = [
      [
        'pairwise',
        { tasks: dense, mode: 'fathful' },
        /pairwise: mode must be one of "faithful", "clean"; got "fathful"/,
      ],
      [
        'pairwise',
        { tasks: dense, segmentationPrediction: 'soft-max' },
        /segmentationPrediction must be one of/,
      ],
      ['pairwise', { tasks: dense, rampUp: 'linear' }, /rampUp must be one of "fixed", "up"/],
      ['pairwise', { tasks: dense, diagnostics: 'no' }, /diagnostics must be one of true, false; got "no"/],
      ['jtr', { tasks: dense, mode: 'Clean' }, /jtr: mode must be one of "faithful", "clean"; got "Clean"/],
      [
        'distribution-matching',
        { tasks: affect, relatedness, direction: 'exp2au' },
        /distribution-matching: direction must be one of "both", "expToAu", "auToExp", "off"; got "exp2au"/,
      ],
      [
        'distribution-matching',
        { tasks: affect, relatedness: 'du2041' },
        /distribution-matching: relatedness must be one of "du2014", "empirical"; got "du2041"/,
      ],
    ];
    for (const [name, options, message] of cases) {
      expect(() =>
        createRegularizer(name, options as unknown as Parameters<typeof createRegularizer>[1]),
      ).toThrow(message);
    }
    // The same options spelt right build (and free) each regularizer.
    for (const [name, options] of [
      [
        'pairwise',
        {
          tasks: dense,
          mode: 'clean',
          segmentationPrediction: 'softmax',
          diagnostics: false,
          widthMultiplier: 0.125,
        },
      ],
      ['jtr', { tasks: dense, mode: 'clean', widthMultiplier: 0.125 }],
      ['distribution-matching', { tasks: affect, relatedness, direction: 'expToAu' }],
    ] as const) {
      createRegularizer(name, options as unknown as Parameters<typeof createRegularizer>[1]).dispose();
    }
  });

  it('a weight or rate that is negative, NaN or not a number fails at creation, naming the field', () => {
    const { denseTasks: dense, affectTasks: affect, relatedness } = creationFixtures;
    const cases: Array<[Parameters<typeof createRegularizer>[0], Record<string, unknown>, RegExp]> = [
      [
        'jtr',
        { tasks: dense, distanceWeight: -1 },
        /jtr: distanceWeight must be a finite number ≥ 0; got -1/,
      ],
      ['jtr', { tasks: dense, learningRate: 0 }, /jtr: learningRate must be a finite number > 0; got 0/],
      ['jtr', { tasks: dense, reconstructionWeight: '2' }, /jtr: reconstructionWeight .* got "2"/],
      [
        'pairwise',
        { tasks: dense, consistencyWeight: Number.NaN },
        /pairwise: consistencyWeight .* got null/,
      ],
      [
        'pairwise',
        { tasks: dense, filmLearningRate: -0.01 },
        /pairwise: filmLearningRate must be a finite number > 0/,
      ],
      [
        'distribution-matching',
        { tasks: affect, relatedness, lambdaDm: Number.POSITIVE_INFINITY },
        /distribution-matching: lambdaDm must be a finite number ≥ 0/,
      ],
      ['consistency', { tasks: dense, consistencyWeight: -0.5 }, /consistency: consistencyWeight must be/],
    ];
    for (const [name, options, message] of cases) {
      expect(() =>
        createRegularizer(name, options as unknown as Parameters<typeof createRegularizer>[1]),
      ).toThrow(message);
    }
    // Zero weights are allowed (a term switched off).
    createRegularizer('jtr', { tasks: dense, distanceWeight: 0, widthMultiplier: 0.125 }).dispose();
  });

  it('a zero weight switches its term off: zero, and no gradient path even where the term has a NaN gradient', () => {
    const x = tf.scalar(0);
    // d√x/dx at 0 is +Inf, and 0·Inf = NaN: multiplying by the weight would not switch the term off.
    const viaProduct = tf
      .grad((v: tf.Tensor) => tf.mul(0, tf.sqrt(v)))(x)
      .dataSync()[0];
    expect(viaProduct).toBeNaN();
    expect(
      tf
        .grad((v: tf.Tensor) => tf.add(weighted(0, tf.sqrt(v)), v))(x)
        .dataSync()[0],
    ).toBe(1);
    expect(weighted(0, tf.tensor1d([2, 3])).arraySync()).toEqual([0, 0]);
    expect(weighted(2.5, tf.tensor1d([2, 3])).arraySync()).toEqual([5, 7.5]);
    expect(
      tf
        .grad((v: tf.Tensor) => weighted(3, tf.square(v)))(tf.scalar(2))
        .dataSync()[0],
    ).toBe(12);
  });
});

describe('consistency (unverified baseline)', () => {
  const teacher = { depth: [1, 2, 3, 4], scene: [5, 0, 0, 1, 0, 0] };
  const student = { depth: [1.5, 2, 2, 4], scene: [0, 1, 0, 0, 0, 3] };
  const labelMask = [
    [1, 0],
    [0, 0],
  ];
  function input(teacherTensors: Record<string, tf.Tensor>, studentTensors: Record<string, tf.Tensor>) {
    const batch = makeBatch(['depth', 'scene'], {}, labelMask);
    return makeInput(tasks, batch, { predictions: teacherTensors, features: {} }, [
      { predictions: studentTensors, features: {} },
    ]);
  }
  const tensors = (values: typeof teacher) => ({
    depth: tf.tensor4d(values.depth, [2, 1, 2, 1]),
    scene: tf.tensor2d(values.scene, [2, 3]),
  });

  it('matches a hand computation', () => {
    const regularizer = createRegularizer('consistency', { tasks });
    expect(regularizer.viewsNeeded).toBe(1);
    const { loss, parts } = regularizer.loss(input(tensors(teacher), tensors(student)));
    // depth: only sample 1 is unlabelled, L1 mean (|2 − 3| + 0)/2 = 0.5.
    expect(parts.depth!.dataSync()[0]).toBeCloseTo(0.5, 6);
    // scene: sample 0's teacher is confident (softmax 0.987 > 0.95) → CE of [0, 1, 0] to class 0 = log(2 + e);
    // sample 1's teacher is not (0.576) → 0; mean over the 2 unlabelled samples.
    expect(parts.scene!.dataSync()[0]).toBeCloseTo(Math.log(2 + Math.E) / 2, 5);
    expect(loss.dataSync()[0]).toBeCloseTo(0.5 + Math.log(2 + Math.E) / 2, 5);
  });

  it('the teacher view is detached', () => {
    const regularizer = createRegularizer('consistency', { tasks });
    const teacherVariables = {
      depth: tf.variable(tensors(teacher).depth, true, 'cr-t-depth'),
      scene: tf.variable(tensors(teacher).scene, true, 'cr-t-scene'),
    };
    const studentVariables = {
      depth: tf.variable(tensors(student).depth, true, 'cr-s-depth'),
      scene: tf.variable(tensors(student).scene, true, 'cr-s-scene'),
    };
    const { grads } = tf.variableGrads(
      () => regularizer.loss(input(teacherVariables, studentVariables)).loss,
      [...Object.values(teacherVariables), ...Object.values(studentVariables)],
    );
    expect(Object.keys(grads).sort()).toEqual(['cr-s-depth', 'cr-s-scene']);
  });
});
