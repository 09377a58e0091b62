// Plain-text and Markdown tables of results, one row per run or method and one column per task metric, values
// shown as the papers print them (fractions ×100, errors to 4 decimals, degrees and percentages to 2) with the
// better direction (↑/↓) from metric-definitions.ts, and Δm in percent. Used by the train CLI.
import type { MetricTable } from './delta-m.js';
import type { EvaluationResult } from './evaluation-result.js';
import { directionOf, displayDecimalsOf, displayScaleOf } from './metric-definitions.js';
import { describeNegativeTransfer } from './negative-transfer.js';

export interface ResultsRow {
  readonly name: string;
  readonly metrics: MetricTable;
  /** Δm in percent (e.g. 21.92); shown with its sign. */
  readonly deltaM?: number;
}

export interface TableColumn {
  readonly task: string;
  readonly metric: string;
}

export interface FormatTableOptions {
  readonly format: 'text' | 'markdown';
  /** Columns to show; default every task metric of the rows except per-class ones ('iou.3', 'f1.AU1'). */
  readonly columns?: readonly TableColumn[];
  /** Header of the Δ column. */
  readonly deltaLabel: string;
}

export const formatTableDefaults: FormatTableOptions = { format: 'text', deltaLabel: 'Δm %' };

function defaultColumns(rows: readonly ResultsRow[]): TableColumn[] {
  const seen = new Set<string>();
  const columns: TableColumn[] = [];
  for (const row of rows) {
    for (const [task, metrics] of Object.entries(row.metrics)) {
      for (const metric of Object.keys(metrics)) {
        const key = `${task}\u0000${metric}`;
        if (metric.includes('.') || seen.has(key)) continue;
        seen.add(key);
        columns.push({ task, metric });
      }
    }
  }
  return columns;
}

/** A metric value as tables show it: '-' when missing, 'NaN' when undefined. */
export function formatMetricValue(metric: string, value: number | undefined): string {
  if (value === undefined) return '-';
  if (Number.isNaN(value)) return 'NaN';
  return (value * displayScaleOf(metric)).toFixed(displayDecimalsOf(metric));
}

/** Δ in percent with its sign, e.g. '+21.92'. */
export function formatDelta(percent: number | undefined): string {
  if (percent === undefined) return '-';
  if (Number.isNaN(percent)) return 'NaN';
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(2)}`;
}

function renderTable(
  header: readonly string[],
  body: readonly string[][],
  format: 'text' | 'markdown',
): string {
  if (format === 'markdown') {
    const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
    const rule = `|${header.map((_, index) => (index === 0 ? ' --- ' : ' ---: ')).join('|')}|`;
    return [line(header), rule, ...body.map(line)].join('\n');
  }
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...body.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** Rows of runs or methods as a table; the Δ column appears when any row has `deltaM`. */
export function formatResultsTable(
  rows: readonly ResultsRow[],
  options: Partial<FormatTableOptions> = {},
): string {
  const settings = { ...formatTableDefaults, ...options };
  if (settings.format !== 'text' && settings.format !== 'markdown') {
    throw new Error(
      `formatResultsTable: unknown format '${String(settings.format)}'; valid formats: text, markdown`,
    );
  }
  const columns = settings.columns ?? defaultColumns(rows);
  const showDelta = rows.some((row) => row.deltaM !== undefined);
  const header = [
    'name',
    ...columns.map(({ task, metric }) => `${task} ${metric} ${directionOf(metric) === 'higher' ? '↑' : '↓'}`),
    ...(showDelta ? [settings.deltaLabel] : []),
  ];
  const body = rows.map((row) => [
    row.name,
    ...columns.map(({ task, metric }) => formatMetricValue(metric, row.metrics[task]?.[metric])),
    ...(showDelta ? [formatDelta(row.deltaM)] : []),
  ]);
  return renderTable(header, body, settings.format);
}

/** One evaluation as a one-row table, then one line per Δ and per negative-transfer finding. */
export function formatEvaluationResult(
  result: EvaluationResult,
  options: Partial<FormatTableOptions> & { readonly name?: string } = {},
): string {
  const table = formatResultsTable(
    [{ name: options.name ?? 'result', metrics: result.tasks, deltaM: result.deltas[0]?.percent }],
    options,
  );
  const lines = result.deltas.map(
    (delta) => `Δm (${delta.flavour} vs ${delta.baseline}): ${formatDelta(delta.percent)} %`,
  );
  const negative = describeNegativeTransfer(result.negativeTransfer);
  if (negative !== '') lines.push(`Negative transfer:\n${negative}`);
  return [table, ...lines].join('\n');
}
