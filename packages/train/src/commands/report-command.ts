// `partial-mtl report DIR`: (re)writes DIR/report.html and its plots from the run's logs.

import { join } from 'node:path';
import { writeReport } from '../report/write-report.js';
import { type MetricsLine, readJsonLines } from '../run-logs.js';
import { type CommandContext, parseCommandArguments } from './command-support.js';

export const reportHelp = `Usage: partial-mtl report DIR

Writes DIR/report.html (loss per part, each metric over time, the final table) and SVG/PNG plots in DIR/plots
from DIR/train-log.jsonl and DIR/metrics.jsonl.

Options:
  -h, --help    show this help`;

export async function reportCommand(argv: readonly string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArguments(argv, {}, reportHelp);
  if (values.help) {
    context.print(reportHelp);
    return 0;
  }
  const [outDir, ...rest] = positionals;
  if (!outDir || rest.length > 0) {
    context.error(`report: expected one run directory\n\n${reportHelp}`);
    return 2;
  }
  const lines = readJsonLines<MetricsLine>(join(outDir, 'metrics.jsonl'));
  const last = lines.at(-1);
  const best = [...lines].reverse().find((line) => line.best);
  const rows = [
    ...(last ? [{ name: `last (step ${last.step})`, metrics: last.metrics, deltaM: last.deltaM * 100 }] : []),
    ...(best ? [{ name: `best (step ${best.step})`, metrics: best.metrics, deltaM: best.deltaM * 100 }] : []),
  ];
  const path = await writeReport(outDir, {
    title: `partial-mtl run ${outDir}`,
    rows,
    runs: [{ name: 'run', outDir }],
  });
  context.print(path);
  return 0;
}
