// Streaming semantic-segmentation metric: confusion matrix over the whole set, then mIoU, pixel accuracy and
// per-class IoU (JTR code/utils/evals.py, MTPSL utils/evaluation.py). Predictions are logits [B,H,W,C]; labels are
// class ids [B,H,W,1] or [B,H,W] with −1 (any value outside [0, C)) ignored. With no counted pixel, result() is {}.
import {
  addToConfusion,
  argmaxAt,
  type ConfusionMatrix,
  createConfusionMatrix,
  totalCount,
} from './confusion-matrix.js';
import { type MetricInput, readUpdate } from './input.js';
import { type MeanIouMode, meanIou, meanIouDefaults, perClassIou } from './mean-iou.js';
import { pixelAccuracy } from './pixel-accuracy.js';
import type { TaskMetric } from './task-metric.js';

export interface SegmentationMetricOptions {
  readonly classCount: number;
  /** 'faithful' (default): mIoU is NaN when a class is absent, as the official code. 'clean': nanmean + warning. */
  readonly mode: MeanIouMode;
  /** Names for the per-class keys `iou.<name>`; class indices otherwise. */
  readonly classNames?: readonly string[];
  readonly warn: (message: string) => void;
}

export const segmentationMetricDefaults = {
  mode: meanIouDefaults.mode,
  warn: meanIouDefaults.warn,
} as const satisfies Partial<SegmentationMetricOptions>;

export interface SegmentationMetric extends TaskMetric {
  /** A copy of the accumulated confusion matrix. */
  confusionMatrix(): ConfusionMatrix;
}

const metricName = 'segmentation';

export function createSegmentationMetric(
  options: Partial<SegmentationMetricOptions> & { readonly classCount: number },
): SegmentationMetric {
  const settings: SegmentationMetricOptions = { ...segmentationMetricDefaults, ...options };
  const { classCount, classNames } = settings;
  if (classNames !== undefined && classNames.length !== classCount) {
    throw new Error(`${metricName}: classNames has ${classNames.length} names; expected ${classCount}`);
  }
  let matrix = createConfusionMatrix(classCount);

  return {
    name: metricName,
    update(prediction: MetricInput, label: MetricInput, sampleMask?: MetricInput): void {
      const read = readUpdate(metricName, prediction, classCount, label, 1, sampleMask);
      const { layout } = read;
      for (let pixel = 0; pixel < layout.elementCount; pixel++) {
        if (!layout.labelled[Math.floor(pixel / layout.elementsPerSample)]) continue;
        const target = read.label[pixel]!;
        if (!(target >= 0 && target < classCount)) continue;
        if (!Number.isInteger(target)) {
          throw new Error(`${metricName}: label[${pixel}] is ${target}; expected an integer class id or -1`);
        }
        addToConfusion(matrix, target, argmaxAt(read.prediction, pixel * classCount, classCount));
      }
    },
    result(): Record<string, number> {
      if (totalCount(matrix) === 0) return {};
      const metrics: Record<string, number> = {
        mIoU: meanIou(matrix, { mode: settings.mode, warn: settings.warn }),
        pixAcc: pixelAccuracy(matrix),
      };
      perClassIou(matrix).forEach((value, c) => {
        if (!Number.isNaN(value)) metrics[`iou.${classNames?.[c] ?? c}`] = value;
      });
      return metrics;
    },
    reset(): void {
      matrix = createConfusionMatrix(classCount);
    },
    confusionMatrix(): ConfusionMatrix {
      return { classCount, counts: matrix.counts.slice() };
    },
  };
}
