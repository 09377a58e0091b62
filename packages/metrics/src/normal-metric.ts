// Streaming surface-normal metric: angle = degrees(acos(clamp(p·g, −1, 1))) over valid pixels (sum_c g_c ≠ 0, the
// official test of JTR code/utils/evals.py and MTPSL utils/evaluation.py): meanDeg, rmseDeg, within11_25/22_5/30
// in percent as the official code; medianDeg from angle-median.ts. 'clean' renormalises predictions as LibMTL.
import { type AngleMedianOptions, angleMedianDefaults, createAngleMedian } from './angle-median.js';
import { type MetricInput, readUpdate } from './input.js';
import type { TaskMetric } from './task-metric.js';

export interface NormalMetricOptions {
  /** 'faithful' (default): predictions taken as unit length. 'clean': p / max(|p|, 1e-12) first (LibMTL). */
  readonly mode: 'faithful' | 'clean';
  readonly median: AngleMedianOptions;
}

export const normalMetricDefaults: NormalMetricOptions = { mode: 'faithful', median: angleMedianDefaults };

const metricName = 'normals';
const thresholdsDegrees = [11.25, 22.5, 30] as const;

export function createNormalMetric(
  options: Partial<Omit<NormalMetricOptions, 'median'>> & {
    readonly median?: Partial<AngleMedianOptions>;
  } = {},
): TaskMetric {
  const mode = options.mode ?? normalMetricDefaults.mode;
  const median = createAngleMedian({ ...normalMetricDefaults.median, ...options.median });
  let count = 0;
  let angleSum = 0;
  let squaredAngleSum = 0;
  let within: [number, number, number] = [0, 0, 0];

  return {
    name: metricName,
    update(prediction: MetricInput, label: MetricInput, sampleMask?: MetricInput): void {
      const read = readUpdate(metricName, prediction, 3, label, 3, sampleMask);
      const { layout } = read;
      for (let pixel = 0; pixel < layout.elementCount; pixel++) {
        if (!layout.labelled[Math.floor(pixel / layout.elementsPerSample)]) continue;
        const offset = pixel * 3;
        const gx = read.label[offset]!;
        const gy = read.label[offset + 1]!;
        const gz = read.label[offset + 2]!;
        if (gx + gy + gz === 0) continue;
        if (!Number.isFinite(gx + gy + gz)) {
          throw new Error(
            `${metricName}: label at pixel ${pixel} is not finite; expected a unit normal or zeros`,
          );
        }
        let px = read.prediction[offset]!;
        let py = read.prediction[offset + 1]!;
        let pz = read.prediction[offset + 2]!;
        if (mode === 'clean') {
          const norm = Math.max(Math.sqrt(px * px + py * py + pz * pz), 1e-12);
          px /= norm;
          py /= norm;
          pz /= norm;
        }
        const cosine = Math.min(Math.max(px * gx + py * gy + pz * gz, -1), 1);
        const angle = (Math.acos(cosine) * 180) / Math.PI;
        count += 1;
        angleSum += angle;
        squaredAngleSum += angle * angle;
        for (let k = 0; k < 3; k++) if (angle < thresholdsDegrees[k]!) within[k]! += 1;
        median.add(angle);
      }
    },
    /** {} when no valid pixel was seen. */
    result(): Record<string, number> {
      if (count === 0) return {};
      return {
        meanDeg: angleSum / count,
        medianDeg: median.median(),
        rmseDeg: Math.sqrt(squaredAngleSum / count),
        within11_25: (100 * within[0]) / count,
        within22_5: (100 * within[1]) / count,
        within30: (100 * within[2]) / count,
      };
    },
    reset(): void {
      count = 0;
      angleSum = 0;
      squaredAngleSum = 0;
      within = [0, 0, 0];
      median.reset();
    },
  };
}
