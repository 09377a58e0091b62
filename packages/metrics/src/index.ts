// @partial-mtl/metrics: streaming multi-task metrics (segmentation, depth, normals, edges, classification), Δm in
// the JTR, MTPSL and LibMTL flavours, negative transfer, published baselines and table formatters.
export {
  type AngleMedian,
  type AngleMedianOptions,
  angleMedianDefaults,
  createAngleMedian,
  type MedianMode,
} from './angle-median.js';
export {
  type BaselinePreset,
  type BaselinePresetName,
  baselinePreset,
  baselinePresets,
  type ReferenceResult,
  referenceResults,
} from './baselines.js';
export {
  addToConfusion,
  argmaxAt,
  type ConfusionMatrix,
  createConfusionMatrix,
  diagonalOf,
  predictedTotals,
  targetTotals,
  totalCount,
} from './confusion-matrix.js';
export {
  type DeltaFlavour,
  deltaPercent,
  jtrDelta,
  libmtlDeltaMetrics,
  libmtlDeltaP,
  type MetricTable,
  mtpslDelta,
  relativeImprovements,
  taskImprovements,
} from './delta-m.js';
export {
  createDepthMetric,
  type DepthAveraging,
  type DepthMetricOptions,
  depthMetricDefaults,
} from './depth-metric.js';
export { createEdgeError, type EdgeErrorOptions, edgeErrorDefaults } from './edge-error.js';
export {
  type CustomBaseline,
  type DeltaSummary,
  type EvaluationOptions,
  type EvaluationResult,
  evaluationDefaults,
  summarizeEvaluation,
} from './evaluation-result.js';
export { f1Score, meanOfDefined } from './f1-score.js';
export {
  type FormatTableOptions,
  formatDelta,
  formatEvaluationResult,
  formatMetricValue,
  formatResultsTable,
  formatTableDefaults,
  type ResultsRow,
  type TableColumn,
} from './format-table.js';
export { type HostArray, type MetricInput, type NumericArray, readInput, type ShapedArray } from './input.js';
export { type MeanIouMode, type MeanIouOptions, meanIou, meanIouDefaults, perClassIou } from './mean-iou.js';
export {
  directionOf,
  displayDecimalsOf,
  displayScaleOf,
  type MetricDefinition,
  type MetricDirection,
  type MetricName,
  type MetricUnit,
  metricDefinitionOf,
  metricDefinitions,
  metricDirections,
  signOf,
} from './metric-definitions.js';
export {
  createMulticlassMetric,
  type MulticlassMetricOptions,
  multiclassMetricDefaults,
} from './multiclass-metric.js';
export {
  createMultilabelMetric,
  type MultilabelMetricOptions,
  multilabelMetricDefaults,
} from './multilabel-metric.js';
export {
  describeNegativeTransfer,
  findNegativeTransfer,
  type NegativeTransferFinding,
} from './negative-transfer.js';
export { createNormalMetric, type NormalMetricOptions, normalMetricDefaults } from './normal-metric.js';
export { pixelAccuracy } from './pixel-accuracy.js';
export {
  type PrimaryMetric,
  type PrimaryMetricOptions,
  primaryMetric,
  primaryMetricDefaults,
  primaryMetricValues,
} from './primary-metric.js';
export {
  collectResults,
  createTaskMetric,
  createTaskMetrics,
  type TaskMetricFactory,
  type TaskMetricOptions,
  taskMetricFactories,
} from './registry.js';
export {
  createSegmentationMetric,
  type SegmentationMetric,
  type SegmentationMetricOptions,
  segmentationMetricDefaults,
} from './segmentation-metric.js';
export type { TaskMetric } from './task-metric.js';
