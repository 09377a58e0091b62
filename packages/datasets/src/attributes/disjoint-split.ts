// A partial-label split with no overlap between two tasks: a small part labelled only for the class task, a
// large part labelled only for the attribute task, the rest unlabelled — the setting of the distribution-matching
// paper (Kollias et al., AAAI 2024, arXiv 2401.01219) where tasks' labels barely overlap. Seeded.
import { LabelMaskTable, RandomSource } from '@partial-mtl/core';

export interface DisjointSplitOptions {
  readonly rows: number;
  /** Task names in column order; the first two columns are the two disjointly labelled tasks. */
  readonly taskNames: readonly [string, string, ...string[]];
  /** Fraction (0..1) or count of rows labelled for the first task only. Default 0.01. */
  readonly firstTaskPart?: number;
  /** Fraction (0..1) or count of rows labelled for the second task only. Default 0.5. */
  readonly secondTaskPart?: number;
  readonly seed: number;
}

function partSize(value: number, rows: number, field: string): number {
  if (!(value >= 0)) throw new Error(`disjointSplit.${field}: expected a non-negative number, got ${value}`);
  const size = value <= 1 ? Math.round(value * rows) : Math.floor(value);
  if (size > rows)
    throw new Error(`disjointSplit.${field}: ${size} rows requested but the data set has ${rows}`);
  return size;
}

/** Builds the split: rows are assigned to the parts by a seeded permutation. */
export function disjointSplit(options: DisjointSplitOptions): LabelMaskTable {
  const { rows, taskNames } = options;
  const first = partSize(options.firstTaskPart ?? 0.01, rows, 'firstTaskPart');
  const second = partSize(options.secondTaskPart ?? 0.5, rows, 'secondTaskPart');
  if (first + second > rows) {
    throw new Error(`disjointSplit: parts of ${first} + ${second} rows exceed the data set's ${rows} rows`);
  }
  const order = new RandomSource(options.seed).permutation(rows);
  const flags = new Uint8Array(rows * taskNames.length);
  order.forEach((row, position) => {
    if (position < first) flags[row * taskNames.length] = 1;
    else if (position < first + second) flags[row * taskNames.length + 1] = 1;
  });
  return new LabelMaskTable(taskNames, flags, rows);
}
