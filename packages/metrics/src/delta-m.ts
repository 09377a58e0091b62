// Δm, the mean signed relative improvement over a baseline (metrics.md §5): JTR code/utils/deltas.py (one metric
// per task vs the supervised-MTL run, a fraction), MTPSL nyu_mtl_xtc.py (one metric per task vs single-task
// models, ×100) and LibMTL count_improvement (every metric, averaged per task then over tasks, a fraction).
import { metricDefinitionOf, signOf } from './metric-definitions.js';

/** Metrics by task name, then metric name, in result units (mIoU a fraction in [0, 1]). */
export type MetricTable = Readonly<Record<string, Readonly<Record<string, number>>>>;

export type DeltaFlavour = 'jtr' | 'mtpsl' | 'libmtl';

function checkValue(context: string, metric: string, value: number): void {
  if (!Number.isFinite(value)) throw new Error(`${context}: ${metric} is ${value}; expected a finite number`);
  if (metricDefinitionOf(metric).unit === 'fraction' && (value < 0 || value > 1)) {
    throw new Error(
      `${context}: ${metric} is ${value}; expected a fraction in [0, 1] (mIoU 0.2705, not 27.05)`,
    );
  }
}

/**
 * Signed relative improvement of every metric the baseline lists: s·(N − B)/B, by task then metric.
 * Tasks and metrics of `results` that the baseline does not list are ignored.
 */
export function relativeImprovements(
  results: MetricTable,
  baseline: MetricTable,
): Record<string, Record<string, number>> {
  const improvements: Record<string, Record<string, number>> = {};
  const baselineTasks = Object.keys(baseline);
  if (baselineTasks.length === 0) throw new Error('Δm: the baseline lists no task');
  for (const task of baselineTasks) {
    const baselineMetrics = baseline[task]!;
    if (Object.keys(baselineMetrics).length === 0)
      throw new Error(`Δm: the baseline lists no metric for '${task}'`);
    improvements[task] = {};
    for (const [metric, reference] of Object.entries(baselineMetrics)) {
      const value = results[task]?.[metric];
      if (value === undefined) throw new Error(`Δm: results have no '${metric}' for task '${task}'`);
      checkValue(`Δm baseline '${task}'`, metric, reference);
      checkValue(`Δm results '${task}'`, metric, value);
      if (reference === 0)
        throw new Error(`Δm: baseline ${metric} of '${task}' is 0; relative change undefined`);
      improvements[task]![metric] = (signOf(metric) * (value - reference)) / reference;
    }
  }
  return improvements;
}

/** Mean improvement per task (over the metrics the baseline lists for it). */
export function taskImprovements(results: MetricTable, baseline: MetricTable): Record<string, number> {
  return Object.fromEntries(
    Object.entries(relativeImprovements(results, baseline)).map(([task, metrics]) => {
      const values = Object.values(metrics);
      return [task, values.reduce((sum, value) => sum + value, 0) / values.length];
    }),
  );
}

function singleMetricMean(results: MetricTable, baseline: MetricTable, flavour: string): number {
  for (const [task, metrics] of Object.entries(baseline)) {
    if (Object.keys(metrics).length !== 1) {
      throw new Error(
        `${flavour} Δ: baseline task '${task}' lists ${Object.keys(metrics).length} metrics; expected exactly one ` +
          `(see primaryMetric), or use libmtlDeltaP for all metrics`,
      );
    }
  }
  const perTask = Object.values(taskImprovements(results, baseline));
  return perTask.reduce((sum, value) => sum + value, 0) / perTask.length;
}

/** JTR Δ: (1/T) Σ_t s_t (M_t − B_t)/B_t over one metric per task, against the supervised-MTL baseline. Fraction. */
export function jtrDelta(results: MetricTable, baseline: MetricTable): number {
  return singleMetricMean(results, baseline, 'JTR');
}

/** MTPSL Δ: the JTR formula ×100, against single-task baselines. Percent. */
export function mtpslDelta(results: MetricTable, singleTaskBaseline: MetricTable): number {
  return 100 * singleMetricMean(results, singleTaskBaseline, 'MTPSL');
}

/** LibMTL Δp: (1/T) Σ_t (1/M_t) Σ_m s_m (N_tm − B_tm)/B_tm over every metric the baseline lists. Fraction. */
export function libmtlDeltaP(results: MetricTable, baseline: MetricTable): number {
  const perTask = Object.values(taskImprovements(results, baseline));
  return perTask.reduce((sum, value) => sum + value, 0) / perTask.length;
}

/** Any flavour, as a percent (JTR and LibMTL fractions ×100). Never compare values across flavours. */
export function deltaPercent(flavour: DeltaFlavour, results: MetricTable, baseline: MetricTable): number {
  switch (flavour) {
    case 'jtr':
      return 100 * jtrDelta(results, baseline);
    case 'mtpsl':
      return mtpslDelta(results, baseline);
    case 'libmtl':
      return 100 * libmtlDeltaP(results, baseline);
    default:
      throw new Error(
        `deltaPercent: unknown flavour '${String(flavour)}'; valid flavours: jtr, mtpsl, libmtl`,
      );
  }
}

/** The metrics LibMTL's Δp uses per task kind (metrics.md §5c). */
export const libmtlDeltaMetrics = {
  segmentation: ['mIoU', 'pixAcc'],
  depth: ['absErr', 'absRel'],
  normals: ['meanDeg', 'medianDeg', 'within11_25', 'within22_5', 'within30'],
} as const;
