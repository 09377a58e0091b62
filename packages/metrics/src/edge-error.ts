// Streaming regression error for edge maps (Taskonomy-style edge2d/edge3d, the 'edges' kind) and generic
// 'regression' tasks: absErr (mean absolute error) and rmse over valid pixels, every channel counted. Missing
// versus BSDS ODS/OIS: no threshold sweep, no edge thinning (NMS), no tolerance-based boundary matching.
import { type MetricInput, readUpdate } from './input.js';
import type { TaskMetric } from './task-metric.js';

export interface EdgeErrorOptions {
  readonly channels: number;
  /** Label value of an invalid element; undefined (default) counts every element of labelled samples. */
  readonly ignoreValue: number | undefined;
}

export const edgeErrorDefaults: EdgeErrorOptions = { channels: 1, ignoreValue: undefined };

const metricName = 'edges';

export function createEdgeError(options: Partial<EdgeErrorOptions> = {}): TaskMetric {
  const settings: EdgeErrorOptions = { ...edgeErrorDefaults, ...options };
  const { channels, ignoreValue } = settings;
  let count = 0;
  let absoluteErrorSum = 0;
  let squaredErrorSum = 0;

  return {
    name: metricName,
    update(prediction: MetricInput, label: MetricInput, sampleMask?: MetricInput): void {
      const read = readUpdate(metricName, prediction, channels, label, channels, sampleMask);
      const { layout } = read;
      for (let pixel = 0; pixel < layout.elementCount; pixel++) {
        if (!layout.labelled[Math.floor(pixel / layout.elementsPerSample)]) continue;
        for (let channel = 0; channel < channels; channel++) {
          const index = pixel * channels + channel;
          const truth = read.label[index]!;
          if (truth === ignoreValue) continue;
          if (!Number.isFinite(truth)) {
            throw new Error(`${metricName}: label[${index}] is ${truth}; expected a finite number`);
          }
          const error = read.prediction[index]! - truth;
          count += 1;
          absoluteErrorSum += Math.abs(error);
          squaredErrorSum += error * error;
        }
      }
    },
    /** {} when no valid element was seen. */
    result(): Record<string, number> {
      if (count === 0) return {};
      return { absErr: absoluteErrorSum / count, rmse: Math.sqrt(squaredErrorSum / count) };
    },
    reset(): void {
      count = 0;
      absoluteErrorSum = 0;
      squaredErrorSum = 0;
    },
  };
}
