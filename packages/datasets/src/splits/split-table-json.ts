// Split tables as JSON (our own exchange format): `{"taskNames": [...], "rows": [[1,0,0], ...]}`; also accepted:
// `{"labels_weights": [[...]]}` (the `.pth` key) or a bare array of rows. Values 0/1 or booleans.
import { readFile } from 'node:fs/promises';
import type { LabelMaskTable } from '@partial-mtl/core';
import { tableFromValues } from './table-values.js';

/** Parses a JSON split table; `taskNames` overrides (and must agree in count with) the names in the file. */
export function parseSplitTableJson(
  text: string,
  file = '<json>',
  taskNames?: readonly string[],
): LabelMaskTable {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: invalid JSON (${(error as Error).message})`);
  }
  let rows: unknown;
  let names: unknown;
  if (Array.isArray(value)) rows = value;
  else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    rows = record['rows'] ?? record['labels_weights'];
    names = record['taskNames'];
  }
  if (!Array.isArray(rows) || rows.length === 0 || !rows.every(Array.isArray)) {
    throw new Error(`${file}: expected 'rows' (or 'labels_weights') to be a non-empty array of arrays`);
  }
  if (names !== undefined && (!Array.isArray(names) || !names.every((name) => typeof name === 'string'))) {
    throw new Error(`${file}: 'taskNames' must be an array of strings`);
  }
  const columns = (rows[0] as unknown[]).length;
  rows.forEach((row: unknown[], r) => {
    if (row.length !== columns)
      throw new Error(`${file}: row ${r} has ${row.length} entries, expected ${columns}`);
  });
  const values = (rows as unknown[][]).flat() as Array<number | boolean>;
  return tableFromValues(values, rows.length, columns, file, taskNames ?? (names as string[] | undefined));
}

export async function readSplitTableJson(
  path: string,
  taskNames?: readonly string[],
): Promise<LabelMaskTable> {
  return parseSplitTableJson(await readFile(path, 'utf8'), path, taskNames);
}

/** The JSON form of a table (with its task names), as `parseSplitTableJson` reads it. */
export function splitTableToJson(table: LabelMaskTable): string {
  const rows = Array.from({ length: table.rows }, (_, r) =>
    Array.from(table.flags.subarray(r * table.taskCount, (r + 1) * table.taskCount)),
  );
  return `{"taskNames":${JSON.stringify(table.taskNames)},"rows":[\n${rows.map((row) => JSON.stringify(row)).join(',\n')}\n]}\n`;
}
