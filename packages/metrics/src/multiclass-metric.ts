// Streaming multiclass classification metric: accuracy, macro F1 and per-class F1 from a confusion matrix of
// argmax(logits) [B, C] against class ids [B, 1] (−1 = no label, skipped). Macro F1 averages classes that occur
// in labels or predictions (sklearn's f1_score(average='macro') over present labels); see f1-score.ts.
import {
  addToConfusion,
  argmaxAt,
  type ConfusionMatrix,
  createConfusionMatrix,
  diagonalOf,
  predictedTotals,
  targetTotals,
  totalCount,
} from './confusion-matrix.js';
import { f1Score, meanOfDefined } from './f1-score.js';
import { type MetricInput, readUpdate } from './input.js';
import type { TaskMetric } from './task-metric.js';

export interface MulticlassMetricOptions {
  readonly classCount: number;
  /** Names for the per-class keys `f1.<name>`; class indices otherwise. */
  readonly classNames?: readonly string[];
}

export const multiclassMetricDefaults = {} as const satisfies Partial<MulticlassMetricOptions>;

const metricName = 'multiclass';

export function createMulticlassMetric(options: MulticlassMetricOptions): TaskMetric {
  const { classCount, classNames } = { ...multiclassMetricDefaults, ...options };
  if (classNames !== undefined && classNames.length !== classCount) {
    throw new Error(`${metricName}: classNames has ${classNames.length} names; expected ${classCount}`);
  }
  let matrix: ConfusionMatrix = createConfusionMatrix(classCount);

  return {
    name: metricName,
    update(prediction: MetricInput, label: MetricInput, sampleMask?: MetricInput): void {
      const read = readUpdate(metricName, prediction, classCount, label, 1, sampleMask);
      const { layout } = read;
      for (let sample = 0; sample < layout.elementCount; sample++) {
        if (!layout.labelled[Math.floor(sample / layout.elementsPerSample)]) continue;
        const target = read.label[sample]!;
        if (target < 0) continue;
        if (!Number.isInteger(target) || target >= classCount) {
          throw new Error(
            `${metricName}: label[${sample}] is ${target}; expected a class id in [0, ${classCount}) or -1`,
          );
        }
        addToConfusion(matrix, target, argmaxAt(read.prediction, sample * classCount, classCount));
      }
    },
    /** {} when no labelled sample was seen; per-class F1 only for classes in labels or predictions. */
    result(): Record<string, number> {
      const total = totalCount(matrix);
      if (total === 0) return {};
      const diagonal = diagonalOf(matrix);
      const rows = targetTotals(matrix);
      const columns = predictedTotals(matrix);
      const f1 = diagonal.map((truePositives, c) =>
        f1Score(truePositives, columns[c]! - truePositives, rows[c]! - truePositives),
      );
      const metrics: Record<string, number> = {
        accuracy: diagonal.reduce((sum, count) => sum + count, 0) / total,
        macroF1: meanOfDefined(f1),
      };
      f1.forEach((value, c) => {
        if (!Number.isNaN(value)) metrics[`f1.${classNames?.[c] ?? c}`] = value;
      });
      return metrics;
    },
    reset(): void {
      matrix = createConfusionMatrix(classCount);
    },
  };
}
