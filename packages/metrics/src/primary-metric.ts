// The one metric per task that JTR's Δ uses (metrics.md §5a, JTR code/utils/deltas.py): mIoU for segmentation
// (tables show it ×100; Δ is scale-free), absErr for depth, meanDeg for normals. Our choices where JTR has none:
// absErr for edges and regression, accuracy (or macroF1 by option) for multiclass, meanF1 for multilabel.
import type { TaskKind, TaskSpec } from '@partial-mtl/core';
import { directionOf, displayScaleOf, type MetricDirection, type MetricName } from './metric-definitions.js';

export interface PrimaryMetric {
  readonly metric: MetricName;
  readonly direction: MetricDirection;
  /** Factor the papers' tables apply (100 for mIoU). */
  readonly displayScale: number;
}

export interface PrimaryMetricOptions {
  readonly multiclass: 'accuracy' | 'macroF1';
}

export const primaryMetricDefaults: PrimaryMetricOptions = { multiclass: 'accuracy' };

const primaryByKind: Readonly<Record<Exclude<TaskKind, 'multiclass'>, MetricName>> = {
  segmentation: 'mIoU',
  depth: 'absErr',
  normals: 'meanDeg',
  edges: 'absErr',
  regression: 'absErr',
  multilabel: 'meanF1',
};

export function primaryMetric(task: TaskSpec, options: Partial<PrimaryMetricOptions> = {}): PrimaryMetric {
  const metric =
    task.kind === 'multiclass'
      ? { ...primaryMetricDefaults, ...options }.multiclass
      : (primaryByKind as Partial<Record<string, MetricName>>)[task.kind];
  if (metric === undefined) {
    throw new Error(
      `primaryMetric: task '${task.name}' has unknown kind '${String(task.kind)}'; ` +
        `valid kinds: ${[...Object.keys(primaryByKind), 'multiclass'].join(', ')}`,
    );
  }
  return { metric, direction: directionOf(metric), displayScale: displayScaleOf(metric) };
}

/** Keeps only each task's primary metric, e.g. to store a JTR-style baseline from a run's results. */
export function primaryMetricValues(
  tasks: readonly TaskSpec[],
  metricsByTask: Readonly<Record<string, Readonly<Record<string, number>>>>,
  options: Partial<PrimaryMetricOptions> = {},
): Record<string, Record<string, number>> {
  const table: Record<string, Record<string, number>> = {};
  for (const task of tasks) {
    const { metric } = primaryMetric(task, options);
    const value = metricsByTask[task.name]?.[metric];
    if (value === undefined) throw new Error(`primaryMetricValues: no '${metric}' for task '${task.name}'`);
    table[task.name] = { [metric]: value };
  }
  return table;
}
