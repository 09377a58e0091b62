// Streaming multilabel metric (e.g. facial action units): per-label F1 and their mean (meanF1), the usual AU
// detection score. Labels [B, M] are 0/1 with −1 (any negative) where a label is not annotated: those entries are
// skipped. Predictions are logits by default, positive when sigmoid(logit) > threshold (0.5).
import { f1Score, meanOfDefined } from './f1-score.js';
import { type MetricInput, readUpdate } from './input.js';
import type { TaskMetric } from './task-metric.js';

export interface MultilabelMetricOptions {
  readonly labelCount: number;
  /** Positive when the probability is strictly above this. */
  readonly threshold: number;
  /** 'logits' (default) applies a sigmoid first; 'probabilities' compares the prediction directly. */
  readonly inputs: 'logits' | 'probabilities';
  /** Names for the per-label keys `f1.<name>`; label indices otherwise. */
  readonly labelNames?: readonly string[];
}

export const multilabelMetricDefaults = {
  threshold: 0.5,
  inputs: 'logits',
} as const satisfies Partial<MultilabelMetricOptions>;

const metricName = 'multilabel';

export function createMultilabelMetric(
  options: Partial<MultilabelMetricOptions> & { readonly labelCount: number },
): TaskMetric {
  const settings: MultilabelMetricOptions = { ...multilabelMetricDefaults, ...options };
  const { labelCount, labelNames, threshold } = settings;
  if (labelNames !== undefined && labelNames.length !== labelCount) {
    throw new Error(`${metricName}: labelNames has ${labelNames.length} names; expected ${labelCount}`);
  }
  let truePositives = new Float64Array(labelCount);
  let falsePositives = new Float64Array(labelCount);
  let falseNegatives = new Float64Array(labelCount);
  let annotated = 0;

  return {
    name: metricName,
    update(prediction: MetricInput, label: MetricInput, sampleMask?: MetricInput): void {
      const read = readUpdate(metricName, prediction, labelCount, label, labelCount, sampleMask);
      const { layout } = read;
      for (let sample = 0; sample < layout.elementCount; sample++) {
        if (!layout.labelled[Math.floor(sample / layout.elementsPerSample)]) continue;
        for (let entry = 0; entry < labelCount; entry++) {
          const index = sample * labelCount + entry;
          const truth = read.label[index]!;
          if (truth < 0) continue;
          if (truth !== 0 && truth !== 1) {
            throw new Error(
              `${metricName}: label[${index}] is ${truth}; expected 0, 1 or -1 (not annotated)`,
            );
          }
          const score = read.prediction[index]!;
          const probability = settings.inputs === 'logits' ? 1 / (1 + Math.exp(-score)) : score;
          const positive = probability > threshold;
          annotated += 1;
          if (positive && truth === 1) truePositives[entry]! += 1;
          else if (positive) falsePositives[entry]! += 1;
          else if (truth === 1) falseNegatives[entry]! += 1;
        }
      }
    },
    /** {} when no annotated entry was seen; per-label F1 only where TP + FP + FN > 0. */
    result(): Record<string, number> {
      if (annotated === 0) return {};
      const f1 = truePositives.map((tp, entry) =>
        f1Score(tp, falsePositives[entry]!, falseNegatives[entry]!),
      );
      const metrics: Record<string, number> = {};
      const meanF1 = meanOfDefined(f1);
      if (!Number.isNaN(meanF1)) metrics.meanF1 = meanF1;
      f1.forEach((value, entry) => {
        if (!Number.isNaN(value)) metrics[`f1.${labelNames?.[entry] ?? entry}`] = value;
      });
      return metrics;
    },
    reset(): void {
      truePositives = new Float64Array(labelCount);
      falsePositives = new Float64Array(labelCount);
      falseNegatives = new Float64Array(labelCount);
      annotated = 0;
    },
  };
}
