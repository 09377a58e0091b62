// Streaming depth metric over valid pixels (label ≠ 0), predictions clamped to ≥ 1e-9: absErr, rmse, logRmse as
// JTR code/utils/evals.py and MTPSL utils/evaluation.py (pixel-accumulated); absRel as LibMTL DepthMetric (pixel)
// or lorenmt/mtan depth_error ('batch': per-update values averaged over updates); delta1..3 are our extension.
import { type MetricInput, readUpdate } from './input.js';
import type { TaskMetric } from './task-metric.js';

export type DepthAveraging = 'pixel' | 'batch';

export interface DepthMetricOptions {
  /**
   * 'pixel' (default): sums over every valid pixel of the set, as the official code and LibMTL; the results do
   * not depend on batch size. 'batch': every metric is computed per `update` and averaged over updates that had a
   * valid pixel, as MTAN's depth_error (its absRel depends on batch size).
   */
  readonly averaging: DepthAveraging;
  /** Predictions are clamped to at least this before every metric. */
  readonly minimumPrediction: number;
  /** Label value of an invalid pixel. */
  readonly ignoreValue: number;
}

export const depthMetricDefaults: DepthMetricOptions = {
  averaging: 'pixel',
  minimumPrediction: 1e-9,
  ignoreValue: 0,
};

const metricName = 'depth';
const deltaThresholds = [1.25, 1.25 ** 2, 1.25 ** 3] as const;

interface DepthSums {
  validCount: number;
  absoluteError: number;
  squaredError: number;
  squaredLogError: number;
  relativeError: number;
  withinDelta: [number, number, number];
}

function emptySums(): DepthSums {
  return {
    validCount: 0,
    absoluteError: 0,
    squaredError: 0,
    squaredLogError: 0,
    relativeError: 0,
    withinDelta: [0, 0, 0],
  };
}

function metricsOf(sums: DepthSums): Record<string, number> {
  const n = sums.validCount;
  return {
    absErr: sums.absoluteError / n,
    absRel: sums.relativeError / n,
    rmse: Math.sqrt(sums.squaredError / n),
    logRmse: Math.sqrt(sums.squaredLogError / n),
    delta1: sums.withinDelta[0] / n,
    delta2: sums.withinDelta[1] / n,
    delta3: sums.withinDelta[2] / n,
  };
}

export function createDepthMetric(options: Partial<DepthMetricOptions> = {}): TaskMetric {
  const settings: DepthMetricOptions = { ...depthMetricDefaults, ...options };
  let pixelSums = emptySums();
  let batchMetricSums: Record<string, number> = {};
  let batchCount = 0;

  return {
    name: metricName,
    update(prediction: MetricInput, label: MetricInput, sampleMask?: MetricInput): void {
      const read = readUpdate(metricName, prediction, 1, label, 1, sampleMask);
      const { layout } = read;
      const sums = settings.averaging === 'pixel' ? pixelSums : emptySums();
      for (let pixel = 0; pixel < layout.elementCount; pixel++) {
        if (!layout.labelled[Math.floor(pixel / layout.elementsPerSample)]) continue;
        const truth = read.label[pixel]!;
        if (truth === settings.ignoreValue) continue;
        if (!(truth > 0) || !Number.isFinite(truth)) {
          throw new Error(
            `${metricName}: label[${pixel}] is ${truth}; expected a positive finite depth or ${settings.ignoreValue} (invalid)`,
          );
        }
        const predicted = Math.max(read.prediction[pixel]!, settings.minimumPrediction);
        const error = Math.abs(truth - predicted);
        const logError = Math.log(truth) - Math.log(predicted);
        const ratio = Math.max(predicted / truth, truth / predicted);
        sums.validCount += 1;
        sums.absoluteError += error;
        sums.squaredError += error * error;
        sums.squaredLogError += logError * logError;
        sums.relativeError += error / truth;
        for (let k = 0; k < 3; k++) if (ratio < deltaThresholds[k]!) sums.withinDelta[k]! += 1;
      }
      if (settings.averaging === 'batch' && sums.validCount > 0) {
        for (const [name, value] of Object.entries(metricsOf(sums))) {
          batchMetricSums[name] = (batchMetricSums[name] ?? 0) + value;
        }
        batchCount += 1;
      }
    },
    /** {} when no valid pixel was seen (every label 0 or every sample masked). */
    result(): Record<string, number> {
      if (settings.averaging === 'pixel') return pixelSums.validCount === 0 ? {} : metricsOf(pixelSums);
      if (batchCount === 0) return {};
      return Object.fromEntries(
        Object.entries(batchMetricSums).map(([name, sum]) => [name, sum / batchCount]),
      );
    },
    reset(): void {
      pixelSums = emptySums();
      batchMetricSums = {};
      batchCount = 0;
    },
  };
}
