import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAngleMedian, createNormalMetric } from '../src/index.js';
import { seededUniform, useCpu } from './helpers.js';

beforeAll(useCpu);

const cos20 = Math.cos((20 * Math.PI) / 180);
const sin20 = Math.sin((20 * Math.PI) / 180);
// Five pixels: angles 0°, 90°, 20°, invalid (label 0,0,0), 180°.
const predictions = [0, 0, 1, 1, 0, 0, cos20, sin20, 0, 0, 1, 0, -1, 0, 0];
const labels = [0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0];

describe('normal metric', () => {
  it('computes mean, exact median, rmse and within-threshold percentages over valid pixels', () => {
    const metric = createNormalMetric({ median: { mode: 'exact' } });
    metric.update({ data: predictions, shape: [1, 1, 5, 3] }, { data: labels, shape: [1, 1, 5, 3] });
    const result = metric.result();
    expect(result.meanDeg).toBeCloseTo((0 + 90 + 20 + 180) / 4, 9);
    expect(result.medianDeg).toBeCloseTo((20 + 90) / 2, 9);
    expect(result.rmseDeg).toBeCloseTo(Math.sqrt((90 ** 2 + 20 ** 2 + 180 ** 2) / 4), 9);
    expect(result.within11_25).toBe(25);
    expect(result.within22_5).toBe(50);
    expect(result.within30).toBe(50);
  });

  it('histogram median is within half a 0.01° bin of the exact median', () => {
    const metric = createNormalMetric();
    metric.update(predictions, labels);
    expect(Math.abs(metric.result().medianDeg! - 55)).toBeLessThanOrEqual(0.0051);
    const odd = createAngleMedian();
    for (const angle of [0, 0, 20.123, 90, 180]) odd.add(angle);
    expect(odd.median()).toBeCloseTo(20.125, 9); // centre of bin [20.12, 20.13)
    expect(createAngleMedian().median()).toBeNaN();
    expect(() => createAngleMedian({ binDegrees: 0.3 })).toThrow(/binDegrees must divide 1°/);
  });

  it('tests validity on the sum of label components (faithful) and renormalises in clean mode', () => {
    const faithful = createNormalMetric();
    const clean = createNormalMetric({ mode: 'clean' });
    // Pixel 1: prediction (0, 0, 2) vs label (0, 0.6, 0.8): dot 1.6 clamps to 0° in faithful mode,
    // 0.8 → 36.87° after renormalising. Pixel 2: label (0.5, -0.5, 0) sums to 0, so it is invalid.
    for (const metric of [faithful, clean]) metric.update([0, 0, 2, 1, 0, 0], [0, 0.6, 0.8, 0.5, -0.5, 0]);
    expect(faithful.result().meanDeg).toBe(0);
    expect(clean.result().meanDeg).toBeCloseTo((Math.acos(0.8) * 180) / Math.PI, 9);
  });

  it('reports {} with no valid pixel, skips masked samples, rejects NaN', () => {
    const metric = createNormalMetric();
    metric.update([1, 0, 0], [0, 0, 0]);
    expect(metric.result()).toEqual({});
    metric.update(
      { data: [1, 0, 0, 1, 0, 0], shape: [2, 1, 1, 3] },
      { data: [0, 1, 0, 1, 0, 0], shape: [2, 1, 1, 3] },
      [0, 1],
    );
    expect(metric.result().meanDeg).toBe(0);
    metric.reset();
    expect(metric.result()).toEqual({});
    expect(() => metric.update([Number.NaN, 0, 0], [1, 0, 0])).toThrow(/normals: prediction contains NaN/);
    expect(() => metric.update({ data: [1, 0], shape: [1, 2] }, [1, 0])).toThrow(
      /normals: prediction has shape \[1, 2\]; expected 3 channels/,
    );
  });

  it('gives the same result for many small batches as for one big batch', () => {
    const random = seededUniform(11);
    const values = Float32Array.from({ length: 36 }, () => random() * 2 - 1);
    const truth = Float32Array.from({ length: 36 }, () => random() * 2 - 1);
    for (const median of ['exact', 'histogram'] as const) {
      const whole = createNormalMetric({ mode: 'clean', median: { mode: median } });
      whole.update({ data: values, shape: [4, 1, 3, 3] }, { data: truth, shape: [4, 1, 3, 3] });
      const pieces = createNormalMetric({ mode: 'clean', median: { mode: median } });
      for (let start = 0; start < 36; start += 9) {
        pieces.update(values.subarray(start, start + 9), truth.subarray(start, start + 9));
      }
      expect(pieces.result()).toEqual(whole.result());
    }
  });

  it('reads cpu tensors without leaking', () => {
    const prediction = tf.tensor4d(predictions, [1, 1, 5, 3]);
    const label = tf.tensor4d(labels, [1, 1, 5, 3]);
    const mask = tf.tensor1d([1]);
    const before = tf.memory().numTensors;
    const metric = createNormalMetric({ median: { mode: 'exact' } });
    metric.update(prediction, label, mask);
    expect(metric.result().meanDeg).toBeCloseTo(72.5, 4);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([prediction, label, mask]);
  });
});
