// F1 from counts, F1 = 2·TP / (2·TP + FP + FN), shared by the multiclass and multilabel metrics. Undefined (NaN)
// when TP + FP + FN = 0; such classes are left out of means, as sklearn's macro average leaves out labels absent
// from both y_true and y_pred (sklearn would report a per-label 0 with a warning instead).

export function f1Score(truePositives: number, falsePositives: number, falseNegatives: number): number {
  const denominator = 2 * truePositives + falsePositives + falseNegatives;
  return denominator === 0 ? Number.NaN : (2 * truePositives) / denominator;
}

/** Mean of the defined (non-NaN) values; NaN when none is defined. */
export function meanOfDefined(values: ArrayLike<number>): number {
  let sum = 0;
  let defined = 0;
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (!Number.isNaN(value)) {
      sum += value;
      defined += 1;
    }
  }
  return defined === 0 ? Number.NaN : sum / defined;
}
