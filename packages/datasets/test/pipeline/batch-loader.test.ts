import { disposeBatch, LabelMaskTable, type TaskBatch } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBatchLoader, evaluationBatches } from '../../src/pipeline/batch-loader.js';
import { createSyntheticAffect } from '../../src/synthetic/synthetic-affect.js';
import { createSyntheticScenes } from '../../src/synthetic/synthetic-scenes.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

interface BatchSnapshot {
  indices: number[];
  images: number[];
  labels: Record<string, number[]>;
  mask: number[];
  views: BatchSnapshot[];
}

function snapshot(batch: TaskBatch): BatchSnapshot {
  const labels: Record<string, number[]> = {};
  for (const [name, tensor] of Object.entries(batch.labels)) labels[name] = Array.from(tensor.dataSync());
  return {
    indices: [...batch.indices],
    images: Array.from(batch.images.dataSync()),
    labels,
    mask: Array.from(batch.labelMask.dataSync()),
    views: (batch.views ?? []).map(snapshot),
  };
}

async function collect(iterable: AsyncIterable<TaskBatch>): Promise<BatchSnapshot[]> {
  const out: BatchSnapshot[] = [];
  for await (const batch of iterable) {
    out.push(snapshot(batch));
    disposeBatch(batch);
  }
  return out;
}

const scenes = createSyntheticScenes({
  count: 5,
  height: 6,
  width: 8,
  seed: 7,
  tasks: ['semseg', 'depth', 'normal'],
});
// Sample 0: semseg only; 1: depth + normal; 2: nothing; 3: all; 4: normal only.
const split = LabelMaskTable.fromRows(
  ['semseg', 'depth', 'normal'],
  [
    [1, 0, 0],
    [0, 1, 1],
    [0, 0, 0],
    [1, 1, 1],
    [0, 0, 1],
  ],
);

describe('createBatchLoader', () => {
  test('shapes, label masks and ignore-filled labels follow the split', async () => {
    const loader = createBatchLoader({ source: scenes, split, batchSize: 5, shuffle: false });
    const before = tf.memory().numTensors;
    const iterator = loader[Symbol.asyncIterator]();
    const { value: batch } = await iterator.next();
    if (!batch) throw new Error('no batch');
    expect(batch.images.shape).toEqual([5, 6, 8, 3]);
    expect(batch.labels.semseg!.shape).toEqual([5, 6, 8, 1]);
    expect(batch.labels.depth!.shape).toEqual([5, 6, 8, 1]);
    expect(batch.labels.normal!.shape).toEqual([5, 6, 8, 3]);
    expect(batch.taskNames).toEqual(['semseg', 'depth', 'normal']);
    expect(batch.indices).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(batch.labelMask.dataSync())).toEqual([1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1]);
    const semseg = batch.labels.semseg!.arraySync() as number[][][][];
    const depth = batch.labels.depth!.arraySync() as number[][][][];
    const normal = batch.labels.normal!.arraySync() as number[][][][];
    const original = await scenes.read(0);
    // Sample 0 keeps its segmentation; its depth and normals are dropped (the source has them) and filled.
    expect(semseg[0]!.flat(2)).toEqual(Array.from(original.labels.semseg!.data));
    expect(new Set(depth[0]!.flat(2))).toEqual(new Set([0]));
    expect(new Set(normal[0]!.flat(2))).toEqual(new Set([0]));
    expect(new Set(semseg[1]!.flat(2))).toEqual(new Set([-1]));
    expect(new Set(semseg[2]!.flat(2))).toEqual(new Set([-1]));
    expect(depth[3]!.flat(2).every((value) => value > 0)).toBe(true);
    disposeBatch(batch);
    expect((await iterator.next()).done).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('same seed gives the same batches; a different seed another order', async () => {
    const options = { source: scenes, split, batchSize: 2, views: 2, augment: true, seed: 3 } as const;
    const first = await collect(createBatchLoader(options));
    const second = await collect(createBatchLoader(options));
    expect(second).toEqual(first);
    expect(first.map((batch) => batch.indices.length)).toEqual([2, 2, 1]);
    expect(first[0]!.views).toHaveLength(2);
    const other = await collect(createBatchLoader({ ...options, seed: 4 }));
    expect(other).not.toEqual(first);
  });

  test('epochs reshuffle; dropLast drops the incomplete batch', async () => {
    const loader = createBatchLoader({ source: scenes, batchSize: 2, dropLast: true, seed: 1 });
    expect(loader.batchesPerEpoch).toBe(2);
    const epoch0 = await collect(loader);
    const epoch1 = await collect(loader);
    expect(loader.getState().epoch).toBe(2);
    expect(epoch0.flatMap((batch) => batch.indices)).toHaveLength(4);
    expect(epoch0.flatMap((b) => b.indices)).not.toEqual(epoch1.flatMap((b) => b.indices));
  });

  test('resuming from a mid-epoch state continues exactly', async () => {
    const options = { source: scenes, split, batchSize: 2, views: 1, augment: true, seed: 9 } as const;
    const reference = createBatchLoader(options);
    const all = [...(await collect(reference)), ...(await collect(reference))];
    const interrupted = createBatchLoader(options);
    await collect(interrupted);
    const partial: BatchSnapshot[] = [];
    for await (const batch of interrupted) {
      partial.push(snapshot(batch));
      disposeBatch(batch);
      break;
    }
    const saved = interrupted.getState();
    expect(saved).toMatchObject({ epoch: 1, position: 1 });
    const resumed = createBatchLoader({ ...options, state: JSON.parse(JSON.stringify(saved)) });
    const rest = await collect(resumed);
    expect([...partial, ...rest]).toEqual(all.slice(3));
  });

  test('progress callback counts batches and samples', async () => {
    const progress: number[][] = [];
    const loader = createBatchLoader({
      source: scenes,
      batchSize: 2,
      onProgress: (p) => progress.push([p.epoch, p.batch, p.batchesPerEpoch, p.samples, p.samplesPerEpoch]),
    });
    await collect(loader);
    expect(progress).toEqual([
      [0, 1, 3, 2, 5],
      [0, 2, 3, 4, 5],
      [0, 3, 3, 5, 5],
    ]);
  });

  test('classification sources: multiclass [B,1] and multilabel [B,M] with −1 fill', async () => {
    const affect = createSyntheticAffect({ count: 3, size: 8, seed: 2 });
    const affectSplit = LabelMaskTable.fromRows(
      ['expression', 'actionUnits'],
      [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
    );
    const [batch] = await collect(
      createBatchLoader({ source: affect, split: affectSplit, batchSize: 3, shuffle: false }),
    );
    const expected1 = await affect.read(1);
    const expected0 = await affect.read(0);
    expect(batch!.labels.expression).toHaveLength(3);
    expect(batch!.labels.expression![0]).toBe(expected0.labels.expression!.data[0]);
    expect(batch!.labels.expression![1]).toBe(-1);
    expect(batch!.labels.actionUnits!.slice(0, 8)).toEqual(new Array(8).fill(-1));
    expect(batch!.labels.actionUnits!.slice(8, 16)).toEqual(Array.from(expected1.labels.actionUnits!.data));
    expect(batch!.mask).toEqual([1, 0, 0, 1, 1, 1]);
  });

  test('evaluationBatches: every sample once, in order, no views', async () => {
    const batches = await collect(evaluationBatches(scenes, { batchSize: 2 }));
    expect(batches.map((batch) => batch.indices)).toEqual([[0, 1], [2, 3], [4]]);
    expect(batches[0]!.views).toEqual([]);
    const original = await scenes.read(2);
    expect(batches[1]!.images.slice(0, 6 * 8 * 3)).toEqual(Array.from(original.image.data));
  });

  test('split columns are matched by name, not position', async () => {
    const reordered = LabelMaskTable.fromRows(
      ['normal', 'semseg', 'depth'],
      [
        [0, 1, 0],
        [1, 0, 1],
        [0, 0, 0],
        [1, 1, 1],
        [1, 0, 0],
      ],
    );
    const [batch] = await collect(
      createBatchLoader({ source: scenes, split: reordered, batchSize: 5, shuffle: false }),
    );
    expect(batch!.mask).toEqual([1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1]);
  });

  test('bad states and options are reported', () => {
    const loader = createBatchLoader({ source: scenes, batchSize: 2 });
    expect(() => loader.setState({ epoch: 0, position: 4, randomState: [1, 2, 3, 4] })).toThrow(
      /invalid state/,
    );
    expect(() => loader.setState({ epoch: 0, position: 1, randomState: [1, 2, 3] as never })).toThrow(
      /four uint32 words/,
    );
    expect(() => createBatchLoader({ source: scenes, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => createBatchLoader({ source: scenes, batchSize: 2, indices: [0, 5] })).toThrow(
      /index 5 out of range/,
    );
  });

  test('a read error surfaces from the iteration', async () => {
    const failing = {
      tasks: scenes.tasks,
      length: 2,
      read: async () => Promise.reject(new Error('disk on fire')),
    };
    await expect(collect(createBatchLoader({ source: failing, batchSize: 1 }))).rejects.toThrow(
      /disk on fire/,
    );
  });

  test('rejects a split whose rows differ from the source', () => {
    const short = LabelMaskTable.full(['semseg', 'depth', 'normal'], 4);
    expect(() => createBatchLoader({ source: scenes, split: short, batchSize: 2 })).toThrow(
      /4 rows but the source has 5/,
    );
  });
});

describe('worker threads', () => {
  const loaders: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const loader of loaders) await loader.close();
  });

  test('1 and 2 workers give the same batches as the main thread, without leaking tensors', async () => {
    const options = {
      source: scenes,
      split,
      batchSize: 2,
      views: 2,
      augment: { flipProbability: 0.5 },
      seed: 5,
    } as const;
    const reference = createBatchLoader(options);
    const inProcess = [...(await collect(reference)), ...(await collect(reference))];
    const one = createBatchLoader({ ...options, workers: 1 });
    const two = createBatchLoader({ ...options, workers: 2, prefetch: 1 });
    loaders.push(one, two);
    expect([...(await collect(one)), ...(await collect(one))]).toEqual(inProcess);
    expect(await collect(two)).toEqual(inProcess.slice(0, 3));
    const before = tf.memory().numTensors;
    for await (const batch of two) disposeBatch(batch);
    expect(tf.memory().numTensors).toBe(before);
    expect(two.getState().epoch).toBe(2);
  });

  test('a source without a descriptor is read on the main thread and augmented in the workers', async () => {
    const plain = { tasks: scenes.tasks, length: scenes.length, read: (index: number) => scenes.read(index) };
    const options = { source: plain, batchSize: 3, views: 1, augment: true, seed: 2 } as const;
    const inProcess = await collect(createBatchLoader(options));
    const pooled = createBatchLoader({ ...options, workers: 1 });
    loaders.push(pooled);
    expect(await collect(pooled)).toEqual(inProcess);
  });
});
