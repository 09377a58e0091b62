// Summaries of the study: mean ± sample standard deviation over seeds per method, the markdown table, negative
// transfer of each multi-task method against the single-task run (metrics' `findNegativeTransfer` on the class
// task's seed means; spec distribution-matching.md §9) and the one-line JSON record the study ends with.
import { findNegativeTransfer } from '@partial-mtl/metrics';
import type { MethodName } from './study-options.js';
import type { RunMetrics, RunOutcome } from './train-run.js';

export const metricKeys = ['classAccuracy', 'classMacroF1', 'attributeMeanF1'] as const;
export type MetricKey = (typeof metricKeys)[number];

export interface MeanAndSpread {
  readonly mean: number;
  /** Sample standard deviation over seeds (n − 1); 0 for a single seed. */
  readonly std: number;
  readonly runs: readonly number[];
}

export interface MethodSummary {
  readonly seeds: readonly number[];
  readonly classAccuracy: MeanAndSpread;
  readonly classMacroF1: MeanAndSpread;
  /** null for STL (no attribute head). */
  readonly attributeMeanF1: MeanAndSpread | null;
  /** Class-task metrics worse than STL on average, e.g. { accuracy: -0.012 } (relative); absent for STL itself. */
  readonly negativeTransfer?: Readonly<Record<string, number>>;
}

export function meanAndSpread(values: readonly number[]): MeanAndSpread {
  if (values.length === 0) throw new Error('meanAndSpread: no values');
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance =
    values.length > 1 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance), runs: [...values] };
}

/** Per-method means and spreads, in the order the methods first appear; negative transfer against 'stl'. */
export function summarizeRuns(outcomes: readonly RunOutcome[]): Partial<Record<MethodName, MethodSummary>> {
  const byMethod = new Map<MethodName, RunOutcome[]>();
  for (const outcome of outcomes)
    byMethod.set(outcome.method, [...(byMethod.get(outcome.method) ?? []), outcome]);
  const summaries: Partial<Record<MethodName, MethodSummary>> = {};
  for (const [method, runs] of byMethod) {
    const values = (key: MetricKey) =>
      runs.map((run) => run.metrics[key]).filter((value): value is number => value !== undefined);
    const attribute = values('attributeMeanF1');
    summaries[method] = {
      seeds: runs.map((run) => run.seed),
      classAccuracy: meanAndSpread(values('classAccuracy')),
      classMacroF1: meanAndSpread(values('classMacroF1')),
      attributeMeanF1: attribute.length > 0 ? meanAndSpread(attribute) : null,
    };
  }
  const singleTask = summaries.stl;
  if (singleTask) {
    const baseline = {
      category: { accuracy: singleTask.classAccuracy.mean, macroF1: singleTask.classMacroF1.mean },
    };
    for (const method of ['mtl', 'dm'] as const) {
      const summary = summaries[method];
      if (!summary) continue;
      const results = {
        category: { accuracy: summary.classAccuracy.mean, macroF1: summary.classMacroF1.mean },
      };
      const findings = findNegativeTransfer(results, baseline);
      summaries[method] = { ...summary, negativeTransfer: findings[0]?.worseMetrics ?? {} };
    }
  }
  return summaries;
}

const methodLabels: Readonly<Record<MethodName, string>> = {
  stl: '(a) STL, class-labelled part',
  mtl: '(b) MTL, supervised',
  dm: '(c) MTL + distribution matching',
};

function percent(value: MeanAndSpread | null): string {
  return value === null ? '—' : `${(100 * value.mean).toFixed(2)} ± ${(100 * value.std).toFixed(2)}`;
}

/** Markdown table (percent, mean ± std over seeds) and one line per method on negative transfer against STL. */
export function formatSummaryTable(summaries: Partial<Record<MethodName, MethodSummary>>): string {
  const lines = [
    '| method | seeds | class accuracy % ↑ | class macro F1 % ↑ | attribute mean F1 % ↑ |',
    '|---|---|---|---|---|',
  ];
  for (const [method, summary] of Object.entries(summaries) as [MethodName, MethodSummary][]) {
    lines.push(
      `| ${methodLabels[method]} | ${summary.seeds.length} | ${percent(summary.classAccuracy)} | ${percent(summary.classMacroF1)} | ${percent(summary.attributeMeanF1)} |`,
    );
  }
  const transfer: string[] = [];
  for (const [method, summary] of Object.entries(summaries) as [MethodName, MethodSummary][]) {
    if (summary.negativeTransfer === undefined) continue;
    const worse = Object.entries(summary.negativeTransfer);
    transfer.push(
      worse.length === 0
        ? `negative transfer ${method} vs stl (class task): none`
        : `negative transfer ${method} vs stl (class task): YES — ${worse.map(([metric, value]) => `${metric} ${(100 * value).toFixed(2)} %`).join(', ')}`,
    );
  }
  if (!summaries.stl) transfer.push('negative transfer: not checked (no stl runs)');
  return [...lines, '', ...transfer].join('\n');
}

/** The study's last output line. */
export function resultJsonLine(summaries: Partial<Record<MethodName, MethodSummary>>): string {
  return JSON.stringify({ case: 'fashion-mnist', results: summaries });
}

/** One line per run, e.g. "dm seed 1: accuracy 71.20 %, macro F1 70.11 %, attribute F1 80.02 % (train 95 s, eval 6 s)". */
export function describeRun(outcome: RunOutcome): string {
  const metrics: RunMetrics = outcome.metrics;
  const attribute =
    metrics.attributeMeanF1 === undefined
      ? ''
      : `, attribute F1 ${(100 * metrics.attributeMeanF1).toFixed(2)} %`;
  return (
    `${outcome.method} seed ${outcome.seed}: accuracy ${(100 * metrics.classAccuracy).toFixed(2)} %, macro F1 ` +
    `${(100 * metrics.classMacroF1).toFixed(2)} %${attribute} (final loss ${outcome.finalLoss.toFixed(4)}, train ` +
    `${outcome.trainSeconds.toFixed(0)} s, eval ${outcome.evaluationSeconds.toFixed(0)} s)`
  );
}
