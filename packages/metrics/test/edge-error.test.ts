import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEdgeError } from '../src/index.js';
import { useCpu } from './helpers.js';

beforeAll(useCpu);

describe('edge regression error', () => {
  it('computes mean absolute error and RMSE over every element by default', () => {
    const metric = createEdgeError();
    metric.update({ data: [0.5, 1, 0], shape: [1, 1, 3, 1] }, { data: [0, 1, 1], shape: [1, 1, 3, 1] });
    expect(metric.result().absErr).toBeCloseTo(0.5, 12);
    expect(metric.result().rmse).toBeCloseTo(Math.sqrt(1.25 / 3), 12);
  });

  it('skips the ignore value and masked samples; {} when nothing is valid', () => {
    const metric = createEdgeError({ ignoreValue: -1, channels: 2 });
    metric.update({ data: [1, 1, 5, 5], shape: [2, 2] }, { data: [0, -1, 0, 0], shape: [2, 2] }, [1, 0]);
    expect(metric.result()).toEqual({ absErr: 1, rmse: 1 });
    metric.reset();
    metric.update([1, 1], [-1, -1]);
    expect(metric.result()).toEqual({});
    expect(() => metric.update([Number.NaN, 0], [0, 0])).toThrow(/edges: prediction contains NaN/);
  });

  it('gives the same result in small batches and does not leak tensors', () => {
    const prediction = tf.tensor4d([0.2, 0.4, 0.9, 0.1], [2, 1, 2, 1]);
    const label = tf.tensor4d([0, 1, 1, 0], [2, 1, 2, 1]);
    const before = tf.memory().numTensors;
    const whole = createEdgeError();
    whole.update(prediction, label);
    const pieces = createEdgeError();
    pieces.update([0.2, 0.4], [0, 1]);
    pieces.update([0.9, 0.1], [1, 0]);
    expect(tf.memory().numTensors).toBe(before);
    expect(pieces.result().absErr).toBeCloseTo(whole.result().absErr!, 6);
    expect(whole.result().absErr).toBeCloseTo((0.2 + 0.6 + 0.1 + 0.1) / 4, 6);
    tf.dispose([prediction, label]);
  });
});
