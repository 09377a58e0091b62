// Δm of a run against a baseline, JTR's formula (metrics.md §5a, JTR code/utils/deltas.py): per task the mean of
// s·(M − B)/B over that task's metrics, then the mean over tasks; s = +1 when higher is better, else −1. With one
// metric per task this is exactly JTR's Δ. Returned as a fraction; tables show it ×100.

export interface DeltaTerm {
  /** Task the metric belongs to (metrics without a task count as their own task). */
  task: string;
  value: number;
  baseline: number;
  higherIsBetter: boolean;
}

/** JTR's Δ as a fraction, or undefined when there is no term or a baseline value is 0 or not finite. */
export function deltaM(terms: DeltaTerm[]): number | undefined {
  if (terms.length === 0) return undefined;
  const byTask = new Map<string, number[]>();
  for (const term of terms) {
    if (!Number.isFinite(term.value) || !Number.isFinite(term.baseline) || term.baseline === 0)
      return undefined;
    const sign = term.higherIsBetter ? 1 : -1;
    const improvements = byTask.get(term.task) ?? [];
    improvements.push((sign * (term.value - term.baseline)) / term.baseline);
    byTask.set(term.task, improvements);
  }
  let sum = 0;
  for (const improvements of byTask.values())
    sum += improvements.reduce((a, b) => a + b, 0) / improvements.length;
  return sum / byTask.size;
}

/** Mean and sample standard deviation (n − 1; undefined for a single value). */
export function meanAndStd(
  values: number[],
): { mean: number; std: number | undefined; n: number } | undefined {
  if (values.length === 0) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length === 1) return { mean, std: undefined, n: 1 };
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance), n: values.length };
}
