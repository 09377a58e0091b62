// Study batches from bytes: labels and masks per part, −1 where unlabelled, flips, sampling without replacement.

import { disposeBatch, RandomSource } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fashionStudyTasks, type LabelledImages, selectImages } from '../src/fashion-data.js';
import { assembleStudyBatch, evaluationEntries, PartSampler } from '../src/study-batches.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Three 2×3 images with pixel value = 10·image + column, classes 1, 8, 4 and 7 attributes each. */
function tinyImages(): LabelledImages {
  const images = new Uint8Array(3 * 6);
  for (let image = 0; image < 3; image++)
    for (let p = 0; p < 6; p++) images[image * 6 + p] = 10 * image + (p % 3);
  const attributes = new Float32Array(21);
  attributes.set([0, 1, 0, 0, 0, 0, 1], 0);
  attributes.set([0, 0, 0, 0, 1, 0, 0], 7);
  attributes.set([1, 0, 0, 0, 0, 1, 1], 14);
  return { count: 3, height: 2, width: 3, images, classLabels: Uint8Array.from([1, 8, 4]), attributes };
}

describe('assembleStudyBatch', () => {
  it('fills labels and masks per entry and −1 where a task is not labelled', () => {
    const before = tf.memory().numTensors;
    const batch = assembleStudyBatch(
      tinyImages(),
      [
        { row: 2, hasClass: true, hasAttributes: false },
        { row: 1, hasClass: false, hasAttributes: true },
        { row: 0, hasClass: false, hasAttributes: false },
      ],
      fashionStudyTasks,
    );
    expect(batch.images.shape).toEqual([3, 2, 3, 1]);
    expect(batch.images.dataSync()[0]).toBeCloseTo(20 / 255, 6);
    expect(Array.from(batch.labels.category!.dataSync())).toEqual([4, -1, -1]);
    expect(Array.from(batch.labels.attributes!.dataSync().subarray(0, 14))).toEqual([
      -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 1, 0, 0,
    ]);
    expect(Array.from(batch.labelMask.dataSync())).toEqual([1, 0, 0, 1, 0, 0]);
    expect(batch.taskNames).toEqual(['category', 'attributes']);
    disposeBatch(batch);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('flips rows horizontally when the random source says so, and STL batches carry the class task only', () => {
    const random = new RandomSource(3);
    const entries = Array.from({ length: 8 }, () => ({ row: 1, hasClass: true, hasAttributes: false }));
    const batch = assembleStudyBatch(tinyImages(), entries, fashionStudyTasks.slice(0, 1), random);
    const pixels = batch.images.dataSync();
    const firstColumns = Array.from({ length: 8 }, (_, b) => Math.round(pixels[b * 6]! * 255));
    expect(new Set(firstColumns)).toEqual(new Set([10, 12]));
    expect(Object.keys(batch.labels)).toEqual(['category']);
    expect(batch.labelMask.shape).toEqual([8, 1]);
    disposeBatch(batch);
  });

  it('rejects rows out of range', () => {
    expect(() =>
      assembleStudyBatch(tinyImages(), [{ row: 3, hasClass: true, hasAttributes: false }], fashionStudyTasks),
    ).toThrow(/row 3 out of range/);
  });
});

describe('PartSampler and evaluationEntries', () => {
  it('draws every row once per pass', () => {
    const sampler = new PartSampler([5, 6, 7, 8], new RandomSource(1));
    expect([...sampler.take(4)].sort()).toEqual([5, 6, 7, 8]);
    expect(sampler.take(6)).toHaveLength(6);
    expect(sampler.drawn).toBe(10);
    expect(() => new PartSampler([], new RandomSource(1)).take(1)).toThrow(/empty/);
  });

  it('chunks a whole set and selectImages copies rows', () => {
    const chunks = [...evaluationEntries(tinyImages(), 2)];
    expect(chunks.map((chunk) => chunk.map((entry) => entry.row))).toEqual([[0, 1], [2]]);
    const selected = selectImages(tinyImages(), [2, 0]);
    expect(Array.from(selected.classLabels)).toEqual([4, 1]);
    expect(Array.from(selected.images.subarray(0, 3))).toEqual([20, 21, 22]);
    expect(Array.from(selected.attributes.subarray(7, 14))).toEqual([0, 1, 0, 0, 0, 0, 1]);
  });
});
