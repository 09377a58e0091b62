import { defineTasks, RandomSource, type Sample, type TaskSpec } from '@partial-mtl/core';
import { describe, expect, test } from 'vitest';
import { flipSampleHorizontally } from '../../src/augment/horizontal-flip.js';
import { applyScaleCrop, drawScaleCrop } from '../../src/augment/random-scale-crop.js';

const tasks: readonly TaskSpec[] = defineTasks([
  { name: 'semseg', kind: 'segmentation', channels: 13, ignoreValue: -1 },
  { name: 'depth', kind: 'depth', channels: 1, ignoreValue: 0 },
  { name: 'normal', kind: 'normals', channels: 3, ignoreValue: 0 },
  { name: 'expression', kind: 'multiclass', channels: 7 },
]);

/** A 4×4 sample: image = row·10 + column in every channel; labels encode their pixel the same way. */
function grid(): Sample {
  const cells = Array.from({ length: 16 }, (_, p) => Math.floor(p / 4) * 10 + (p % 4));
  return {
    index: 3,
    image: { data: Float32Array.from(cells.flatMap((v) => [v, v, v])), shape: [4, 4, 3] },
    labels: {
      semseg: { data: Int32Array.from(cells), shape: [4, 4] },
      depth: { data: Float32Array.from(cells.map((v) => v + 1)), shape: [4, 4, 1] },
      normal: { data: Float32Array.from(cells.flatMap((v) => [v, 0, -v || 0])), shape: [4, 4, 3] },
      expression: { data: new Float32Array([5]), shape: [1] },
    },
  };
}

describe('drawScaleCrop', () => {
  test('NYU-v2 crop sizes and inclusive offset ranges', () => {
    const random = new RandomSource(1);
    const seen = new Map<string, { minTop: number; maxTop: number; minLeft: number; maxLeft: number }>();
    for (let i = 0; i < 3000; i++) {
      const crop = drawScaleCrop(288, 384, random);
      const key = `${crop.scale}:${crop.height}x${crop.width}`;
      const entry = seen.get(key) ?? { minTop: 1e9, maxTop: -1, minLeft: 1e9, maxLeft: -1 };
      entry.minTop = Math.min(entry.minTop, crop.top);
      entry.maxTop = Math.max(entry.maxTop, crop.top);
      entry.minLeft = Math.min(entry.minLeft, crop.left);
      entry.maxLeft = Math.max(entry.maxLeft, crop.left);
      seen.set(key, entry);
    }
    expect([...seen.keys()].sort()).toEqual(['1.2:240x320', '1.5:192x256', '1:288x384']);
    expect(seen.get('1:288x384')).toEqual({ minTop: 0, maxTop: 0, minLeft: 0, maxLeft: 0 });
    expect(seen.get('1.2:240x320')).toEqual({ minTop: 0, maxTop: 48, minLeft: 0, maxLeft: 64 });
    expect(seen.get('1.5:192x256')!.maxTop).toBe(96);
    expect(seen.get('1.5:192x256')!.maxLeft).toBe(128);
  });

  test('Cityscapes crop sizes are 106×213 and 85×170', () => {
    const random = new RandomSource(2);
    const sizes = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const crop = drawScaleCrop(128, 256, random);
      sizes.add(`${crop.height}x${crop.width}`);
    }
    expect([...sizes].sort()).toEqual(['106x213', '128x256', '85x170']);
  });
});

describe('applyScaleCrop', () => {
  test('hand example: scale 2, crop 2×2 at (1, 1) of a 4×4 grid', () => {
    const sample = grid();
    const out = applyScaleCrop(sample, tasks, { scale: 2, top: 1, left: 1, height: 2, width: 2 });
    // Nearest: output row/column d reads crop index floor(d·2/4) = 0, 0, 1, 1.
    const nearest = [11, 11, 12, 12, 11, 11, 12, 12, 21, 21, 22, 22, 21, 21, 22, 22];
    expect(Array.from(out.labels.semseg!.data)).toEqual(nearest);
    expect(out.labels.semseg!.data).toBeInstanceOf(Int32Array);
    expect(Array.from(out.labels.depth!.data)).toEqual(nearest.map((v) => (v + 1) / 2));
    expect(out.labels.depth!.shape).toEqual([4, 4, 1]);
    // Bilinear with aligned corners: output d reads crop coordinate d/3, so rows 11, 11⅓·…: value 11 + 10·r/3 + c/3.
    const bilinear = Array.from({ length: 16 }, (_, p) => 11 + (10 * Math.floor(p / 4)) / 3 + (p % 4) / 3);
    const image = out.image.data;
    for (let p = 0; p < 16; p++) {
      expect(image[p * 3]).toBeCloseTo(bilinear[p]!, 5);
      expect(out.labels.normal!.data[p * 3]).toBeCloseTo(bilinear[p]!, 5);
      expect(out.labels.normal!.data[p * 3 + 2]).toBeCloseTo(-bilinear[p]!, 5);
    }
    // Per-image labels are not touched.
    expect(out.labels.expression).toBe(sample.labels.expression);
    expect(Array.from(out.labels.expression!.data)).toEqual([5]);
    expect(out.index).toBe(3);
  });

  test('scale 1 is the identity', () => {
    const sample = grid();
    const out = applyScaleCrop(sample, tasks, { scale: 1, top: 0, left: 0, height: 4, width: 4 });
    expect(Array.from(out.image.data)).toEqual(Array.from(sample.image.data));
    expect(Array.from(out.labels.depth!.data)).toEqual(Array.from(sample.labels.depth!.data));
    expect(Array.from(out.labels.normal!.data)).toEqual(Array.from(sample.labels.normal!.data));
  });

  test('a label of the wrong size is reported with its task', () => {
    const sample = grid();
    const bad: Sample = {
      ...sample,
      labels: { ...sample.labels, depth: { data: new Float32Array(12), shape: [3, 4, 1] } },
    };
    expect(() => applyScaleCrop(bad, tasks, { scale: 2, top: 0, left: 0, height: 2, width: 2 })).toThrow(
      /label 'depth'/,
    );
  });
});

test('flipSampleHorizontally mirrors image and labels and negates the normal x', () => {
  const out = flipSampleHorizontally(grid(), tasks);
  expect(Array.from(out.labels.semseg!.data).slice(0, 4)).toEqual([3, 2, 1, 0]);
  expect(Array.from(out.labels.normal!.data).slice(0, 6)).toEqual([-3, 0, -3, -2, 0, -2]);
  expect(Array.from(out.image.data).slice(0, 3)).toEqual([3, 3, 3]);
  expect(Array.from(out.labels.expression!.data)).toEqual([5]);
});
