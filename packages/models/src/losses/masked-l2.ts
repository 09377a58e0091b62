// Masked squared error for regression tasks (no paper-specific form): mean (p − y)² over valid elements, an
// element being valid when its label ≠ invalidValue (default: every element valid). Default normalisation 'per-sample'.
import * as tf from '@tensorflow/tfjs';
import { checkLabelShape, type LossNormalisation, reduceMaskedLoss } from './reduce-masked.js';

export interface MaskedL2Options {
  readonly invalidValue?: number | null;
  readonly normalisation?: LossNormalisation;
}

export const maskedL2Defaults = { invalidValue: null, normalisation: 'per-sample' } as const;

/** predictions, labels [B, ..., C], labelMask [B] → mean squared error over valid elements. New scalar, caller owns. */
export function maskedL2(
  predictions: tf.Tensor,
  labels: tf.Tensor,
  labelMask: tf.Tensor,
  options: MaskedL2Options = {},
): tf.Scalar {
  checkLabelShape(predictions, labels, predictions.shape[predictions.rank - 1]!, 'maskedL2');
  const invalidValue =
    options.invalidValue === undefined ? maskedL2Defaults.invalidValue : options.invalidValue;
  return tf.tidy(() => {
    const elementLoss = tf.square(tf.sub(predictions, labels));
    const valid = invalidValue === null ? tf.onesLike(elementLoss) : tf.notEqual(labels, invalidValue);
    return reduceMaskedLoss(
      elementLoss,
      valid,
      labelMask,
      options.normalisation ?? maskedL2Defaults.normalisation,
      'maskedL2',
    );
  });
}
