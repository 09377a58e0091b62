// Confusion matrix M[target, predicted] accumulated over a whole set, as ConfMatrix in JTR code/utils/evals.py and
// MTPSL utils/evaluation.py: prediction = argmax over the class channel, only targets in [0, n) are counted (this
// drops the −1 ignore value). Counts are float64 (exact to 2^53) where the official code uses int64.

export interface ConfusionMatrix {
  readonly classCount: number;
  /** Row-major n×n counts, `counts[target * n + predicted]`. */
  readonly counts: Float64Array;
}

export function createConfusionMatrix(classCount: number): ConfusionMatrix {
  if (!Number.isInteger(classCount) || classCount < 1) {
    throw new Error(`confusion matrix: classCount must be a positive integer, got ${classCount}`);
  }
  return { classCount, counts: new Float64Array(classCount * classCount) };
}

/** Index of the largest of `channels` scores starting at `offset` (first one on ties, like torch.argmax). */
export function argmaxAt(scores: ArrayLike<number>, offset: number, channels: number): number {
  let best = 0;
  let bestScore = scores[offset]!;
  for (let channel = 1; channel < channels; channel++) {
    const score = scores[offset + channel]!;
    if (score > bestScore) {
      bestScore = score;
      best = channel;
    }
  }
  return best;
}

/** Adds one (target, predicted) pair; targets outside [0, n) are not counted. Returns whether it was counted. */
export function addToConfusion(matrix: ConfusionMatrix, target: number, predicted: number): boolean {
  if (!(target >= 0 && target < matrix.classCount)) return false;
  matrix.counts[Math.trunc(target) * matrix.classCount + predicted]! += 1;
  return true;
}

/** Row sums (how often each class is the target). */
export function targetTotals(matrix: ConfusionMatrix): Float64Array {
  const totals = new Float64Array(matrix.classCount);
  for (let target = 0; target < matrix.classCount; target++) {
    for (let predicted = 0; predicted < matrix.classCount; predicted++) {
      totals[target]! += matrix.counts[target * matrix.classCount + predicted]!;
    }
  }
  return totals;
}

/** Column sums (how often each class is predicted). */
export function predictedTotals(matrix: ConfusionMatrix): Float64Array {
  const totals = new Float64Array(matrix.classCount);
  for (let target = 0; target < matrix.classCount; target++) {
    for (let predicted = 0; predicted < matrix.classCount; predicted++) {
      totals[predicted]! += matrix.counts[target * matrix.classCount + predicted]!;
    }
  }
  return totals;
}

export function diagonalOf(matrix: ConfusionMatrix): Float64Array {
  const diagonal = new Float64Array(matrix.classCount);
  for (let c = 0; c < matrix.classCount; c++) diagonal[c] = matrix.counts[c * matrix.classCount + c]!;
  return diagonal;
}

export function totalCount(matrix: ConfusionMatrix): number {
  let total = 0;
  for (const count of matrix.counts) total += count;
  return total;
}
