// @partial-mtl/train: the training loop (custom, checkpointed, resumable), the run config schema, train(),
// reports with plots, the demo and the CLI's commands, wiring datasets, models, regularizers and metrics.

export {
  type BuiltComponents,
  buildComponents,
  createDeltaM,
  createMetricAccumulator,
  disposeComponents,
} from './build-components.js';
export { assignVariables, type LoadedCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
export { formatSplitSummary, type SplitSummary, summarizeSplit } from './commands/splits-command.js';
export {
  loadRunConfig,
  parseConfigText,
  resolveRunConfig,
  type ValidationContext,
  validateRunConfig,
} from './config-load.js';
export {
  ConfigError,
  parseRunConfig,
  type RunConfig,
  type RunConfigInput,
  runConfigJsonSchema,
  runConfigSchema,
} from './config-schema.js';
export {
  createBatchSources,
  type DatasetSources,
  datasetNames,
  type OpenedDataset,
  openDataset,
} from './dataset-sources.js';
export { type DemoOptions, type DemoResult, demoDefaults, demoRunConfig, runDemo } from './demo.js';
export type { AlignmentLine } from './diagnostics/alignment-probe.js';
export {
  type Alignment,
  type AlignmentReport,
  disposeHiddenLabels,
  type HiddenLabelAlignmentInput,
  hiddenLabelAlignment,
  hideLabels,
} from './diagnostics/hidden-label-alignment.js';
export { evaluateNetwork, flattenMetrics } from './evaluate.js';
export {
  describeNonFinite,
  forwardAllViews,
  type NonFiniteReport,
  type StepResult,
  splitOutput,
  trainingStep,
} from './gradient-step.js';
export {
  type BatchSource,
  defaultLoopOptions,
  defaultOptimizerOptions,
  defaultScheduleOptions,
  type LoopOptions,
  type MetricAccumulator,
  type MetricTable,
  type OptimizerKind,
  type OptimizerOptions,
  type ScheduleOptions,
  type TrainingComponents,
} from './loop-options.js';
export { type BestSoFar, type LoopState, readLoopCheckpoint, writeLoopCheckpoint } from './loop-state.js';
export {
  applyLearningRates,
  collectVariableGroups,
  createOptimizerGroups,
  type LearningRateState,
  learningRateOf,
  type OptimizerGroup,
} from './optimizer-groups.js';
export { lossChartSpec, metricsChartSpec } from './report/chart-specs.js';
export { renderSvg, shippedFontPath, svgToPng } from './report/render-chart.js';
export { type ReportOptions, type ReportRun, writeReport } from './report/write-report.js';
export { type MetricsLine, RunLogs, readJsonLines, type TrainLogLine } from './run-logs.js';
export * from './sweep/index.js';
export { loopOptionsOf, readRunConfig, type TrainResult, type TrainRuntimeOptions, train } from './train.js';
export {
  type LoopOptionsInput,
  resolveLoopOptions,
  runTraining,
  type StopReason,
  type TrainingResult,
} from './training-loop.js';
