// Masked L1 loss: mean |prediction − label| over valid elements, the depth loss of MTAN/MTPSL/JTR
// (arXiv 1803.10704, 2111.14893, 2404.01976): a pixel is valid when its label ≠ 0 (summed over channels, as MTAN's
// mask). Also used raw (no invalid value) for edges. Default normalisation 'per-sample' (see reduce-masked.ts).
import * as tf from '@tensorflow/tfjs';
import { checkLabelShape, type LossNormalisation, reduceMaskedLoss } from './reduce-masked.js';

export interface MaskedL1Options {
  /** Label value marking an invalid element (default 0 as depth); `null` treats every element as valid. */
  readonly invalidValue?: number | null;
  readonly normalisation?: LossNormalisation;
}

export const maskedL1Defaults = { invalidValue: 0, normalisation: 'per-sample' } as const;

/**
 * predictions and labels [B, ..., C] (same shape), labelMask [B] → mean over valid positions of Σ_c |p − y| / C.
 * A position is valid when the sum of its label channels ≠ invalidValue. Returns a new scalar the caller owns.
 */
export function maskedL1(
  predictions: tf.Tensor,
  labels: tf.Tensor,
  labelMask: tf.Tensor,
  options: MaskedL1Options = {},
): tf.Scalar {
  checkLabelShape(predictions, labels, predictions.shape[predictions.rank - 1]!, 'maskedL1');
  const invalidValue =
    options.invalidValue === undefined ? maskedL1Defaults.invalidValue : options.invalidValue;
  return tf.tidy(() => {
    const positionLoss = tf.mean(tf.abs(tf.sub(predictions, labels)), -1);
    const valid =
      invalidValue === null ? tf.onesLike(positionLoss) : tf.notEqual(tf.sum(labels, -1), invalidValue);
    return reduceMaskedLoss(
      positionLoss,
      valid,
      labelMask,
      options.normalisation ?? maskedL1Defaults.normalisation,
      'maskedL1',
    );
  });
}
