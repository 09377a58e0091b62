// The streaming-metric contract every task metric implements: `update` once per batch, `result` at the end.
// Results are plain records keyed by the metric names of `metric-definitions.ts`; a metric that saw no valid
// element is skipped (absent from the record), never NaN — except faithful mIoU, which copies the official code.
import type { MetricInput } from './input.js';

export interface TaskMetric {
  /** Metric family, e.g. 'segmentation'; used in error messages. */
  readonly name: string;
  /**
   * Accumulates one batch. Tensors are read with one `dataSync` each and not disposed (the caller owns them).
   * `sampleMask` is [B], 1 where the sample is labelled for this task; unlabelled samples are skipped.
   */
  update(prediction: MetricInput, label: MetricInput, sampleMask?: MetricInput): void;
  /** Metrics over everything accumulated since the last `reset`. */
  result(): Record<string, number>;
  /** Forgets everything accumulated. */
  reset(): void;
}
