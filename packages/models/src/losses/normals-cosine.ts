// Surface-normal loss 1 − cosine: 1 − mean over valid pixels of Σ_c p_c·y_c (MTAN/MTPSL/JTR, arXiv 1803.10704,
// 2111.14893, 2404.01976). Predictions are already unit length (the head L2-normalises), so the dot product is the
// cosine. A pixel is valid when Σ_c y_c ≠ 0 (the official mask). Default normalisation 'per-sample'.
import * as tf from '@tensorflow/tfjs';
import { checkLabelShape, type LossNormalisation, reduceMaskedLoss } from './reduce-masked.js';

export interface NormalsCosineOptions {
  readonly normalisation?: LossNormalisation;
}

export const normalsCosineDefaults = { normalisation: 'per-sample' } as const;

/** predictions, labels [B, H, W, 3], labelMask [B] → 1 − mean dot product over valid pixels. New scalar, caller owns. */
export function normalsCosine(
  predictions: tf.Tensor,
  labels: tf.Tensor,
  labelMask: tf.Tensor,
  options: NormalsCosineOptions = {},
): tf.Scalar {
  checkLabelShape(predictions, labels, predictions.shape[predictions.rank - 1]!, 'normalsCosine');
  return tf.tidy(() => {
    const pixelLoss = tf.sub(1, tf.sum(tf.mul(predictions, labels), -1));
    const valid = tf.notEqual(tf.sum(labels, -1), 0);
    return reduceMaskedLoss(
      pixelLoss,
      valid,
      labelMask,
      options.normalisation ?? normalsCosineDefaults.normalisation,
      'normalsCosine',
    );
  });
}
