// Softmax cross-entropy for per-image multiclass tasks (e.g. facial expression), with −1 = class absent.
// Default normalisation 'pooled': the mean over the samples that have a class, as our distribution-matching spec §4.
import * as tf from '@tensorflow/tfjs';
import { checkLabelShape, type LossNormalisation, reduceMaskedLoss } from './reduce-masked.js';

export interface MulticlassCrossEntropyOptions {
  readonly ignoreValue?: number;
  readonly normalisation?: LossNormalisation;
}

export const multiclassCrossEntropyDefaults = { ignoreValue: -1, normalisation: 'pooled' } as const;

/** logits [B, C], labels [B, 1] class ids, labelMask [B] → mean CE over labelled samples. New scalar, caller owns. */
export function multiclassCrossEntropy(
  logits: tf.Tensor,
  labels: tf.Tensor,
  labelMask: tf.Tensor,
  options: MulticlassCrossEntropyOptions = {},
): tf.Scalar {
  if (logits.rank !== 2)
    throw new Error(`multiclassCrossEntropy: logits must be [B, C], got [${logits.shape.join(', ')}]`);
  checkLabelShape(logits, labels, 1, 'multiclassCrossEntropy');
  const ignoreValue = options.ignoreValue ?? multiclassCrossEntropyDefaults.ignoreValue;
  return tf.tidy(() => {
    const classIds = tf.squeeze(labels, [1]);
    const valid = tf.notEqual(classIds, ignoreValue);
    const oneHot = tf.oneHot(
      tf.cast(tf.where(valid, classIds, tf.zerosLike(classIds)), 'int32'),
      logits.shape[1]!,
    );
    const sampleLoss = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits, -1)), -1));
    return reduceMaskedLoss(
      sampleLoss,
      valid,
      labelMask,
      options.normalisation ?? multiclassCrossEntropyDefaults.normalisation,
      'multiclassCrossEntropy',
    );
  });
}
