// Shared pieces of the facial-affect loaders: the canonical label orders (7 basic expressions in AffectNet's order;
// one union AU list over DISFA, BP4D, EmotioNet and Aff-Wild2), the per-sample entry each loader produces, and one
// SampleSource over entries (face crop + resize with sharp). AUs a set does not annotate are −1 in `actionUnits`.
import { access, readFile } from 'node:fs/promises';
import {
  type DenseArray,
  defineTask,
  type Sample,
  type SampleSource,
  type TaskSpec,
} from '@partial-mtl/core';
import { decodeImageRgb, type PixelBox } from './image-decoding.js';
import { checkIndex } from './loader-support.js';

/** The 7 basic expressions in AffectNet's code order (0 neutral … 6 anger). */
export const canonicalExpressions = [
  'neutral',
  'happiness',
  'sadness',
  'surprise',
  'fear',
  'disgust',
  'anger',
] as const;
export type CanonicalExpression = (typeof canonicalExpressions)[number];

/** Union of the AUs annotated by DISFA, BP4D (FERA 2015), EmotioNet (2017 challenge) and Aff-Wild2, ascending. */
export const canonicalActionUnits: readonly number[] = [
  1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 23, 24, 25, 26, 43,
];

/** Task names used by every affect loader. */
export const affectTaskNames = {
  expression: 'expression',
  actionUnits: 'actionUnits',
  valenceArousal: 'valenceArousal',
} as const;

export function expressionTask(): TaskSpec {
  return defineTask({
    name: affectTaskNames.expression,
    kind: 'multiclass',
    channels: 7,
    labelNames: [...canonicalExpressions],
  });
}

export function actionUnitTask(actionUnits: readonly number[] = canonicalActionUnits): TaskSpec {
  return defineTask({
    name: affectTaskNames.actionUnits,
    kind: 'multilabel',
    channels: actionUnits.length,
    ignoreValue: -1,
    labelNames: actionUnits.map((au) => `AU${au}`),
  });
}

export function valenceArousalTask(): TaskSpec {
  return defineTask({
    name: affectTaskNames.valenceArousal,
    kind: 'regression',
    channels: 2,
    labelNames: ['valence', 'arousal'],
  });
}

/** Canonical index of an expression name (case-insensitive; also accepts 'happy', 'sad', 'angry', 'surprised'…). */
export function expressionIndexOf(name: string): number {
  const aliases: Record<string, CanonicalExpression> = {
    happy: 'happiness',
    sad: 'sadness',
    surprised: 'surprise',
    angry: 'anger',
    fearful: 'fear',
    disgusted: 'disgust',
  };
  const key = name.trim().toLowerCase();
  return canonicalExpressions.indexOf((aliases[key] ?? key) as CanonicalExpression);
}

/** One face image and the labels its data set gives it. */
export interface AffectEntry {
  /** Absolute image path (already checked to lie inside the data root). */
  readonly image: string;
  readonly crop?: PixelBox;
  /** Canonical expression index, when annotated. */
  readonly expression?: number;
  /** One value per AU of the loader's AU list: 1, 0 or −1 (not annotated). */
  readonly actionUnits?: Int32Array;
  readonly valenceArousal?: readonly [number, number];
}

/**
 * AU vector in `actionUnits` order from annotated values; AUs absent from `values` are −1. Values must be 0 or 1.
 */
export function actionUnitVector(
  values: ReadonlyMap<number, number>,
  actionUnits: readonly number[],
): Int32Array {
  return Int32Array.from(actionUnits, (au) => values.get(au) ?? -1);
}

export interface AffectSourceOptions {
  /** Names the data set in errors. */
  readonly datasetName: string;
  /** Tasks the source declares (labels of other tasks are never produced). */
  readonly tasks: readonly TaskSpec[];
  /** Output [height, width] of the face crops. */
  readonly size: readonly [number, number];
}

export interface AffectSampleSource extends SampleSource {
  readonly entries: readonly AffectEntry[];
}

/** A lazy SampleSource over affect entries: each read decodes, crops and resizes one image with sharp. */
export function createAffectSource(
  entries: readonly AffectEntry[],
  options: AffectSourceOptions,
): AffectSampleSource {
  if (entries.length === 0) throw new Error(`${options.datasetName}: no annotated samples found`);
  const declared = new Set(options.tasks.map((task) => task.name));
  return {
    tasks: options.tasks,
    length: entries.length,
    entries,
    async read(index: number): Promise<Sample> {
      checkIndex(index, entries.length, options.datasetName);
      const entry = entries[index]!;
      const image = await decodeImageRgb(entry.image, {
        size: options.size,
        ...(entry.crop ? { crop: entry.crop } : {}),
      });
      const labels: Record<string, DenseArray> = {};
      if (declared.has(affectTaskNames.expression) && entry.expression !== undefined) {
        labels[affectTaskNames.expression] = { data: new Int32Array([entry.expression]), shape: [1] };
      }
      if (declared.has(affectTaskNames.actionUnits) && entry.actionUnits?.some((value) => value !== -1)) {
        labels[affectTaskNames.actionUnits] = { data: entry.actionUnits, shape: [entry.actionUnits.length] };
      }
      if (declared.has(affectTaskNames.valenceArousal) && entry.valenceArousal) {
        labels[affectTaskNames.valenceArousal] = {
          data: Float32Array.from(entry.valenceArousal),
          shape: [2],
        };
      }
      return { index, image, labels };
    },
  };
}

/** Reads an annotation text file, naming it when absent. */
export async function readAnnotationFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${path}: ${what} not found`);
    throw error;
  }
}

/** True when a file exists. */
export async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Parses an integer cell strictly, naming the file, line and field on failure. */
export function integerCell(text: string | undefined, file: string, line: number, field: string): number {
  const value = Number((text ?? '').trim());
  if (text === undefined || text.trim() === '' || !Number.isInteger(value)) {
    throw new Error(`${file}: line ${line}: ${field} '${text ?? ''}' is not an integer`);
  }
  return value;
}

/** Expands a frame-path template: `{subject}`, `{task}`, `{video}` and `{frame}` (zero-padded to `frameDigits`). */
export function expandFrameTemplate(
  template: string,
  values: Readonly<Record<string, string>>,
  frame: number,
  frameDigits: number,
): string {
  return template
    .replaceAll('{frame}', String(frame).padStart(frameDigits, '0'))
    .replace(/\{(\w+)\}/g, (match, key: string) => values[key] ?? match);
}
