import { describe, expect, test } from 'vitest';
import { createSyntheticAffect, syntheticAffectRelatedness } from '../../src/synthetic/synthetic-affect.js';

describe('createSyntheticAffect', () => {
  test('tasks, shapes and the exported relatedness matrix', async () => {
    const source = createSyntheticAffect({ count: 4, size: 16, seed: 1 });
    expect(source.tasks.map((task) => [task.name, task.kind, task.channels])).toEqual([
      ['expression', 'multiclass', 7],
      ['actionUnits', 'multilabel', 8],
    ]);
    expect(source.relatedness).toBe(syntheticAffectRelatedness);
    expect(syntheticAffectRelatedness).toHaveLength(7);
    const sample = await source.read(3);
    expect(sample.image.shape).toEqual([16, 16, 3]);
    expect(sample.labels.expression!.shape).toEqual([1]);
    expect(sample.labels.actionUnits!.shape).toEqual([8]);
    expect(sample.labels.actionUnits!.data.every((value) => value === 0 || value === 1)).toBe(true);
    expect(await createSyntheticAffect({ count: 4, size: 16, seed: 1 }).read(3)).toEqual(sample);
  });

  test('attributes follow p(attribute | class) and show in the image', async () => {
    const size = 12;
    const count = 1400;
    const source = createSyntheticAffect({ count, size, seed: 5 });
    const perClass = Array.from({ length: 7 }, () => ({ samples: 0, on: new Array<number>(8).fill(0) }));
    // Attribute 0 sits right of centre (angle 0) and darkens its spot; compare that spot when on and off.
    const spot = (Math.round((size - 1) / 2) * size + Math.round((size - 1) / 2 + size * 0.25)) * 3;
    const brightness = { on: [0, 0], off: [0, 0] };
    for (let index = 0; index < count; index++) {
      const sample = await source.read(index);
      const expression = sample.labels.expression!.data[0]!;
      const attributes = sample.labels.actionUnits!.data;
      perClass[expression]!.samples++;
      attributes.forEach((value, i) => {
        perClass[expression]!.on[i]! += value;
      });
      const bucket = attributes[0] ? brightness.on : brightness.off;
      bucket[0]! += sample.image.data[spot]!;
      bucket[1]!++;
    }
    perClass.forEach((entry, k) => {
      expect(entry.samples).toBeGreaterThan(140);
      entry.on.forEach((on, i) => {
        expect(Math.abs(on / entry.samples - syntheticAffectRelatedness[k]![i]!)).toBeLessThan(0.1);
      });
    });
    expect(brightness.on[0]! / brightness.on[1]!).toBeLessThan(
      brightness.off[0]! / brightness.off[1]! - 0.15,
    );
  });

  test('attributeVisibility hides active attributes from the image but not from the labels', async () => {
    const size = 12;
    const count = 600;
    // Attribute 0's spot, as above: darker when attribute 0 is on and drawn.
    const spot = (Math.round((size - 1) / 2) * size + Math.round((size - 1) / 2 + size * 0.25)) * 3;
    const contrast = async (attributeVisibility: number) => {
      const source = createSyntheticAffect({ count, size, seed: 5, attributeVisibility });
      const sums = { on: 0, onCount: 0, off: 0, offCount: 0 };
      const labels: number[][] = [];
      for (let index = 0; index < count; index++) {
        const sample = await source.read(index);
        const attributes = sample.labels.actionUnits!.data;
        labels.push([sample.labels.expression!.data[0]!, ...attributes]);
        if (attributes[0]) {
          sums.on += sample.image.data[spot]!;
          sums.onCount++;
        } else {
          sums.off += sample.image.data[spot]!;
          sums.offCount++;
        }
      }
      return { contrast: sums.off / sums.offCount - sums.on / sums.onCount, labels };
    };
    const always = await contrast(1);
    const half = await contrast(0.5);
    const never = await contrast(0);
    expect(always.contrast).toBeGreaterThan(0.15);
    expect(half.contrast).toBeGreaterThan(0.3 * always.contrast);
    expect(half.contrast).toBeLessThan(0.7 * always.contrast);
    expect(Math.abs(never.contrast)).toBeLessThan(0.03);
    expect(half.labels).toEqual(always.labels);
    expect(never.labels).toEqual(always.labels);
    expect(() => createSyntheticAffect({ count: 1, size: 8, seed: 0, attributeVisibility: 1.5 })).toThrow(
      /attributeVisibility must be in \[0, 1\], got 1.5/,
    );
  });

  test('a custom relatedness matrix sets the class and attribute counts', () => {
    const source = createSyntheticAffect({
      count: 1,
      size: 8,
      seed: 0,
      relatedness: [
        [1, 0, 0],
        [0, 1, 1],
      ],
    });
    expect(source.tasks.map((task) => task.channels)).toEqual([2, 3]);
    expect(() => createSyntheticAffect({ count: 1, size: 8, seed: 0, relatedness: [[2]] })).toThrow(
      /relatedness/,
    );
  });
});
