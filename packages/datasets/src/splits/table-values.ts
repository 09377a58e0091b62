// Shared checks for split tables read from files: values must be 0/1 flags and task names must match the columns.
import { LabelMaskTable } from '@partial-mtl/core';

/** Default column names when a file carries none: task0, task1, … */
export function defaultTaskNames(columns: number): string[] {
  return Array.from({ length: columns }, (_, t) => `task${t}`);
}

/** Builds a table from row-major values, each 0 or 1 (1.0/0.0, true/false); throws naming the file and cell. */
export function tableFromValues(
  values: ArrayLike<number | boolean>,
  rows: number,
  columns: number,
  file: string,
  taskNames?: readonly string[],
): LabelMaskTable {
  if (rows < 1 || columns < 1) throw new Error(`${file}: split table is empty (${rows}×${columns})`);
  if (values.length !== rows * columns) {
    throw new Error(`${file}: split table has ${values.length} values, expected ${rows}×${columns}`);
  }
  const names = taskNames ?? defaultTaskNames(columns);
  if (names.length !== columns) {
    throw new Error(
      `${file}: split table has ${columns} task columns but ${names.length} task names were given (${names.join(', ')})`,
    );
  }
  const flags = new Uint8Array(rows * columns);
  for (let i = 0; i < flags.length; i++) {
    const value = values[i];
    if (value === 1 || value === true) flags[i] = 1;
    else if (value !== 0 && value !== false) {
      throw new Error(
        `${file}: split table row ${Math.floor(i / columns)}, column ${i % columns}: expected 0 or 1, got ${String(value)}`,
      );
    }
  }
  return new LabelMaskTable(names, flags, rows);
}
