// Split tables as CSV (our own exchange format): one row per sample, one 0/1 column per task; an optional header
// row of task names (detected when its cells are not all 0/1). Row i is sample i of the data set.
import { readFile } from 'node:fs/promises';
import type { LabelMaskTable } from '@partial-mtl/core';
import { csvField, parseCsv } from '../formats/csv.js';
import { tableFromValues } from './table-values.js';

const flagPattern = /^\s*(0|1|0\.0|1\.0|true|false)\s*$/i;

function flagValue(cell: string): number | string {
  const text = cell.trim().toLowerCase();
  if (text === '1' || text === '1.0' || text === 'true') return 1;
  if (text === '0' || text === '0.0' || text === 'false') return 0;
  return cell;
}

export function parseSplitTableCsv(
  text: string,
  file = '<csv>',
  taskNames?: readonly string[],
): LabelMaskTable {
  const rows = parseCsv(text, file);
  if (rows.length === 0) throw new Error(`${file}: split table is empty`);
  const header = rows[0]!.every((cell) => flagPattern.test(cell))
    ? undefined
    : rows.shift()!.map((cell) => cell.trim());
  if (rows.length === 0) throw new Error(`${file}: split table has a header but no rows`);
  const columns = header?.length ?? rows[0]!.length;
  const values: Array<number | boolean> = [];
  rows.forEach((row, r) => {
    const line = r + (header ? 2 : 1);
    if (row.length !== columns)
      throw new Error(`${file}: line ${line} has ${row.length} columns, expected ${columns}`);
    for (const [t, cell] of row.entries()) {
      const value = flagValue(cell);
      if (typeof value === 'string')
        throw new Error(`${file}: line ${line}, column ${t + 1}: expected 0 or 1, got '${cell}'`);
      values.push(value);
    }
  });
  return tableFromValues(values, rows.length, columns, file, taskNames ?? header);
}

export async function readSplitTableCsv(
  path: string,
  taskNames?: readonly string[],
): Promise<LabelMaskTable> {
  return parseSplitTableCsv(await readFile(path, 'utf8'), path, taskNames);
}

/** The CSV form of a table: a header of task names, then one 0/1 row per sample. */
export function splitTableToCsv(table: LabelMaskTable): string {
  const lines = [table.taskNames.map(csvField).join(',')];
  for (let r = 0; r < table.rows; r++)
    lines.push(Array.from(table.flags.subarray(r * table.taskCount, (r + 1) * table.taskCount)).join(','));
  return `${lines.join('\n')}\n`;
}
