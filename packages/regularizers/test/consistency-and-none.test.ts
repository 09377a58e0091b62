import { defineTasks } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRegularizer, regularizerNames } from '../src/index.js';
import { makeBatch, makeInput, useCpu } from './helpers.js';

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
