// Registry of streaming task metrics keyed by core's TaskKind, built from explicit imports (no registration by
// side effect). `createTaskMetric(task)` picks the factory for task.kind; an unknown kind throws listing the
// valid ones. 'regression' shares the edge regression error.
import { ignoreValueOf, type TaskKind, type TaskSpec } from '@partial-mtl/core';
import type { AngleMedianOptions } from './angle-median.js';
import { createDepthMetric, type DepthMetricOptions } from './depth-metric.js';
import { createEdgeError, type EdgeErrorOptions } from './edge-error.js';
import { createMulticlassMetric } from './multiclass-metric.js';
import { createMultilabelMetric, type MultilabelMetricOptions } from './multilabel-metric.js';
import { createNormalMetric, type NormalMetricOptions } from './normal-metric.js';
import { createSegmentationMetric, type SegmentationMetricOptions } from './segmentation-metric.js';
import type { TaskMetric } from './task-metric.js';

/** Options per metric family; sizes and names come from the task spec. */
export interface TaskMetricOptions {
  readonly segmentation?: Partial<Omit<SegmentationMetricOptions, 'classCount' | 'classNames'>>;
  readonly depth?: Partial<DepthMetricOptions>;
  readonly normals?: Partial<Omit<NormalMetricOptions, 'median'>> & {
    readonly median?: Partial<AngleMedianOptions>;
  };
  readonly edges?: Partial<Omit<EdgeErrorOptions, 'channels'>>;
  readonly multilabel?: Partial<Omit<MultilabelMetricOptions, 'labelCount' | 'labelNames'>>;
}

export type TaskMetricFactory = (task: TaskSpec, options: TaskMetricOptions) => TaskMetric;

function regressionError(task: TaskSpec, options: TaskMetricOptions): TaskMetric {
  return createEdgeError({ channels: task.channels, ignoreValue: ignoreValueOf(task), ...options.edges });
}

export const taskMetricFactories: Readonly<Record<TaskKind, TaskMetricFactory>> = {
  segmentation: (task, options) =>
    createSegmentationMetric({
      classCount: task.channels,
      classNames: task.labelNames,
      ...options.segmentation,
    }),
  depth: (task, options) => createDepthMetric({ ignoreValue: ignoreValueOf(task) ?? 0, ...options.depth }),
  normals: (_task, options) => createNormalMetric(options.normals),
  edges: regressionError,
  regression: regressionError,
  multiclass: (task) => createMulticlassMetric({ classCount: task.channels, classNames: task.labelNames }),
  multilabel: (task, options) =>
    createMultilabelMetric({ labelCount: task.channels, labelNames: task.labelNames, ...options.multilabel }),
};

/** The streaming metric for a task, chosen by `task.kind`. */
export function createTaskMetric(task: TaskSpec, options: TaskMetricOptions = {}): TaskMetric {
  const factory = (taskMetricFactories as Partial<Record<string, TaskMetricFactory>>)[task.kind];
  if (factory === undefined) {
    throw new Error(
      `createTaskMetric: task '${task.name}' has unknown kind '${String(task.kind)}'; ` +
        `valid kinds: ${Object.keys(taskMetricFactories).join(', ')}`,
    );
  }
  return factory(task, options);
}

/** One metric per task, keyed by task name. */
export function createTaskMetrics(
  tasks: readonly TaskSpec[],
  options: TaskMetricOptions = {},
): Record<string, TaskMetric> {
  return Object.fromEntries(tasks.map((task) => [task.name, createTaskMetric(task, options)]));
}

/** `result()` of every metric, keyed by task name (the `MetricTable` that Δ and the formatters take). */
export function collectResults(
  metrics: Readonly<Record<string, TaskMetric>>,
): Record<string, Record<string, number>> {
  return Object.fromEntries(Object.entries(metrics).map(([task, metric]) => [task, metric.result()]));
}
