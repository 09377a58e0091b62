// The study's data: Fashion-MNIST train and test from the IDX files (datasets' `loadFashionMnist`), the attribute
// task derived from the class through the datasets' relatedness table with a seed (`drawAttributes`, the function
// behind `withDerivedAttributes`), the disjoint split (`disjointSplit`) and a validation part carved from the rest.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineTasks, type LabelMaskTable, RandomSource, type TaskSpec } from '@partial-mtl/core';
import {
  disjointSplit,
  drawAttributes,
  fashionAttributeNames,
  fashionAttributeRelatedness,
  fashionMnistClassNames,
  loadFashionMnist,
} from '@partial-mtl/datasets';

export const classTaskName = 'category';
export const attributeTaskName = 'attributes';

/** The two tasks: `category` (multiclass, 10) and `attributes` (multilabel, 7, −1 = not annotated). */
export const fashionStudyTasks: readonly TaskSpec[] = defineTasks([
  { name: classTaskName, kind: 'multiclass', channels: 10, labelNames: [...fashionMnistClassNames] },
  {
    name: attributeTaskName,
    kind: 'multilabel',
    channels: 7,
    ignoreValue: -1,
    labelNames: [...fashionAttributeNames],
  },
]);

/** Images with both labels in memory: N×H×W grey bytes, class ids, derived attributes N×7 (0/1). */
export interface LabelledImages {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly images: Uint8Array;
  readonly classLabels: Uint8Array;
  readonly attributes: Float32Array;
}

export interface StudyData {
  readonly train: LabelledImages;
  readonly test: LabelledImages;
  /** Which training rows are labelled for which task (columns: category, attributes). */
  readonly split: LabelMaskTable;
  /** Training rows of each part. The validation rows come from the unlabelled rest and are not trained on. */
  readonly classRows: readonly number[];
  readonly attributeRows: readonly number[];
  readonly unlabelledRows: readonly number[];
  readonly validationRows: readonly number[];
}

export interface StudyDataOptions {
  readonly dataFolder: string;
  readonly classPart: number;
  readonly attributePart: number;
  readonly validationSize: number;
  readonly splitSeed: number;
}

const installHint = 'apt-get install dataset-fashion-mnist';

/** Throws a message naming the Debian package when the IDX files are not in `folder`. */
export function assertFashionMnistFiles(folder: string): void {
  const stems = [
    'train-images-idx3-ubyte',
    'train-labels-idx1-ubyte',
    't10k-images-idx3-ubyte',
    't10k-labels-idx1-ubyte',
  ];
  const missing = stems.filter(
    (stem) => !existsSync(join(folder, `${stem}.gz`)) && !existsSync(join(folder, stem)),
  );
  if (missing.length > 0) {
    throw new Error(
      `Fashion-MNIST IDX files missing in ${folder}: ${missing.join(', ')}. Install them with \`${installHint}\` ` +
        `(Debian package dataset-fashion-mnist) or pass --data-folder with the four IDX files.`,
    );
  }
}

/** Attributes of every image, drawn from its class with the data set seed (same values as withDerivedAttributes). */
export function deriveAttributes(classLabels: Uint8Array, seed: number): Float32Array {
  const attributeCount = fashionAttributeNames.length;
  const attributes = new Float32Array(classLabels.length * attributeCount);
  for (let index = 0; index < classLabels.length; index++) {
    attributes.set(
      drawAttributes(fashionAttributeRelatedness, classLabels[index]!, seed, index),
      index * attributeCount,
    );
  }
  return attributes;
}

async function loadSplit(
  folder: string,
  split: 'train' | 'test',
  attributeSeed: number,
): Promise<LabelledImages> {
  const source = await loadFashionMnist({ folder, split, channels: 1, taskName: classTaskName });
  return {
    count: source.length,
    height: source.imageHeight,
    width: source.imageWidth,
    images: source.images,
    classLabels: source.labels,
    attributes: deriveAttributes(source.labels, attributeSeed),
  };
}

/** Loads both splits, derives the attributes and builds the disjoint split and the validation part. */
export async function loadStudyData(options: StudyDataOptions): Promise<StudyData> {
  assertFashionMnistFiles(options.dataFolder);
  const [train, test] = await Promise.all([
    loadSplit(options.dataFolder, 'train', options.splitSeed),
    loadSplit(options.dataFolder, 'test', options.splitSeed + 1),
  ]);
  const split = disjointSplit({
    rows: train.count,
    taskNames: [classTaskName, attributeTaskName],
    firstTaskPart: options.classPart,
    secondTaskPart: options.attributePart,
    seed: options.splitSeed,
  });
  const classRows: number[] = [];
  const attributeRows: number[] = [];
  const rest: number[] = [];
  for (let row = 0; row < train.count; row++) {
    if (split.isLabelled(row, 0)) classRows.push(row);
    else if (split.isLabelled(row, 1)) attributeRows.push(row);
    else rest.push(row);
  }
  if (options.validationSize > rest.length) {
    throw new Error(
      `--validation-size: ${options.validationSize} rows requested but only ${rest.length} are unlabelled`,
    );
  }
  const shuffled = new RandomSource(options.splitSeed).fork('validation').shuffle([...rest]);
  const validationRows = shuffled.slice(0, options.validationSize).sort((a, b) => a - b);
  const validationSet = new Set(validationRows);
  const unlabelledRows = rest.filter((row) => !validationSet.has(row));
  if (classRows.length === 0) throw new Error('--class-part: the class-labelled part is empty');
  return { train, test, split, classRows, attributeRows, unlabelledRows, validationRows };
}

/** The rows of `images` as a new LabelledImages (for the validation part, or a subsample of the test set). */
export function selectImages(images: LabelledImages, rows: readonly number[]): LabelledImages {
  const pixels = images.height * images.width;
  const attributeCount = fashionAttributeNames.length;
  const selected = {
    count: rows.length,
    height: images.height,
    width: images.width,
    images: new Uint8Array(rows.length * pixels),
    classLabels: new Uint8Array(rows.length),
    attributes: new Float32Array(rows.length * attributeCount),
  };
  rows.forEach((row, position) => {
    if (!(row >= 0 && row < images.count))
      throw new Error(`selectImages: row ${row} out of range 0..${images.count - 1}`);
    selected.images.set(images.images.subarray(row * pixels, (row + 1) * pixels), position * pixels);
    selected.classLabels[position] = images.classLabels[row]!;
    selected.attributes.set(
      images.attributes.subarray(row * attributeCount, (row + 1) * attributeCount),
      position * attributeCount,
    );
  });
  return selected;
}
