// Checks of a run's partial-label split before training: a task with no labelled training sample is allowed (its
// supervised loss is exactly 0 — every masked loss divides by max(count, 1) — and its head keeps its initial
// weights), but it is almost always a mistake in the split table, so the run says so once at the start.
import type { LabelMaskTable } from '@partial-mtl/core';

/** One warning line per task of `split` that has no labelled row; empty when every task has labels. */
export function emptyTaskWarnings(split: LabelMaskTable, what = 'the training split'): string[] {
  const counts = split.countsPerTask();
  return split.taskNames.flatMap((task, column) =>
    counts[column] === 0
      ? [
          `warning: task '${task}' has no labelled sample in ${what} (0 of ${split.rows} rows): its supervised loss is 0 ` +
            'and its head keeps its initial weights. Check the split table if this is not intended.',
        ]
      : [],
  );
}
