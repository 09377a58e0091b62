// Collects whatever has finished in a runs directory into one table: a row per combination of the non-seed axes
// with mean ± std over seeds of every reported metric and of Δm against the grid's baseline method (same other
// axes), the paired per-seed differences of every row against the baseline run of the same seed, plus the list of
// unfinished entries. Δm uses @partial-mtl/metrics (jtrDelta, or libmtlDeltaP when a task
// reports several metrics) when every metric is one it defines; otherwise the same formula in ./delta.ts.
import { join } from 'node:path';
import {
  directionOf,
  jtrDelta,
  libmtlDeltaP,
  type MetricTable,
  metricDefinitionOf,
} from '@partial-mtl/metrics';
import { type DeltaTerm, deltaM, meanAndStd } from './delta.js';
import { getPath, numericLeaves } from './dotted-path.js';
import { type EntryState, inspectEntry } from './entry-state.js';
import { writeJsonAtomic, writeTextAtomic } from './files.js';
import type { ReportMetric } from './grid.js';
import { entryDirectory, type Plan, readPlan } from './plan.js';

export interface CollectedEntry {
  index: number;
  id: string;
  key: string;
  coordinates: Record<string, string>;
  state: EntryState;
  attempts: number;
  reason: string | undefined;
  values: Record<string, number | undefined>;
  /** Δm against the baseline group's mean, as a fraction. */
  deltaM: number | undefined;
}

export interface Statistic {
  mean: number;
  std: number | undefined;
  n: number;
}

export interface CollectedRow {
  coordinates: Record<string, string>;
  total: number;
  done: number;
  failed: number;
  isBaseline: boolean;
  metrics: Record<string, Statistic | undefined>;
  deltaM: Statistic | undefined;
}

/** A report metric with its name, task and direction settled. */
export interface TableMetric extends ReportMetric {
  name: string;
  task: string;
  /** The metric name @partial-mtl/metrics knows it by (the path's last segment), if it defines it. */
  knownName: string | undefined;
  /** Undefined when neither the grid nor @partial-mtl/metrics gives a direction: such a table has no Δm. */
  higherIsBetter: boolean | undefined;
}

/** One metric of one row against the baseline, paired by seed (same other axes); differences in the metric's units. */
export interface PairedMetric {
  /** (seed, row value − baseline value) for every seed where both runs are done, in plan order. */
  differences: Array<{ seed: string; difference: number }>;
  mean: number;
  std: number | undefined;
  /** Seeds where the row is better than the baseline (by the metric's direction); undefined without a direction. */
  ahead: number | undefined;
  /** Paired t statistic, mean / (std / √n); undefined below 2 pairs or with no spread. */
  t: number | undefined;
}

export interface PairedRow {
  coordinates: Record<string, string>;
  metrics: Record<string, PairedMetric | undefined>;
}

export interface CollectedTable {
  name: string;
  /** Axes that label rows (every axis but the seed axis). */
  rowAxes: string[];
  metrics: TableMetric[];
  /** How Δm was computed (`jtrDelta`, `libmtlDeltaP` from @partial-mtl/metrics, or `local`). */
  deltaMethod: 'jtrDelta' | 'libmtlDeltaP' | 'local' | undefined;
  baseline: Plan['baseline'];
  rows: CollectedRow[];
  /** Every non-baseline row against the baseline, seed by seed (empty without a baseline or a seed axis). */
  paired: PairedRow[];
  entries: CollectedEntry[];
}

function knownMetricName(path: string): string | undefined {
  const last = path.slice(path.lastIndexOf('.') + 1);
  try {
    metricDefinitionOf(last);
    return last;
  } catch {
    return undefined;
  }
}

function tableMetric(metric: ReportMetric): TableMetric {
  const segments = metric.path.split('.');
  const knownName = knownMetricName(metric.path);
  return {
    ...metric,
    name: metric.name ?? metric.path,
    task: metric.task ?? (segments.length > 1 ? segments[segments.length - 2]! : metric.path),
    knownName,
    higherIsBetter: metric.higherIsBetter ?? (knownName ? directionOf(knownName) === 'higher' : undefined),
  };
}

function reportMetrics(plan: Plan, results: Record<string, unknown>[]): TableMetric[] {
  if (plan.report.metrics.length > 0) return plan.report.metrics.map(tableMetric);
  // No metrics declared: show every numeric leaf of the first result, without directions (so no Δm).
  const first = results[0];
  return Object.keys(first ? numericLeaves(first) : {}).map((path) => ({
    ...tableMetric({ path, scale: 1, digits: 4 }),
    knownName: undefined,
    higherIsBetter: undefined,
  }));
}

/** Which Δ function applies: the metrics package's when it defines every metric with the same direction. */
function chooseDeltaMethod(metrics: TableMetric[]): CollectedTable['deltaMethod'] {
  if (metrics.length === 0 || metrics.some((metric) => metric.higherIsBetter === undefined)) return undefined;
  const packageDirections = metrics.every(
    (metric) => metric.knownName && (directionOf(metric.knownName) === 'higher') === metric.higherIsBetter,
  );
  if (!packageDirections) return 'local';
  const perTask = new Map<string, number>();
  for (const metric of metrics) perTask.set(metric.task, (perTask.get(metric.task) ?? 0) + 1);
  return [...perTask.values()].every((count) => count === 1) ? 'jtrDelta' : 'libmtlDeltaP';
}

function metricTable(metrics: TableMetric[], valueFor: (metric: TableMetric) => number): MetricTable {
  const table: Record<string, Record<string, number>> = {};
  for (const metric of metrics) {
    const taskMetrics = table[metric.task] ?? {};
    taskMetrics[metric.knownName!] = valueFor(metric);
    table[metric.task] = taskMetrics;
  }
  return table;
}

/** Δm of one run against baseline means, as a fraction; undefined when it cannot be computed. */
function entryDelta(
  method: NonNullable<CollectedTable['deltaMethod']>,
  metrics: TableMetric[],
  values: Record<string, number>,
  baseline: Record<string, number>,
): number | undefined {
  if (method === 'local') {
    const terms: DeltaTerm[] = metrics.map((metric) => ({
      task: metric.task,
      value: values[metric.name]!,
      baseline: baseline[metric.name]!,
      higherIsBetter: metric.higherIsBetter!,
    }));
    return deltaM(terms);
  }
  try {
    const results = metricTable(metrics, (metric) => values[metric.name]!);
    const reference = metricTable(metrics, (metric) => baseline[metric.name]!);
    return method === 'jtrDelta' ? jtrDelta(results, reference) : libmtlDeltaP(results, reference);
  } catch {
    return undefined; // e.g. a zero baseline value: relative change undefined
  }
}

function groupKey(coordinates: Record<string, string>, axes: string[]): string {
  return axes.map((axis) => `${axis}=${coordinates[axis]}`).join(',');
}

/** Reads every entry's state and result and builds the table (nothing is written). */
export function collectResults(runsDirectory: string): CollectedTable {
  const plan = readPlan(runsDirectory);
  const rowAxes = plan.axes.map((axis) => axis.name).filter((name) => name !== plan.seedAxis);
  const inspections = plan.entries.map((entry) => ({
    entry,
    ...inspectEntry(entryDirectory(runsDirectory, entry)),
  }));
  const metrics = reportMetrics(
    plan,
    inspections.flatMap((inspection) => (inspection.result ? [inspection.result] : [])),
  );
  const deltaMethod = plan.baseline ? chooseDeltaMethod(metrics) : undefined;

  const entries: CollectedEntry[] = inspections.map(({ entry, state, result, status }) => {
    const values: Record<string, number | undefined> = {};
    for (const metric of metrics) {
      const value = result ? getPath(result, metric.path) : undefined;
      values[metric.name] = typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    }
    return {
      index: entry.index,
      id: entry.id,
      key: entry.key,
      coordinates: entry.coordinates,
      state,
      attempts: status?.attempt ?? 0,
      reason: state === 'done' ? undefined : status?.reason,
      values,
      deltaM: undefined,
    };
  });

  const groups = new Map<string, CollectedEntry[]>();
  for (const entry of entries) {
    const key = groupKey(entry.coordinates, rowAxes);
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  const groupMeans = (members: CollectedEntry[]): Record<string, Statistic | undefined> =>
    Object.fromEntries(
      metrics.map((metric) => [
        metric.name,
        meanAndStd(
          members.flatMap((member) =>
            member.values[metric.name] === undefined ? [] : [member.values[metric.name]!],
          ),
        ),
      ]),
    );

  const baseline = plan.baseline;
  if (baseline && deltaMethod) {
    for (const entry of entries) {
      if (entry.state !== 'done') continue;
      const reference = groups.get(
        groupKey({ ...entry.coordinates, [baseline.axis]: baseline.value }, rowAxes),
      );
      if (!reference) continue;
      const means = groupMeans(reference.filter((member) => member.state === 'done'));
      const values: Record<string, number> = {};
      const baselineValues: Record<string, number> = {};
      let complete = true;
      for (const metric of metrics) {
        const value = entry.values[metric.name];
        const base = means[metric.name];
        if (value === undefined || base === undefined) complete = false;
        else {
          values[metric.name] = value;
          baselineValues[metric.name] = base.mean;
        }
      }
      entry.deltaM = complete ? entryDelta(deltaMethod, metrics, values, baselineValues) : undefined;
    }
  }

  const rows: CollectedRow[] = [...groups.values()].map((members) => {
    const done = members.filter((member) => member.state === 'done');
    return {
      coordinates: Object.fromEntries(rowAxes.map((axis) => [axis, members[0]!.coordinates[axis]!])),
      total: members.length,
      done: done.length,
      failed: members.filter((member) => member.state === 'failed').length,
      isBaseline: baseline !== undefined && members[0]!.coordinates[baseline.axis] === baseline.value,
      metrics: groupMeans(done),
      deltaM: meanAndStd(done.flatMap((member) => (member.deltaM === undefined ? [] : [member.deltaM]))),
    };
  });
  return {
    name: plan.name,
    rowAxes,
    metrics,
    deltaMethod,
    baseline: deltaMethod ? baseline : undefined,
    rows,
    paired: pairedRows(plan, rowAxes, metrics, entries),
    entries,
  };
}

/** Row minus baseline, seed by seed, for every metric of every non-baseline row. */
function pairedRows(
  plan: Plan,
  rowAxes: string[],
  metrics: TableMetric[],
  entries: CollectedEntry[],
): PairedRow[] {
  const { baseline, seedAxis } = plan;
  if (!baseline || !seedAxis) return [];
  const runAxes = [...rowAxes, seedAxis];
  const done = entries.filter((entry) => entry.state === 'done');
  const byRun = new Map(done.map((entry) => [groupKey(entry.coordinates, runAxes), entry]));
  // Each done non-baseline run with its done baseline partner, grouped by row.
  const pairsByRow = new Map<string, Array<[CollectedEntry, CollectedEntry]>>();
  for (const entry of done) {
    if (entry.coordinates[baseline.axis] === baseline.value) continue;
    const partner = byRun.get(groupKey({ ...entry.coordinates, [baseline.axis]: baseline.value }, runAxes));
    if (!partner) continue;
    const key = groupKey(entry.coordinates, rowAxes);
    pairsByRow.set(key, [...(pairsByRow.get(key) ?? []), [entry, partner]]);
  }
  return [...pairsByRow.values()].map((pairs) => ({
    coordinates: Object.fromEntries(rowAxes.map((axis) => [axis, pairs[0]![0].coordinates[axis]!])),
    metrics: Object.fromEntries(
      metrics.map((metric) => {
        const differences = pairs.flatMap(([entry, partner]) => {
          const value = entry.values[metric.name];
          const base = partner.values[metric.name];
          return value === undefined || base === undefined
            ? []
            : [{ seed: entry.coordinates[seedAxis]!, difference: value - base }];
        });
        return [metric.name, pairedMetric(differences, metric.higherIsBetter)];
      }),
    ),
  }));
}

/** Mean ± std, seeds ahead and the paired t statistic of per-seed differences; undefined without any. */
function pairedMetric(
  differences: PairedMetric['differences'],
  higherIsBetter: boolean | undefined,
): PairedMetric | undefined {
  const values = differences.map((item) => item.difference);
  const statistic = meanAndStd(values);
  if (!statistic) return undefined;
  return {
    differences,
    mean: statistic.mean,
    std: statistic.std,
    ahead:
      higherIsBetter === undefined
        ? undefined
        : values.filter((value) => (higherIsBetter ? value > 0 : value < 0)).length,
    t:
      statistic.std !== undefined && statistic.std > 0
        ? statistic.mean / (statistic.std / Math.sqrt(values.length))
        : undefined,
  };
}

function formatStatistic(
  statistic: Statistic | undefined,
  scale: number,
  digits: number,
  signed = false,
): string {
  if (!statistic) return '–';
  const scaled = statistic.mean * scale;
  // A mean that rounds to zero prints as 0, never "-0.00" (a baseline's Δm is 0 up to rounding error).
  const rounded = Math.abs(scaled) < 0.5 * 10 ** -digits ? 0 : scaled;
  const mean = rounded.toFixed(digits);
  const shown = signed && rounded >= 0 ? `+${mean}` : mean;
  return statistic.std === undefined ? shown : `${shown} ± ${(statistic.std * scale).toFixed(digits)}`;
}

function runsCell(row: CollectedRow): string {
  return `${row.done}/${row.total}${row.failed > 0 ? ` (${row.failed} failed)` : ''}`;
}

/** The table as Markdown: results, then every entry that has not finished. */
export function formatMarkdown(table: CollectedTable): string {
  const deltaTitle = table.baseline ? `Δm % (vs ${table.baseline.value})` : undefined;
  const header = [
    ...table.rowAxes,
    'runs',
    ...table.metrics.map((metric) => metric.name),
    ...(deltaTitle ? [deltaTitle] : []),
  ];
  const lines = [
    `# ${table.name}`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
  ];
  for (const row of table.rows) {
    const cells = [
      ...table.rowAxes.map((axis) => row.coordinates[axis] ?? ''),
      runsCell(row),
      ...table.metrics.map((metric) =>
        formatStatistic(row.metrics[metric.name], metric.scale, metric.digits),
      ),
      ...(deltaTitle ? [formatStatistic(row.deltaM, 100, 2, true)] : []),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('', 'Metrics: mean ± sample std over seeds.');
  if (table.baseline) {
    const how =
      table.deltaMethod === 'local'
        ? "JTR's formula (metrics.md §5a) with the grid's directions"
        : `@partial-mtl/metrics ${table.deltaMethod}`;
    lines.push(
      `Δm: ${how}, per seed against the mean of ${table.baseline.axis}=${table.baseline.value} with the same other axes.`,
    );
  }
  lines.push(...formatPaired(table));
  const unfinished = table.entries.filter((entry) => entry.state !== 'done');
  lines.push(
    '',
    unfinished.length === 0
      ? `All ${table.entries.length} entries finished.`
      : `Not finished (${unfinished.length} of ${table.entries.length}):`,
  );
  for (const entry of unfinished) {
    const state = entry.state === 'pending' ? 'missing' : entry.state;
    lines.push(
      `- ${entry.id} ${entry.key}: ${state}${entry.reason ? ` (${entry.reason})` : ''}${entry.attempts ? `, ${entry.attempts} attempt(s)` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The paired section: per row and metric, the per-seed differences, their mean ± std, seeds ahead and paired t. */
function formatPaired(table: CollectedTable): string[] {
  if (table.paired.length === 0 || !table.baseline) return [];
  const header = [...table.rowAxes, 'metric', 'per seed', 'mean ± std', 'seeds ahead', 'paired t'];
  const lines = [
    '',
    `Paired against ${table.baseline.axis}=${table.baseline.value} with the same seed (row − baseline, in the metric's units):`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
  ];
  for (const row of table.paired) {
    for (const metric of table.metrics) {
      const paired = row.metrics[metric.name];
      if (!paired) continue;
      const cells = [
        ...table.rowAxes.map((axis) => row.coordinates[axis] ?? ''),
        metric.name,
        paired.differences
          .map((item) =>
            formatStatistic(
              { mean: item.difference, std: undefined, n: 1 },
              metric.scale,
              metric.digits,
              true,
            ),
          )
          .join(' '),
        formatStatistic(
          { mean: paired.mean, std: paired.std, n: paired.differences.length },
          metric.scale,
          metric.digits,
          true,
        ),
        paired.ahead === undefined ? '–' : `${paired.ahead}/${paired.differences.length}`,
        paired.t === undefined ? '–' : paired.t.toFixed(2),
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  return lines;
}

function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line per row; raw (unscaled) means and stds, Δm as a fraction. */
export function formatCsv(table: CollectedTable): string {
  const header = [
    ...table.rowAxes,
    'done',
    'total',
    'failed',
    ...table.metrics.flatMap((metric) => [`${metric.name}_mean`, `${metric.name}_std`]),
    ...(table.baseline ? ['deltaM_mean', 'deltaM_std'] : []),
  ];
  const lines = [header.map(csvCell).join(',')];
  for (const row of table.rows) {
    const cells: (string | number | undefined)[] = [
      ...table.rowAxes.map((axis) => row.coordinates[axis]),
      row.done,
      row.total,
      row.failed,
      ...table.metrics.flatMap((metric) => [row.metrics[metric.name]?.mean, row.metrics[metric.name]?.std]),
      ...(table.baseline ? [row.deltaM?.mean, row.deltaM?.std] : []),
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

export const RESULT_TABLE_FILES = {
  markdown: 'results.md',
  csv: 'results.csv',
  json: 'results.json',
} as const;

/** Collects and writes results.md, results.csv and results.json into the runs directory. */
export function writeResultTables(runsDirectory: string): { table: CollectedTable; markdown: string } {
  const table = collectResults(runsDirectory);
  const markdown = formatMarkdown(table);
  writeTextAtomic(join(runsDirectory, RESULT_TABLE_FILES.markdown), markdown);
  writeTextAtomic(join(runsDirectory, RESULT_TABLE_FILES.csv), formatCsv(table));
  writeJsonAtomic(join(runsDirectory, RESULT_TABLE_FILES.json), table);
  return { table, markdown };
}
