// Batches for the study straight from the in-memory bytes (no per-sample decode): core TaskBatch with 1-channel
// 28×28 images, class ids [B, 1] and attributes [B, 7] (−1 where the sample is not labelled for the task) and the
// per-sample label mask. Each training batch takes a fixed number of images from each part (class, attribute, rest).

import type { RandomSource, TaskBatch, TaskSpec } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { attributeTaskName, classTaskName, type LabelledImages } from './fashion-data.js';

/** One image of a batch and the labels it may use. */
export interface BatchEntry {
  readonly row: number;
  readonly hasClass: boolean;
  readonly hasAttributes: boolean;
}

/**
 * Builds a TaskBatch for `tasks` (any of category, attributes) from the entries. With `flipRandom`, each image is
 * flipped horizontally with probability 1/2. Every tensor belongs to the batch (free it with core's disposeBatch).
 */
export function assembleStudyBatch(
  images: LabelledImages,
  entries: readonly BatchEntry[],
  tasks: readonly TaskSpec[],
  flipRandom?: RandomSource,
): TaskBatch {
  const { height, width } = images;
  const pixels = height * width;
  const attributeCount = images.attributes.length / images.count;
  const size = entries.length;
  const pixelValues = new Float32Array(size * pixels);
  const classLabels = new Float32Array(size).fill(-1);
  const attributeLabels = new Float32Array(size * attributeCount).fill(-1);
  const taskNames = tasks.map((task) => task.name);
  const labelMask = new Float32Array(size * taskNames.length);
  entries.forEach((entry, position) => {
    const { row } = entry;
    if (!(row >= 0 && row < images.count))
      throw new Error(`assembleStudyBatch: row ${row} out of range 0..${images.count - 1}`);
    const flip = flipRandom !== undefined && flipRandom.next() < 0.5;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const sourceX = flip ? width - 1 - x : x;
        pixelValues[position * pixels + y * width + x] =
          images.images[row * pixels + y * width + sourceX]! / 255;
      }
    }
    if (entry.hasClass) classLabels[position] = images.classLabels[row]!;
    if (entry.hasAttributes) {
      attributeLabels.set(
        images.attributes.subarray(row * attributeCount, (row + 1) * attributeCount),
        position * attributeCount,
      );
    }
    taskNames.forEach((name, column) => {
      const labelled =
        name === classTaskName ? entry.hasClass : name === attributeTaskName ? entry.hasAttributes : false;
      labelMask[position * taskNames.length + column] = labelled ? 1 : 0;
    });
  });
  const labels: Record<string, tf.Tensor> = {};
  if (taskNames.includes(classTaskName)) labels[classTaskName] = tf.tensor2d(classLabels, [size, 1]);
  if (taskNames.includes(attributeTaskName))
    labels[attributeTaskName] = tf.tensor2d(attributeLabels, [size, attributeCount]);
  return {
    images: tf.tensor4d(pixelValues, [size, height, width, 1]),
    labels,
    labelMask: tf.tensor2d(labelMask, [size, taskNames.length]),
    taskNames,
    indices: entries.map((entry) => entry.row),
  };
}

/** Draws rows of one part without replacement, reshuffling at the end of each pass. */
export class PartSampler {
  private order: number[] = [];
  private position = 0;
  /** Rows drawn so far (may exceed the part size after several passes). */
  drawn = 0;

  constructor(
    readonly rows: readonly number[],
    private readonly random: RandomSource,
  ) {}

  take(count: number): number[] {
    if (count > 0 && this.rows.length === 0) throw new Error('PartSampler: the part is empty');
    const taken: number[] = [];
    while (taken.length < count) {
      if (this.position >= this.order.length) {
        this.order = this.random.shuffle([...this.rows]);
        this.position = 0;
      }
      taken.push(this.order[this.position++]!);
    }
    this.drawn += count;
    return taken;
  }
}

/** Evaluation entries of a whole image set (both labels on), in chunks of `batchSize`. */
export function* evaluationEntries(images: LabelledImages, batchSize: number): Generator<BatchEntry[]> {
  for (let start = 0; start < images.count; start += batchSize) {
    const end = Math.min(images.count, start + batchSize);
    yield Array.from({ length: end - start }, (_, offset) => ({
      row: start + offset,
      hasClass: true,
      hasAttributes: true,
    }));
  }
}
