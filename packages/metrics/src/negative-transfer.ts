// Negative-transfer check: every task where the multi-task model is worse than its single-task baseline, i.e.
// its mean signed relative improvement over the metrics the baseline lists is below zero (the per-task term of
// MTPSL's and LibMTL's Δ). Each finding names the metrics that got worse.
import { type MetricTable, relativeImprovements } from './delta-m.js';

export interface NegativeTransferFinding {
  readonly task: string;
  /** Mean signed relative improvement of the task (negative), a fraction. */
  readonly improvement: number;
  /** Metrics worse than the baseline, with their signed relative improvement. */
  readonly worseMetrics: Readonly<Record<string, number>>;
}

export function findNegativeTransfer(
  results: MetricTable,
  singleTaskBaseline: MetricTable,
): NegativeTransferFinding[] {
  const findings: NegativeTransferFinding[] = [];
  for (const [task, metrics] of Object.entries(relativeImprovements(results, singleTaskBaseline))) {
    const values = Object.values(metrics);
    const improvement = values.reduce((sum, value) => sum + value, 0) / values.length;
    if (improvement < 0) {
      const worseMetrics = Object.fromEntries(Object.entries(metrics).filter(([, value]) => value < 0));
      findings.push({ task, improvement, worseMetrics });
    }
  }
  return findings;
}

/** One line per finding, e.g. "normal: −1.71 % vs single-task (meanDeg −1.71 %)"; '' when there is none. */
export function describeNegativeTransfer(findings: readonly NegativeTransferFinding[]): string {
  return findings
    .map((finding) => {
      const metrics = Object.entries(finding.worseMetrics)
        .map(([metric, value]) => `${metric} ${(100 * value).toFixed(2)} %`)
        .join(', ');
      return `${finding.task}: ${(100 * finding.improvement).toFixed(2)} % vs single-task (${metrics})`;
    })
    .join('\n');
}
