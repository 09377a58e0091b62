import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disposeBatch, LabelMaskTable, type TaskBatch } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeNpy } from '../../src/formats/npy.js';
import { createBatchLoader } from '../../src/pipeline/batch-loader.js';
import { descriptorOf, openSource } from '../../src/pipeline/source-registry.js';

const height = 6;
const width = 8;
let root: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  root = mkdtempSync(join(tmpdir(), 'partial-mtl-registry-'));
  for (const folder of ['image', 'label', 'depth', 'normal'])
    mkdirSync(join(root, 'train', folder), { recursive: true });
  const pixels = height * width;
  for (let i = 0; i < 4; i++) {
    const file = (folder: string) => join(root, 'train', folder, `${i}.npy`);
    writeNpy(file('image'), {
      data: Float32Array.from({ length: pixels * 3 }, (_, k) => ((k * 7 + i * 13) % 256) / 255),
      shape: [height, width, 3],
    });
    writeNpy(file('label'), {
      data: Int32Array.from({ length: pixels }, (_, k) => ((k + i) % 14) - 1),
      shape: [height, width],
    });
    writeNpy(file('depth'), {
      data: Float32Array.from({ length: pixels }, (_, k) => 1 + ((k * 3 + i) % 5)),
      shape: [height, width, 1],
    });
    writeNpy(file('normal'), {
      data: Float32Array.from({ length: pixels * 3 }, (_, k) => (k % 3 === 2 ? 1 : 0)),
      shape: [height, width, 3],
    });
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function collect(iterable: AsyncIterable<TaskBatch>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const batch of iterable) {
    out.push([
      ...batch.images.dataSync(),
      ...batch.labelMask.dataSync(),
      ...Object.values(batch.labels).flatMap((label) => [...label.dataSync()]),
    ]);
    for (const view of batch.views ?? [])
      out.push([...view.images.dataSync(), ...view.labels.depth!.dataSync()]);
    disposeBatch(batch);
  }
  return out;
}

describe('openSource', () => {
  test('unknown kinds are reported with the valid ones', async () => {
    await expect(openSource({ kind: 'imagenet', options: {} })).rejects.toThrow(
      /unknown source kind 'imagenet' \(kinds: synthetic-scenes, synthetic-affect, nyuv2/,
    );
  });

  test('synthetic sets keep their own descriptor', async () => {
    const source = await openSource({
      kind: 'synthetic-scenes',
      options: { count: 2, height: 4, width: 4, seed: 1 },
    });
    expect(descriptorOf(source)?.kind).toBe('synthetic-scenes');
    expect(source.length).toBe(2);
  });

  test('NYU-v2 .npy files read in a worker give the batches of the main thread; the label mask is used', async () => {
    const labelMask = LabelMaskTable.fromRows(
      ['semseg', 'depth', 'normal'],
      [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [1, 1, 0],
      ],
    );
    const source = await openSource({
      kind: 'nyuv2',
      options: { root, split: 'train', imageSize: [height, width], labelMask },
    });
    expect(descriptorOf(source)?.kind).toBe('nyuv2');
    expect(source.length).toBe(4);
    const options = { source, batchSize: 2, views: 2, augment: true, seed: 8 } as const;
    const inProcess = await collect(createBatchLoader(options));
    const pooled = createBatchLoader({ ...options, workers: 1 });
    try {
      expect(await collect(pooled)).toEqual(inProcess);
    } finally {
      await pooled.close();
    }
    const [first] = await collect(createBatchLoader({ source, batchSize: 4, shuffle: false }));
    // The mask comes from the source's table: rows [1,0,0], [0,1,0], [0,0,1], [1,1,0].
    expect(first!.slice(4 * height * width * 3, 4 * height * width * 3 + 12)).toEqual([
      1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0,
    ]);
  });

  test('a failure inside a worker rejects the iteration with the file and the samples', async () => {
    const real = await openSource({
      kind: 'nyuv2',
      options: { root, split: 'train', imageSize: [height, width] },
    });
    const broken = {
      tasks: real.tasks,
      length: real.length,
      read: real.read.bind(real),
      descriptor: { kind: 'nyuv2', options: { root: join(root, 'missing'), split: 'train' } },
    };
    const loader = createBatchLoader({ source: broken, batchSize: 2, workers: 1, shuffle: false });
    try {
      await expect(collect(loader)).rejects.toThrow(/batch of samples 0, 1: .*missing.*not found/s);
    } finally {
      await loader.close();
    }
  });
});
