import { RandomSource } from '@partial-mtl/core';
import { describe, expect, test } from 'vitest';
import { augmentationDefaults, resolveAugmentation, sampleViews } from '../../src/augment/multi-view.js';
import { randomPhotometric } from '../../src/augment/photometric.js';
import { randomScaleCrop } from '../../src/augment/random-scale-crop.js';
import { createSyntheticScenes } from '../../src/synthetic/synthetic-scenes.js';

const scenes = createSyntheticScenes({
  count: 2,
  height: 12,
  width: 16,
  seed: 4,
  tasks: ['semseg', 'depth', 'normal'],
});

describe('sampleViews', () => {
  test('JTR: v0 = RSC(x), v1 = RSC(v0), v2 = photometric(RSC(v0)), from one seeded stream', async () => {
    const sample = await scenes.read(1);
    const views = sampleViews(sample, scenes.tasks, new RandomSource(11), 2, augmentationDefaults);
    const random = new RandomSource(11);
    const v0 = randomScaleCrop(sample, scenes.tasks, random);
    const v1 = randomScaleCrop(v0, scenes.tasks, random);
    const v2Geometry = randomScaleCrop(v0, scenes.tasks, random);
    const v2 = randomPhotometric(v2Geometry, random);
    expect(views).toEqual([v0, v1, v2]);
    // The photometric view keeps the geometric labels of its crop.
    expect(views[2]!.labels.depth).toEqual(v2Geometry.labels.depth);
  });

  test('MTPSL: one extra view, no photometric change', async () => {
    const sample = await scenes.read(0);
    const views = sampleViews(sample, scenes.tasks, new RandomSource(3), 1, resolveAugmentation(true));
    const random = new RandomSource(3);
    const v0 = randomScaleCrop(sample, scenes.tasks, random);
    expect(views).toEqual([v0, randomScaleCrop(v0, scenes.tasks, random)]);
  });

  test('without augmentation every view is the original sample', async () => {
    const sample = await scenes.read(0);
    const views = sampleViews(sample, scenes.tasks, new RandomSource(3), 2, resolveAugmentation(false));
    expect(views).toEqual([sample, sample, sample]);
  });

  test('resolveAugmentation merges overrides into the defaults', () => {
    expect(resolveAugmentation({ flipProbability: 0.5 })).toEqual({
      ...augmentationDefaults,
      flipProbability: 0.5,
    });
    expect(resolveAugmentation(undefined)).toBeUndefined();
  });
});
