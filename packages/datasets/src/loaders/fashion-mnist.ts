// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, arXiv 1708.07747; github.com/zalandoresearch/fashion-mnist) from its
// IDX files: `{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]`, 28×28 grey images, 10 classes. Default folder is
// the Debian package `dataset-fashion-mnist` (/usr/share/datasets/fashion-mnist/). The files are read whole (45 MB).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineTasks, type Sample, type SampleSource, type TaskSpec } from '@partial-mtl/core';
import { fashionMnistClassNames } from '../attributes/fashion-attributes.js';
import { readIdx } from '../formats/idx.js';

export interface FashionMnistOptions {
  /** Folder holding the four IDX files (plain or gzipped). */
  readonly folder: string;
  readonly split: 'train' | 'test';
  /** Image channels of each sample: 3 (grey replicated, the Sample contract) or 1. */
  readonly channels: 1 | 3;
  /** Name of the classification task. */
  readonly taskName: string;
}

export const fashionMnistDefaults: FashionMnistOptions = {
  folder: '/usr/share/datasets/fashion-mnist',
  split: 'train',
  channels: 3,
  taskName: 'class',
};

/** A Fashion-MNIST split in memory: a SampleSource plus the raw bytes for fast batching. */
export interface FashionMnistSource extends SampleSource {
  /** N×28×28 grey pixels, 0..255, row-major. */
  readonly images: Uint8Array;
  /** N class ids 0..9 (order of `fashionMnistClassNames`). */
  readonly labels: Uint8Array;
  readonly imageHeight: number;
  readonly imageWidth: number;
  /** The IDX files read. */
  readonly files: { readonly images: string; readonly labels: string };
}

function findFile(folder: string, stem: string, kind: string): string {
  const candidates = [
    `${stem}-${kind}-ubyte.gz`,
    `${stem}-${kind}-ubyte`,
    `${stem}-${kind.replace('-', '.')}-ubyte`,
  ];
  for (const name of candidates) {
    if (existsSync(join(folder, name))) return join(folder, name);
  }
  throw new Error(
    `Fashion-MNIST: ${join(folder, candidates[0]!)} not found (also tried ${candidates.slice(1).join(', ')}). ` +
      `Install the Debian package (apt-get install dataset-fashion-mnist) or pass { folder } with the IDX files.`,
  );
}

/** Loads one Fashion-MNIST split (validating magic numbers, shapes, counts and class ids). */
export async function loadFashionMnist(
  options: Partial<FashionMnistOptions> = {},
): Promise<FashionMnistSource> {
  const resolved = { ...fashionMnistDefaults, ...options };
  if (resolved.split !== 'train' && resolved.split !== 'test') {
    throw new Error(`loadFashionMnist: split must be 'train' or 'test', got '${String(resolved.split)}'`);
  }
  const stem = resolved.split === 'train' ? 'train' : 't10k';
  const imageFile = findFile(resolved.folder, stem, 'images-idx3');
  const labelFile = findFile(resolved.folder, stem, 'labels-idx1');
  const [images, labels] = await Promise.all([readIdx(imageFile), readIdx(labelFile)]);
  if (images.type !== 'uint8' || images.shape.length !== 3) {
    throw new Error(
      `${imageFile}: expected uint8 images of shape (N, H, W), got ${images.type} (${images.shape.join(', ')})`,
    );
  }
  if (labels.type !== 'uint8' || labels.shape.length !== 1) {
    throw new Error(
      `${labelFile}: expected uint8 labels of shape (N), got ${labels.type} (${labels.shape.join(', ')})`,
    );
  }
  const [count, height, width] = images.shape as [number, number, number];
  if (labels.shape[0] !== count) {
    throw new Error(`${labelFile}: holds ${labels.shape[0]} labels but ${imageFile} holds ${count} images`);
  }
  const classIds = labels.data as Uint8Array;
  const bad = classIds.findIndex((value) => value > 9);
  if (bad >= 0) throw new Error(`${labelFile}: label ${bad} is ${classIds[bad]}, expected a class id 0..9`);
  const tasks: readonly TaskSpec[] = defineTasks([
    { name: resolved.taskName, kind: 'multiclass', channels: 10, labelNames: [...fashionMnistClassNames] },
  ]);
  const pixels = images.data as Uint8Array;
  const channels = resolved.channels;
  return {
    tasks,
    length: count,
    images: pixels,
    labels: classIds,
    imageHeight: height,
    imageWidth: width,
    files: { images: imageFile, labels: labelFile },
    async read(index: number): Promise<Sample> {
      if (!Number.isInteger(index) || index < 0 || index >= count) {
        throw new Error(`Fashion-MNIST ${resolved.split}: index ${index} out of range 0..${count - 1}`);
      }
      const size = height * width;
      const image = new Float32Array(size * channels);
      for (let p = 0; p < size; p++) {
        const value = pixels[index * size + p]! / 255;
        for (let c = 0; c < channels; c++) image[p * channels + c] = value;
      }
      return {
        index,
        image: { data: image, shape: [height, width, channels] },
        labels: { [resolved.taskName]: { data: new Int32Array([classIds[index]!]), shape: [1] } },
      };
    },
  };
}
