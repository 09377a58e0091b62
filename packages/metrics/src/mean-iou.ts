// Per-class IoU and mIoU from a confusion matrix: IoU_c = M_cc / (row_c + col_c − M_cc) (JTR code/utils/evals.py,
// MTPSL utils/evaluation.py). 'faithful' keeps the official NaN for a class absent from labels and predictions,
// which makes mIoU NaN; 'clean' takes the mean over defined classes and warns (a divergence, documented).
import { type ConfusionMatrix, diagonalOf, predictedTotals, targetTotals } from './confusion-matrix.js';

export type MeanIouMode = 'faithful' | 'clean';

export interface MeanIouOptions {
  readonly mode: MeanIouMode;
  /** Receives the warning of clean mode when classes are left out. */
  readonly warn: (message: string) => void;
}

export const meanIouDefaults: MeanIouOptions = {
  mode: 'faithful',
  warn: (message) => console.warn(message),
};

/** IoU of every class; NaN where the class is absent from both labels and predictions. */
export function perClassIou(matrix: ConfusionMatrix): Float64Array {
  const diagonal = diagonalOf(matrix);
  const rows = targetTotals(matrix);
  const columns = predictedTotals(matrix);
  const iou = new Float64Array(matrix.classCount);
  for (let c = 0; c < matrix.classCount; c++) {
    const union = rows[c]! + columns[c]! - diagonal[c]!;
    iou[c] = union === 0 ? Number.NaN : diagonal[c]! / union;
  }
  return iou;
}

/** Mean IoU (a fraction). Faithful: NaN if any class is absent. Clean: mean of defined classes, NaN if none. */
export function meanIou(matrix: ConfusionMatrix, options: Partial<MeanIouOptions> = {}): number {
  const { mode, warn } = { ...meanIouDefaults, ...options };
  const iou = perClassIou(matrix);
  let sum = 0;
  let defined = 0;
  const absent: number[] = [];
  iou.forEach((value, c) => {
    if (Number.isNaN(value)) absent.push(c);
    else {
      sum += value;
      defined += 1;
    }
  });
  if (mode === 'faithful') return absent.length > 0 ? Number.NaN : sum / matrix.classCount;
  if (absent.length > 0) {
    warn(
      `mIoU (clean): class(es) ${absent.join(', ')} absent from labels and predictions; ` +
        `averaged over ${defined} of ${matrix.classCount} classes`,
    );
  }
  return defined === 0 ? Number.NaN : sum / defined;
}
