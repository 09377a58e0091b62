import { describe, expect, test } from 'vitest';
import { augmentationDefaults } from '../../src/augment/multi-view.js';
import { packBatch, prepareBatch } from '../../src/pipeline/pack-batch.js';
import { prepareSample, type SampleJob } from '../../src/pipeline/prepare-sample.js';
import { createSyntheticAffect } from '../../src/synthetic/synthetic-affect.js';
import { createSyntheticScenes } from '../../src/synthetic/synthetic-scenes.js';

const scenes = createSyntheticScenes({
  count: 4,
  height: 10,
  width: 12,
  seed: 3,
  tasks: ['semseg', 'depth', 'normal', 'reshading'],
});

describe('prepareBatch (augmentation written into batch slots)', () => {
  test.each([
    ['three views with photometric and flips', { ...augmentationDefaults, flipProbability: 0.5 }, 2],
    ['one view, crops only', { ...augmentationDefaults, photometric: false as const }, 1],
    ['no augmentation', undefined, 0],
  ])('%s: same arrays as packBatch over prepareSample', async (_, augmentation, extraViews) => {
    const samples = await Promise.all([0, 1, 2, 3].map((index) => scenes.read(index)));
    for (let seed = 0; seed < 6; seed++) {
      const jobs: SampleJob[] = samples.map((sample, b) => ({
        index: sample.index,
        seed: seed * 10 + b,
        labelled: [b !== 1, b !== 2, true, b % 2 === 0],
        extraViews,
        augmentation,
      }));
      const direct = prepareBatch(samples, scenes.tasks, jobs);
      const copied = packBatch(
        samples.map((sample, b) => prepareSample(sample, scenes.tasks, jobs[b]!)),
        scenes.tasks,
      );
      expect(direct).toEqual(copied);
      expect(direct.views).toHaveLength(extraViews + 1);
    }
  });

  test('hand example: mask and ignore fill of a classification batch', async () => {
    const affect = createSyntheticAffect({ count: 2, size: 4, seed: 0 });
    const samples = [await affect.read(0), await affect.read(1)];
    const jobs: SampleJob[] = [
      { index: 0, seed: 0, labelled: [true, false], extraViews: 0, augmentation: undefined },
      { index: 1, seed: 1, labelled: [false, true], extraViews: 0, augmentation: undefined },
    ];
    const batch = prepareBatch(samples, affect.tasks, jobs);
    expect(Array.from(batch.labelMask)).toEqual([1, 0, 0, 1]);
    expect(Array.from(batch.views[0]!.labels[0]!)).toEqual([samples[0]!.labels.expression!.data[0], -1]);
    expect(Array.from(batch.views[0]!.labels[1]!)).toEqual([
      ...new Array(8).fill(-1),
      ...samples[1]!.labels.actionUnits!.data,
    ]);
    expect(Array.from(batch.views[0]!.images.subarray(0, 48))).toEqual(Array.from(samples[0]!.image.data));
  });

  test('samples of different sizes are reported', async () => {
    const small = await createSyntheticScenes({
      count: 1,
      height: 8,
      width: 12,
      seed: 3,
      tasks: ['semseg', 'depth', 'normal', 'reshading'],
    }).read(0);
    const job: SampleJob = {
      index: 0,
      seed: 0,
      labelled: [true, true, true, true],
      extraViews: 0,
      augmentation: augmentationDefaults,
    };
    const first = await scenes.read(0);
    expect(() => prepareBatch([first, small], scenes.tasks, [job, job])).toThrow(
      /is 8×12 but sample 0 is 10×12/,
    );
  });
});
