// Binary cross-entropy on logits with a per-label mask (−1 = not annotated), for multilabel tasks such as action
// units: sum(m · bce) / sum(m) over the batch (our distribution-matching spec §4, 'batch' AU normalisation =
// 'pooled'). Stable form: y·softplus(−z) + (1 − y)·softplus(z).
import * as tf from '@tensorflow/tfjs';
import { checkLabelShape, type LossNormalisation, reduceMaskedLoss } from './reduce-masked.js';

export interface MultilabelBinaryCrossEntropyOptions {
  readonly ignoreValue?: number;
  readonly normalisation?: LossNormalisation;
}

export const multilabelBinaryCrossEntropyDefaults = { ignoreValue: -1, normalisation: 'pooled' } as const;

/**
 * logits and labels [B, M] (labels 0/1, ignoreValue where not annotated; dense [B, H, W, M] works the same),
 * labelMask [B] → mean BCE over annotated labels of labelled samples. New scalar, caller owns.
 */
export function multilabelBinaryCrossEntropy(
  logits: tf.Tensor,
  labels: tf.Tensor,
  labelMask: tf.Tensor,
  options: MultilabelBinaryCrossEntropyOptions = {},
): tf.Scalar {
  checkLabelShape(logits, labels, logits.shape[logits.rank - 1]!, 'multilabelBinaryCrossEntropy');
  const ignoreValue = options.ignoreValue ?? multilabelBinaryCrossEntropyDefaults.ignoreValue;
  return tf.tidy(() => {
    const valid = tf.notEqual(labels, ignoreValue);
    const targets = tf.where(valid, labels, tf.zerosLike(labels));
    const elementLoss = tf.add(
      tf.mul(targets, tf.softplus(tf.neg(logits))),
      tf.mul(tf.sub(1, targets), tf.softplus(logits)),
    );
    return reduceMaskedLoss(
      elementLoss,
      valid,
      labelMask,
      options.normalisation ?? multilabelBinaryCrossEntropyDefaults.normalisation,
      'multilabelBinaryCrossEntropy',
    );
  });
}
