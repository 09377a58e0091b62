// Loads a partial-label split table from `.pth` (legacy or zip torch format), `.json`, `.csv` or an image-list `.npy`
// (PASCAL-Context), choosing the reader by extension and, for other names, by the file's first bytes. Returns a core
// `LabelMaskTable`.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { LabelMaskTable } from '@partial-mtl/core';
import { parseObjectNpy } from '../formats/npy-object.js';
import { parseTorchFile } from '../formats/pth.js';
import { parseSplitTableCsv } from './split-table-csv.js';
import { splitTableFromImageLists } from './split-table-image-lists.js';
import { parseSplitTableJson } from './split-table-json.js';
import { splitTableFromTorch } from './split-table-pth.js';

export interface LoadSplitTableOptions {
  /** Task names in column order (`.pth` files carry none; default task0, task1, …). */
  readonly taskNames?: readonly string[];
  /** When given, the table must have exactly this many rows (the data set's size). */
  readonly expectedRows?: number;
  /** Row order for image-list splits (`.npy` object arrays, PASCAL-Context); default: sorted union of the ids. */
  readonly imageIds?: readonly string[];
}

export type SplitTableFormat = 'pth' | 'json' | 'csv' | 'image-lists';

/** Which reader a file needs: by extension, else by magic (zip `PK\x03\x04` or pickle `\x80` → pth, `\x93NUMPY`). */
export function splitTableFormatOf(path: string, bytes: Uint8Array): SplitTableFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.pth' || extension === '.pt') return 'pth';
  if (extension === '.json') return 'json';
  if (extension === '.csv') return 'csv';
  if (extension === '.npy' || (bytes[0] === 0x93 && bytes[1] === 0x4e && bytes[2] === 0x55))
    return 'image-lists';
  if (bytes[0] === 0x80 || (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04))
    return 'pth';
  const firstText = new TextDecoder()
    .decode(bytes.subarray(0, 64))
    .replace(/^\uFEFF/, '')
    .trimStart();
  return firstText.startsWith('{') || firstText.startsWith('[') ? 'json' : 'csv';
}

/** Reads a split table in any supported format. Errors name the file. */
export async function loadSplitTable(
  path: string,
  options: LoadSplitTableOptions = {},
): Promise<LabelMaskTable> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${path}: split table not found`);
    throw error;
  }
  const format = splitTableFormatOf(path, bytes);
  const table =
    format === 'image-lists'
      ? splitTableFromImageLists(parseObjectNpy(bytes, path), path, {
          ...(options.imageIds ? { imageIds: options.imageIds } : {}),
          ...(options.taskNames ? { taskNames: options.taskNames } : {}),
        }).table
      : format === 'pth'
        ? splitTableFromTorch(parseTorchFile(bytes, path), path, options.taskNames)
        : format === 'json'
          ? parseSplitTableJson(new TextDecoder().decode(bytes), path, options.taskNames)
          : parseSplitTableCsv(new TextDecoder().decode(bytes), path, options.taskNames);
  if (options.expectedRows !== undefined && table.rows !== options.expectedRows) {
    throw new Error(
      `${path}: split table has ${table.rows} rows but the data set has ${options.expectedRows} samples`,
    );
  }
  return table;
}
