// Per-sample label masks: which tasks are labelled for each sample of a partially labelled data set.
// This is the in-memory form of the MTPSL/JTR split tables (`labels_weights`, N×T of 0/1; arXiv 2111.14893).

/** An N×T table of 0/1 flags: row = sample, column = task (in task order). */
export class LabelMaskTable {
  readonly rows: number;
  readonly taskNames: readonly string[];
  /** Row-major N×T flags, 1 = labelled. */
  readonly flags: Uint8Array;

  constructor(taskNames: readonly string[], flags: Uint8Array, rows: number) {
    if (flags.length !== rows * taskNames.length) {
      throw new Error(
        `LabelMaskTable: expected ${rows}×${taskNames.length} = ${rows * taskNames.length} flags, got ${flags.length}`,
      );
    }
    this.rows = rows;
    this.taskNames = Object.freeze([...taskNames]);
    this.flags = flags;
  }

  /** A table with every task labelled for every sample. */
  static full(taskNames: readonly string[], rows: number): LabelMaskTable {
    return new LabelMaskTable(taskNames, new Uint8Array(rows * taskNames.length).fill(1), rows);
  }

  /** Builds a table from rows of booleans or 0/1 numbers. */
  static fromRows(
    taskNames: readonly string[],
    rows: ReadonlyArray<ReadonlyArray<number | boolean>>,
  ): LabelMaskTable {
    const flags = new Uint8Array(rows.length * taskNames.length);
    rows.forEach((row, r) => {
      if (row.length !== taskNames.length) {
        throw new Error(`LabelMaskTable row ${r}: expected ${taskNames.length} entries, got ${row.length}`);
      }
      row.forEach((value, t) => {
        flags[r * taskNames.length + t] = value ? 1 : 0;
      });
    });
    return new LabelMaskTable(taskNames, flags, rows.length);
  }

  get taskCount(): number {
    return this.taskNames.length;
  }

  /** Column index of a task; throws naming the valid tasks when unknown. */
  taskIndex(task: string): number {
    const index = this.taskNames.indexOf(task);
    if (index < 0)
      throw new Error(`LabelMaskTable: unknown task '${task}' (tasks: ${this.taskNames.join(', ')})`);
    return index;
  }

  isLabelled(row: number, task: string | number): boolean {
    const column = typeof task === 'number' ? task : this.taskIndex(task);
    if (row < 0 || row >= this.rows)
      throw new Error(`LabelMaskTable: row ${row} out of range 0..${this.rows - 1}`);
    return this.flags[row * this.taskCount + column] === 1;
  }

  /** The flags of one row, in task order. */
  row(row: number): boolean[] {
    return this.taskNames.map((_, t) => this.isLabelled(row, t));
  }

  /** Labelled-sample count per task, in task order. */
  countsPerTask(): number[] {
    const counts = new Array<number>(this.taskCount).fill(0);
    for (let r = 0; r < this.rows; r++) {
      for (let t = 0; t < this.taskCount; t++) counts[t]! += this.flags[r * this.taskCount + t]!;
    }
    return counts;
  }

  /** Histogram of labels per row: key = number of labelled tasks, value = rows. */
  labelsPerRow(): Record<string, number> {
    const histogram: Record<string, number> = {};
    for (let r = 0; r < this.rows; r++) {
      let count = 0;
      for (let t = 0; t < this.taskCount; t++) count += this.flags[r * this.taskCount + t]!;
      histogram[String(count)] = (histogram[String(count)] ?? 0) + 1;
    }
    return histogram;
  }

  /** The sub-table of the given rows, in that order. */
  select(rowIndices: readonly number[]): LabelMaskTable {
    const flags = new Uint8Array(rowIndices.length * this.taskCount);
    rowIndices.forEach((source, r) => {
      if (source < 0 || source >= this.rows)
        throw new Error(`LabelMaskTable.select: row ${source} out of range`);
      flags.set(
        this.flags.subarray(source * this.taskCount, (source + 1) * this.taskCount),
        r * this.taskCount,
      );
    });
    return new LabelMaskTable(this.taskNames, flags, rowIndices.length);
  }

  /** Checks that this table fits a data set of `datasetRows` samples and the given tasks. */
  assertMatches(datasetRows: number, taskNames: readonly string[], source = 'split table'): void {
    if (this.rows !== datasetRows) {
      throw new Error(`${source}: has ${this.rows} rows but the data set has ${datasetRows} samples`);
    }
    if (this.taskCount !== taskNames.length) {
      throw new Error(
        `${source}: has ${this.taskCount} task columns but the data set has ${taskNames.length} tasks (${taskNames.join(', ')})`,
      );
    }
  }
}
