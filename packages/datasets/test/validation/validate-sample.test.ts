import { nyuv2Tasks, type Sample, type TaskSpec } from '@partial-mtl/core';
import { describe, expect, it } from 'vitest';
import { InvalidSampleError, validateSample } from '../../src/validation/validate-sample.js';

function scene(overrides: Partial<Record<string, Float32Array>> = {}, index = 3): Sample {
  const h = 2;
  const w = 2;
  return {
    index,
    image: { data: overrides.image ?? new Float32Array(h * w * 3).fill(0.5), shape: [h, w, 3] },
    labels: {
      semseg: { data: overrides.semseg ?? Float32Array.of(0, 12, -1, 3), shape: [h, w] },
      depth: { data: overrides.depth ?? Float32Array.of(1, 0, 2, 3), shape: [h, w, 1] },
    },
  };
}

const affectTasks: TaskSpec[] = [
  { name: 'expression', kind: 'multiclass', channels: 7 },
  { name: 'actionUnits', kind: 'multilabel', channels: 3 },
];

describe('validateSample', () => {
  it('accepts a valid sample, ignore values included', () => {
    expect(validateSample(scene(), nyuv2Tasks)).toBe(true);
  });

  it('names the source, the sample and the field of each problem', () => {
    expect(() =>
      validateSample(
        scene({ image: Float32Array.of(0, 0, 0, Number.NaN, 0, 0, 0, 0, 0, 0, 0, 0) }),
        nyuv2Tasks,
        { source: 'nyuv2/train' },
      ),
    ).toThrow('nyuv2/train, sample 3: image non-finite value at element 3');
    expect(() => validateSample(scene({ semseg: Float32Array.of(0, 13, 0, 0) }), nyuv2Tasks)).toThrow(
      /labels\.semseg class id 13 at element 1 is outside 0\.\.12/,
    );
    expect(() =>
      validateSample(scene({ depth: Float32Array.of(1, Number.POSITIVE_INFINITY, 0, 0) }), nyuv2Tasks),
    ).toThrow(/labels\.depth non-finite value at element 1/);
    const wrongShape: Sample = {
      ...scene(),
      labels: { depth: { data: new Float32Array(9), shape: [3, 3, 1] } },
    };
    expect(() => validateSample(wrongShape, nyuv2Tasks)).toThrow(
      /labels\.depth expected shape \[2, 2, 1\] to match the image, got \[3,3,1\]/,
    );
    try {
      validateSample(scene({ semseg: Float32Array.of(0.5, 0, 0, 0) }), nyuv2Tasks);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidSampleError);
      expect((error as InvalidSampleError).field).toBe('labels.semseg');
      expect((error as InvalidSampleError).sampleIndex).toBe(3);
    }
  });

  it('checks classification labels', () => {
    const sample = (expression: number, units: number[]): Sample => ({
      index: 0,
      image: { data: new Float32Array(3), shape: [1, 1, 3] },
      labels: {
        expression: { data: Int32Array.of(expression), shape: [1] },
        actionUnits: { data: Float32Array.from(units), shape: [units.length] },
      },
    });
    expect(validateSample(sample(6, [1, 0, -1]), affectTasks)).toBe(true);
    expect(() => validateSample(sample(7, [1, 0, 0]), affectTasks)).toThrow(/labels\.expression class id 7/);
    expect(() => validateSample(sample(0, [1, 0, 999]), affectTasks)).toThrow(
      /labels\.actionUnits value 999 at element 2 is not 0, 1 or −1/,
    );
    expect(() => validateSample(sample(0, [1, 0]), affectTasks)).toThrow(
      /labels\.actionUnits expected 3 values, got 2/,
    );
  });

  it('skips instead of throwing when asked', () => {
    expect(
      validateSample(scene({ semseg: Float32Array.of(0, 99, 0, 0) }), nyuv2Tasks, { onInvalid: 'skip' }),
    ).toBe(false);
  });
});
