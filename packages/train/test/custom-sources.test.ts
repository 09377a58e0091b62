// train() on sample sources the caller brings (here: samples held in memory), instead of a named data set.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sample, SampleSource } from '@partial-mtl/core';
import { createSyntheticScenes } from '@partial-mtl/datasets';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJsonLines, type TrainLogLine } from '../src/run-logs.js';
import { train } from '../src/train.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A plain in-memory source: every sample read once from a rendered set, then served from an array. */
async function inMemory(count: number, seed: number): Promise<SampleSource> {
  const rendered = createSyntheticScenes({ count, height: 16, width: 16, seed, tasks: ['semseg', 'depth'] });
  const samples: Sample[] = [];
  for (let index = 0; index < count; index++) samples.push(await rendered.read(index));
  return { tasks: rendered.tasks, length: count, read: async (index) => samples[index]! };
}

describe('train with your own sources', () => {
  it('trains on in-memory sources; without them the unknown data set name is refused', async () => {
    const outDir = join(mkdtempSync(join(tmpdir(), 'custom-sources-')), 'run');
    const config = {
      seed: 0,
      outDir,
      dataset: { name: 'my-scenes' },
      split: { scenario: 'onelabel' },
      model: { backbone: 'segnet', widthMultiplier: 0.125, backboneOptions: { stages: 2 } },
      data: { batchSize: 4, augment: false },
      training: { maxSteps: 3, checkpointEverySteps: 3 },
    };
    await expect(train(config, { progress: 'none', report: false, log: () => {} })).rejects.toThrow(
      /dataset.name: unknown dataset 'my-scenes'.*or pass your own sources to train\(\)/,
    );
    const sources = { train: await inMemory(8, 1), validation: await inMemory(4, 2) };
    const result = await train(config, { progress: 'none', report: false, log: () => {}, sources });
    expect(result.stopReason).toBe('completed');
    expect(result.tasks.map((task) => task.name)).toEqual(['semseg', 'depth']);
    expect(readJsonLines<TrainLogLine>(join(outDir, 'train-log.jsonl')).map((line) => line.step)).toEqual([
      1, 2, 3,
    ]);
    expect(Object.keys(result.lastMetrics ?? {})).toEqual(['semseg', 'depth']);
  });
});
