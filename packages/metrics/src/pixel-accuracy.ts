// Pixel accuracy from a confusion matrix: trace(M) / sum(M), as JTR code/utils/evals.py and MTPSL
// utils/evaluation.py. NaN when no pixel was counted (the streaming metric then skips it).
import { type ConfusionMatrix, diagonalOf, totalCount } from './confusion-matrix.js';

export function pixelAccuracy(matrix: ConfusionMatrix): number {
  const total = totalCount(matrix);
  if (total === 0) return Number.NaN;
  let correct = 0;
  for (const count of diagonalOf(matrix)) correct += count;
  return correct / total;
}
