// `partial-mtl splits show FILE [--json]`: size, per-task label counts and the labels-per-row histogram of a
// split table (.pth from MTPSL/JTR via the datasets package's reader, .json or .csv).

import type { LabelMaskTable } from '@partial-mtl/core';
import { loadSplitTable } from '@partial-mtl/datasets';
import { type CommandContext, parseCommandArguments } from './command-support.js';

export const splitsHelp = `Usage: partial-mtl splits show FILE [--json]

Prints a split table's size, labelled samples per task and the histogram of labels per sample.
FILE is a .pth (MTPSL/JTR labels_weights), .json or .csv split table.

Options:
  --json        print one JSON object {"rows","tasks","perTask","labelsPerRow"}
  --tasks LIST  comma-separated task names for the columns (.pth files carry none)
  -h, --help    show this help`;

export interface SplitSummary {
  readonly rows: number;
  readonly tasks: number;
  readonly perTask: { readonly task: string; readonly labelled: number }[];
  readonly labelsPerRow: Record<string, number>;
}

export function summarizeSplit(table: LabelMaskTable): SplitSummary {
  const counts = table.countsPerTask();
  return {
    rows: table.rows,
    tasks: table.taskNames.length,
    perTask: table.taskNames.map((task, index) => ({ task, labelled: counts[index] ?? 0 })),
    labelsPerRow: table.labelsPerRow(),
  };
}

export function formatSplitSummary(file: string, summary: SplitSummary): string {
  const width = Math.max(4, ...summary.perTask.map((entry) => entry.task.length));
  const lines = [`${file}: ${summary.rows} rows × ${summary.tasks} tasks`, '', 'labelled samples per task:'];
  for (const entry of summary.perTask) {
    const share = summary.rows > 0 ? ((100 * entry.labelled) / summary.rows).toFixed(1) : '0.0';
    lines.push(`  ${entry.task.padEnd(width)}  ${String(entry.labelled).padStart(7)}  (${share}%)`);
  }
  lines.push('', 'labels per sample:');
  for (const [labels, rows] of Object.entries(summary.labelsPerRow).sort(
    (a, b) => Number(a[0]) - Number(b[0]),
  )) {
    lines.push(
      `  ${labels.padStart(2)} label${labels === '1' ? ' ' : 's'}  ${String(rows).padStart(7)} rows`,
    );
  }
  return lines.join('\n');
}

export async function splitsCommand(argv: readonly string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArguments(
    argv,
    { json: { type: 'boolean' }, tasks: { type: 'string' } },
    splitsHelp,
  );
  if (values.help) {
    context.print(splitsHelp);
    return 0;
  }
  const [action, file, ...rest] = positionals;
  if (action !== 'show' || !file || rest.length > 0) {
    context.error(`splits: expected 'splits show FILE'\n\n${splitsHelp}`);
    return 2;
  }
  const taskNames = typeof values.tasks === 'string' ? values.tasks.split(',').filter(Boolean) : undefined;
  const table = await loadSplitTable(file, taskNames ? { taskNames } : {});
  const summary = summarizeSplit(table);
  context.print(values.json ? JSON.stringify(summary) : formatSplitSummary(file, summary));
  return 0;
}
