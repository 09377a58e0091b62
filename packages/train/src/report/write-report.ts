// report.html for a run (loss per part, each metric over time, the final table) or for several runs side by
// side (the demo): self-contained HTML with the SVG plots inline (no scripts), plus SVG and PNG copies in plots/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatResultsTable, type ResultsRow } from '@partial-mtl/metrics';
import { type MetricsLine, readJsonLines, type TrainLogLine } from '../run-logs.js';
import { lossChartSpec, metricsChartSpec } from './chart-specs.js';
import { renderSvg, svgToPng } from './render-chart.js';

export interface ReportRun {
  /** Row and section name ('jtr', 'pairwise', or the run's regularizer). */
  readonly name: string;
  /** The run's outDir (holding train-log.jsonl and metrics.jsonl). */
  readonly outDir: string;
}

export interface ReportOptions {
  readonly title: string;
  /** Final results table rows (metrics as fractions, Δm in percent). */
  readonly rows: readonly ResultsRow[];
  readonly runs: readonly ReportRun[];
  /** Table columns (default: every task metric of the rows). */
  readonly columns?: readonly { readonly task: string; readonly metric: string }[];
  /** Extra lines shown under the title (backend, seconds, config summary). */
  readonly notes?: readonly string[];
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-');
}

/** Writes outDir/report.html and outDir/plots/*.{svg,png}; returns the report path. */
export async function writeReport(outDir: string, options: ReportOptions): Promise<string> {
  const plotsDirectory = join(outDir, 'plots');
  mkdirSync(plotsDirectory, { recursive: true });
  const sections: string[] = [];
  for (const run of options.runs) {
    const trainLines = readJsonLines<TrainLogLine>(join(run.outDir, 'train-log.jsonl'));
    const metricLines = readJsonLines<MetricsLine>(join(run.outDir, 'metrics.jsonl'));
    const figures: string[] = [];
    const charts = [
      { kind: 'loss', lines: trainLines.length, spec: () => lossChartSpec(trainLines) },
      { kind: 'metrics', lines: metricLines.length, spec: () => metricsChartSpec(metricLines) },
    ];
    for (const chart of charts) {
      if (chart.lines === 0) continue;
      const svg = await renderSvg(chart.spec());
      const base = `${fileSafe(run.name)}-${chart.kind}`;
      writeFileSync(join(plotsDirectory, `${base}.svg`), svg);
      writeFileSync(join(plotsDirectory, `${base}.png`), svgToPng(svg));
      figures.push(
        `<figure>${svg}<figcaption>plots/${base}.svg · <a href="plots/${base}.png">PNG</a></figcaption></figure>`,
      );
    }
    if (figures.length === 0) figures.push('<p>No logged steps or evaluations.</p>');
    sections.push(`<section><h2>${escapeHtml(run.name)}</h2>\n${figures.join('\n')}</section>`);
  }
  const table =
    options.rows.length > 0
      ? formatResultsTable(options.rows, {
          format: 'text',
          ...(options.columns ? { columns: options.columns } : {}),
        })
      : 'No evaluation results.';
  const notes = (options.notes ?? []).map((note) => `<li>${escapeHtml(note)}</li>`).join('');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(options.title)}</title>
<style>
body { font-family: 'DejaVu Sans', sans-serif; margin: 2rem; color: #222; }
pre { background: #f6f6f6; padding: 1rem; overflow-x: auto; }
figure { margin: 1rem 0; } figcaption { font-size: 0.8rem; color: #666; }
</style>
</head>
<body>
<h1>${escapeHtml(options.title)}</h1>
<ul>${notes}</ul>
<h2>Final results</h2>
<pre>${escapeHtml(table)}</pre>
${sections.join('\n')}
</body>
</html>
`;
  const path = join(outDir, 'report.html');
  writeFileSync(path, html);
  return path;
}
