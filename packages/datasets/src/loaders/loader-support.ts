// Shared checks for the real-data loaders: label masks given as a table or a split-table path, index ranges, shape
// checks, and paths from annotation files that must stay inside the data root (no `../`, no absolute paths).
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { LabelMaskTable } from '@partial-mtl/core';
import { loadSplitTable } from '../splits/load-split-table.js';

/** A label mask for a loader: a table, or the path of a split table (`.pth`, `.json`, `.csv`). */
export type LabelMaskOption = LabelMaskTable | string;

/**
 * Resolves a loader's `labelMask` option and checks it against the data set: one row per sample and one column per
 * task of the data set's full task list (in that order). `datasetName` appears in errors.
 */
export async function resolveLabelMask(
  option: LabelMaskOption | undefined,
  rows: number,
  taskNames: readonly string[],
  datasetName: string,
): Promise<LabelMaskTable | undefined> {
  if (option === undefined) return undefined;
  if (typeof option === 'string') {
    const table = await loadSplitTable(option, { taskNames });
    if (table.rows !== rows) {
      throw new Error(`${option}: split table has ${table.rows} rows but ${datasetName} has ${rows} samples`);
    }
    return table;
  }
  option.assertMatches(rows, taskNames, `labelMask for ${datasetName}`);
  return option;
}

/** Throws unless `index` is an integer in [0, length). */
export function checkIndex(index: number, length: number, datasetName: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new Error(`${datasetName}: index ${index} out of range 0..${length - 1}`);
  }
}

/**
 * Resolves `relativePath` (read from an annotation file) inside `root`. Absolute paths and paths that climb out of
 * the root are rejected, naming the annotation file and the offending value. The check is textual: a symbolic link
 * inside the root is followed wherever it points (data sets are often linked in from another disk).
 */
export function resolveInside(
  root: string,
  relativePath: string,
  annotationFile: string,
  field: string,
): string {
  const trimmed = relativePath.trim();
  if (trimmed === '') throw new Error(`${annotationFile}: ${field} is empty`);
  if (isAbsolute(trimmed) || /^[a-zA-Z]:[\\/]/.test(trimmed) || trimmed.startsWith('\\')) {
    throw new Error(
      `${annotationFile}: ${field} '${trimmed}' is an absolute path; expected a path inside ${root}`,
    );
  }
  const segments = trimmed.split(/[\\/]+/);
  if (segments.includes('..')) {
    throw new Error(`${annotationFile}: ${field} '${trimmed}' contains '..'; expected a path inside ${root}`);
  }
  const full = resolve(root, trimmed);
  const inside = relative(resolve(root), full);
  if (inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    throw new Error(`${annotationFile}: ${field} '${trimmed}' escapes ${root}`);
  }
  return full;
}

/** `(a, b, c)` for messages. */
export function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}

/** True when `shape` equals `expected`, where `undefined` entries of `expected` match any size. */
export function shapeMatches(shape: readonly number[], expected: ReadonlyArray<number | undefined>): boolean {
  return (
    shape.length === expected.length && expected.every((size, d) => size === undefined || size === shape[d])
  );
}

/** The task specs named in `selected` (all when undefined), in the data set's order; unknown names are errors. */
export function selectTasks<T extends { readonly name: string }>(
  all: readonly T[],
  selected: readonly string[] | undefined,
  datasetName: string,
): T[] {
  if (selected === undefined) return [...all];
  for (const name of selected) {
    if (!all.some((task) => task.name === name)) {
      throw new Error(
        `${datasetName}: unknown task '${name}' (tasks: ${all.map((task) => task.name).join(', ')})`,
      );
    }
  }
  return all.filter((task) => selected.includes(task.name));
}
