// The `.npy` folder layout of the MTAN preprocessed releases (lorenmt/mtan `im2im_pred/create_dataset.py`,
// data-formats.md §2–3): `<root>/<split>/<folder>/<i>.npy`, one file per sample and folder. Shared by the NYU-v2 and
// Cityscapes loaders; dtypes are not confirmed, so any numeric dtype is accepted and cast (uint8 images ÷ 255).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DenseArray, LabelMaskTable, Sample, SampleSource, TaskSpec } from '@partial-mtl/core';
import { npyToFloat32, npyToInt32, readNpy } from '../formats/npy.js';
import {
  checkIndex,
  type LabelMaskOption,
  resolveLabelMask,
  selectTasks,
  shapeMatches,
  shapeText,
} from './loader-support.js';

export type MtanLabelEncoding = 'class-ids' | 'depth' | 'normals';

/** One task of an MTAN layout: the folder it lives in and how its files are decoded. */
export interface MtanLayoutTask {
  readonly task: TaskSpec;
  readonly folder: string;
  readonly encoding: MtanLabelEncoding;
}

export interface MtanLayoutOptions {
  readonly root: string;
  readonly split: string;
  /** Expected [height, width] of every array. */
  readonly imageSize: readonly [number, number];
  /** Tasks read, in data-set order (a subset of the layout's tasks). */
  readonly tasks: readonly MtanLayoutTask[];
  /** Every task of the data set, in split-table column order (the mask covers them all). */
  readonly allTaskNames: readonly string[];
  readonly labelMask?: LabelMaskOption;
  /** Keep decoded samples in memory after the first read (off by default: the loader reads lazily). */
  readonly cacheSamples: boolean;
  readonly datasetName: string;
}

/** A SampleSource over an MTAN `.npy` layout, with the resolved label mask (if any). */
export interface MtanSampleSource extends SampleSource {
  readonly folder: string;
  readonly labelMask: LabelMaskTable | undefined;
  /** The `.npy` path of sample `index` in a folder (`image` or a task folder). */
  pathOf(folder: string, index: number): string;
}

async function countSamples(folder: string, datasetName: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    throw new Error(`${datasetName}: folder ${folder} not found (expected <root>/<split>/image/<i>.npy)`);
  }
  const indices = names.filter((name) => /^\d+\.npy$/.test(name)).map((name) => Number.parseInt(name, 10));
  if (indices.length === 0) throw new Error(`${datasetName}: no <i>.npy files in ${folder}`);
  const present = new Set(indices);
  for (let i = 0; i < indices.length; i++) {
    if (!present.has(i))
      throw new Error(
        `${datasetName}: ${join(folder, `${i}.npy`)} is missing (found ${indices.length} files; expected 0..${indices.length - 1})`,
      );
  }
  return indices.length;
}

function decode(
  array: Awaited<ReturnType<typeof readNpy>>,
  file: string,
  entry: MtanLayoutTask,
  height: number,
  width: number,
): DenseArray {
  const { task, encoding } = entry;
  if (encoding === 'class-ids') {
    if (!shapeMatches(array.shape, [height, width]) && !shapeMatches(array.shape, [height, width, 1])) {
      throw new Error(
        `${file}: expected ${task.name} labels of shape ${shapeText([height, width])}, got ${shapeText(array.shape)}`,
      );
    }
    const data = npyToInt32(array, file);
    for (let i = 0; i < data.length; i++) {
      const value = data[i]!;
      if (value !== -1 && (value < 0 || value >= task.channels)) {
        throw new Error(
          `${file}: ${task.name} class id ${value} at pixel ${i} is outside -1..${task.channels - 1}`,
        );
      }
    }
    return { data, shape: [height, width] };
  }
  const channels = encoding === 'normals' ? 3 : 1;
  const accepted =
    channels === 1
      ? shapeMatches(array.shape, [height, width]) || shapeMatches(array.shape, [height, width, 1])
      : shapeMatches(array.shape, [height, width, 3]);
  if (!accepted) {
    throw new Error(
      `${file}: expected ${task.name} of shape ${shapeText([height, width, channels])}, got ${shapeText(array.shape)}`,
    );
  }
  return { data: npyToFloat32(array), shape: [height, width, channels] };
}

/** Builds a lazy SampleSource over `<root>/<split>/{image,<task folders>}/<i>.npy`. */
export async function createMtanNpySource(options: MtanLayoutOptions): Promise<MtanSampleSource> {
  const { datasetName } = options;
  const folder = join(options.root, options.split);
  const length = await countSamples(join(folder, 'image'), datasetName);
  for (const entry of options.tasks) {
    const taskLength = await countSamples(join(folder, entry.folder), datasetName);
    if (taskLength !== length) {
      throw new Error(
        `${datasetName}: ${join(folder, entry.folder)} holds ${taskLength} files but ${join(folder, 'image')} holds ${length}`,
      );
    }
  }
  const labelMask = await resolveLabelMask(
    options.labelMask,
    length,
    options.allTaskNames,
    `${datasetName} (${folder})`,
  );
  const [height, width] = options.imageSize;
  const cache = new Map<number, Sample>();
  const pathOf = (name: string, index: number): string => join(folder, name, `${index}.npy`);

  const readSample = async (index: number): Promise<Sample> => {
    const imageFile = pathOf('image', index);
    const image = await readNpy(imageFile);
    if (!shapeMatches(image.shape, [height, width, 3])) {
      throw new Error(
        `${imageFile}: expected an image of shape ${shapeText([height, width, 3])}, got ${shapeText(image.shape)}`,
      );
    }
    const pixels = npyToFloat32(image);
    if (image.dtype === '|u1') for (let i = 0; i < pixels.length; i++) pixels[i]! /= 255;
    const labels: Record<string, DenseArray> = {};
    for (const entry of options.tasks) {
      if (labelMask && !labelMask.isLabelled(index, entry.task.name)) continue;
      const file = pathOf(entry.folder, index);
      labels[entry.task.name] = decode(await readNpy(file), file, entry, height, width);
    }
    return { index, image: { data: pixels, shape: [height, width, 3] }, labels };
  };

  return {
    tasks: options.tasks.map((entry) => entry.task),
    length,
    folder,
    labelMask,
    pathOf,
    async read(index: number): Promise<Sample> {
      checkIndex(index, length, `${datasetName} (${folder})`);
      const cached = cache.get(index);
      if (cached) return cached;
      const sample = await readSample(index);
      if (options.cacheSamples) cache.set(index, sample);
      return sample;
    },
  };
}

/** What a data set's MTAN loader takes: where, which split, the array size, a task subset, a mask, caching. */
export interface MtanDatasetOptions {
  readonly root: string;
  readonly split: string;
  readonly imageSize: readonly [number, number];
  /** Tasks to read, by name; all of the layout's by default. */
  readonly tasks?: readonly string[];
  readonly labelMask?: LabelMaskOption;
  readonly cacheSamples: boolean;
}

/** Opens a data set's MTAN layout (NYU-v2, Cityscapes): the requested tasks of `layout`, read lazily. */
export function openMtanLayout(
  options: MtanDatasetOptions,
  layout: readonly MtanLayoutTask[],
  allTaskNames: readonly string[],
  datasetName: string,
): Promise<MtanSampleSource> {
  return createMtanNpySource({
    root: options.root,
    split: options.split,
    imageSize: options.imageSize,
    tasks: selectTasks(
      layout.map((entry) => ({ ...entry, name: entry.task.name })),
      options.tasks,
      datasetName,
    ),
    allTaskNames,
    labelMask: options.labelMask,
    cacheSamples: options.cacheSamples,
    datasetName,
  });
}
