import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDepthMetric, readInput } from '../src/index.js';
import { useCpu } from './helpers.js';

beforeAll(useCpu);

describe('metric inputs', () => {
  it('reads tensors, typed arrays, number arrays and { data, shape }', () => {
    const tensor = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    expect(readInput(tensor, 'm', 'prediction')).toEqual({
      values: new Float32Array([1, 2, 3, 4]),
      shape: [2, 2],
    });
    tensor.dispose();
    expect(readInput(new Int32Array([1, 2]), 'm', 'label').shape).toBeUndefined();
    expect(readInput([1, 2], 'm', 'label').values).toEqual([1, 2]);
    expect(readInput({ data: [1, 2], shape: [2, 1] }, 'm', 'label').shape).toEqual([2, 1]);
    expect(() => readInput('depth' as unknown as number[], 'm', 'label')).toThrow(
      /m: label must be a tf.Tensor, a typed array, a number array or \{ data, shape \}/,
    );
  });

  it('checks batch sizes, mask length and NaN masks', () => {
    const metric = createDepthMetric();
    expect(() => metric.update({ data: [1, 1], shape: [2, 1] }, { data: [1, 1], shape: [1, 2] })).toThrow(
      /depth: prediction batch 2 and label batch 1 differ/,
    );
    expect(() => metric.update([1, 1], [1, 1], [Number.NaN, 1])).toThrow(/depth: sampleMask\[0\] is NaN/);
    metric.update([], [], []);
    expect(metric.result()).toEqual({});
  });

  it('accepts an int32 label tensor and a [B, 1] mask tensor', () => {
    const prediction = tf.tensor4d([1, 2], [2, 1, 1, 1]);
    const label = tf.tensor4d([2, 2], [2, 1, 1, 1], 'int32');
    const mask = tf.tensor2d([0, 1], [2, 1]);
    const before = tf.memory().numTensors;
    const metric = createDepthMetric();
    metric.update(prediction, label, mask);
    expect(metric.result().absErr).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([prediction, label, mask]);
  });
});
