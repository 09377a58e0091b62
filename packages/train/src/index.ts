// @partial-mtl/train: the training loop (custom, checkpointed, resumable), the run config schema, train(),
// reports with plots, the demo and the CLI's commands, wiring datasets, models, regularizers and metrics.
export { train, loopOptionsOf, readRunConfig, type TrainResult, type TrainRuntimeOptions } from './train.js';
export { runTraining, resolveLoopOptions, type LoopOptionsInput, type StopReason, type TrainingResult } from './training-loop.js';
export {
  defaultLoopOptions,
  defaultOptimizerOptions,
  defaultScheduleOptions,
  type BatchSource,
  type LoopOptions,
  type MetricAccumulator,
  type MetricTable,
  type OptimizerKind,
  type OptimizerOptions,
  type ScheduleOptions,
  type TrainingComponents,
} from './loop-options.js';
export { forwardAllViews, splitOutput, trainingStep, type StepResult } from './gradient-step.js';
export {
  applyLearningRates,
  collectVariableGroups,
  createOptimizerGroups,
  learningRateOf,
  type LearningRateState,
  type OptimizerGroup,
} from './optimizer-groups.js';
export { assignVariables, loadCheckpoint, saveCheckpoint, type LoadedCheckpoint } from './checkpoint.js';
export { readLoopCheckpoint, writeLoopCheckpoint, type BestSoFar, type LoopState } from './loop-state.js';
export { evaluateNetwork, flattenMetrics } from './evaluate.js';
export { RunLogs, readJsonLines, type MetricsLine, type TrainLogLine } from './run-logs.js';
export { ConfigError, parseRunConfig, runConfigJsonSchema, runConfigSchema, type RunConfig, type RunConfigInput } from './config-schema.js';
export { loadRunConfig, parseConfigText, resolveRunConfig, validateRunConfig } from './config-load.js';
export { buildComponents, createDeltaM, createMetricAccumulator, disposeComponents } from './build-components.js';
export { createBatchSources, datasetNames, openDataset, type OpenedDataset } from './dataset-sources.js';
export { writeReport, type ReportOptions, type ReportRun } from './report/write-report.js';
export { lossChartSpec, metricsChartSpec } from './report/chart-specs.js';
export { renderSvg, shippedFontPath, svgToPng } from './report/render-chart.js';
export { demoDefaults, demoRunConfig, runDemo, type DemoOptions, type DemoResult } from './demo.js';
export { formatSplitSummary, summarizeSplit, type SplitSummary } from './commands/splits-command.js';
export * from './sweep/index.js';
