import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDepthMetric } from '../src/index.js';
import { seededUniform, useCpu } from './helpers.js';

beforeAll(useCpu);

describe('depth metric', () => {
  it('accumulates over valid pixels with predictions clamped to 1e-9', () => {
    const metric = createDepthMetric();
    // Valid pairs (g, p): (2, 1), (4, 5), (1, -3 → 1e-9); the g = 0 pixel is invalid.
    metric.update({ data: [1, 5, 5, -3], shape: [1, 2, 2, 1] }, { data: [2, 0, 4, 1], shape: [1, 2, 2, 1] });
    const clampedError = 1 - 1e-9;
    const result = metric.result();
    expect(result.absErr).toBeCloseTo((2 + clampedError) / 3, 12);
    expect(result.absRel).toBeCloseTo((1 / 2 + 1 / 4 + clampedError) / 3, 12);
    expect(result.rmse).toBeCloseTo(Math.sqrt((2 + clampedError ** 2) / 3), 12);
    const logErrors = [Math.log(2), Math.log(4 / 5), 9 * Math.log(10)];
    expect(result.logRmse).toBeCloseTo(Math.sqrt(logErrors.reduce((s, e) => s + e * e, 0) / 3), 10);
    // Ratios max(p/g, g/p): 2, 1.25, 1e9. delta1 is strict (< 1.25), so only 1.25 < 1.5625 counts for delta2.
    expect(result.delta1).toBe(0);
    expect(result.delta2).toBeCloseTo(1 / 3, 12);
    expect(result.delta3).toBeCloseTo(1 / 3, 12);
  });

  it('pixel averaging weighs batches by valid pixels; batch averaging follows MTAN', () => {
    const pixel = createDepthMetric();
    const batch = createDepthMetric({ averaging: 'batch' });
    for (const metric of [pixel, batch]) {
      metric.update([1], [2]); // absErr 1, absRel 1/2
      metric.update([5, 2], [4, 1]); // absErr 1, absRel (1/4 + 1) / 2
      metric.update([3], [0]); // no valid pixel: skipped in both modes
    }
    expect(pixel.result().absRel).toBeCloseTo((0.5 + 0.25 + 1) / 3, 12);
    expect(batch.result().absRel).toBeCloseTo((0.5 + 0.625) / 2, 12);
    expect(batch.result().absErr).toBeCloseTo(1, 12);
    expect(batch.result().rmse).toBeCloseTo(1, 12);
  });

  it('reports {} with zero valid pixels (all labels 0 or all samples masked)', () => {
    const metric = createDepthMetric();
    metric.update([1, 2], [0, 0]);
    expect(metric.result()).toEqual({});
    metric.update({ data: [1, 2], shape: [2, 1] }, { data: [3, 3], shape: [2, 1] }, [0, 0]);
    expect(metric.result()).toEqual({});
    const batch = createDepthMetric({ averaging: 'batch' });
    batch.update([1], [0]);
    expect(batch.result()).toEqual({});
  });

  it('applies the sample mask and resets', () => {
    const metric = createDepthMetric();
    metric.update({ data: [1, 1, 9, 9], shape: [2, 2] }, { data: [2, 2, 1, 1], shape: [2, 2] }, [1, 0]);
    expect(metric.result().absErr).toBe(1);
    metric.reset();
    expect(metric.result()).toEqual({});
  });

  it('rejects NaN predictions and negative labels with clear errors', () => {
    const metric = createDepthMetric();
    expect(() => metric.update([Number.NaN], [1])).toThrow(/depth: prediction contains NaN at flat index 0/);
    expect(() => metric.update([1], [-2])).toThrow(
      /depth: label\[0\] is -2; expected a positive finite depth/,
    );
    expect(() => metric.update([1, 2], [1])).toThrow(/depth: prediction .* describe 2 and 1 elements/);
  });

  it('gives the same result for many small batches as for one big batch', () => {
    const random = seededUniform(3);
    const predictions = Float32Array.from({ length: 24 }, () => random() * 4 - 0.5);
    const labels = Float32Array.from({ length: 24 }, () => (random() < 0.2 ? 0 : random() * 5 + 0.1));
    const whole = createDepthMetric();
    whole.update({ data: predictions, shape: [6, 2, 2, 1] }, { data: labels, shape: [6, 2, 2, 1] });
    const pieces = createDepthMetric();
    for (let start = 0; start < 24; start += 4) {
      pieces.update(predictions.subarray(start, start + 4), labels.subarray(start, start + 4));
    }
    const expected = whole.result();
    for (const [name, value] of Object.entries(pieces.result()))
      expect(value).toBeCloseTo(expected[name]!, 12);
  });

  it('reads cpu tensors without leaking', () => {
    const prediction = tf.tensor4d([1, 5, 5, -3], [1, 2, 2, 1]);
    const label = tf.tensor4d([2, 0, 4, 1], [1, 2, 2, 1]);
    const before = tf.memory().numTensors;
    const metric = createDepthMetric();
    metric.update(prediction, label);
    metric.result();
    expect(tf.memory().numTensors).toBe(before);
    const reference = createDepthMetric();
    reference.update(new Float32Array([1, 5, 5, -3]), new Float32Array([2, 0, 4, 1]));
    expect(metric.result()).toEqual(reference.result());
    tf.dispose([prediction, label]);
  });
});
