// Reduction shared by every task loss: per-element losses, a validity map and the per-sample label mask → scalar.
// 'per-sample' is the official MTPSL/JTR supervised loss (arXiv 2111.14893, 2404.01976): each labelled sample's
// loss is the mean over its valid elements, summed over labelled samples and divided by the batch size B.
// 'pooled' averages over every valid element of the labelled samples (a sample with more valid pixels weighs more).
import * as tf from '@tensorflow/tfjs';

export type LossNormalisation = 'per-sample' | 'pooled';

export const lossNormalisations: readonly LossNormalisation[] = ['per-sample', 'pooled'];

/**
 * Reduces `elementLoss` ([B, ...]) over the elements where `valid` ([B, ...], same shape, 0/1) is 1 and the
 * sample's `labelMask` ([B], 0/1) is 1. No labelled valid element gives exactly 0 (never NaN).
 * Returns a new scalar the caller owns.
 */
export function reduceMaskedLoss(
  elementLoss: tf.Tensor,
  valid: tf.Tensor,
  labelMask: tf.Tensor,
  normalisation: LossNormalisation,
  lossName: string,
): tf.Scalar {
  const batch = elementLoss.shape[0] ?? 0;
  if (labelMask.rank !== 1 || labelMask.shape[0] !== batch) {
    throw new Error(
      `${lossName}: labelMask must be [${batch}] (one flag per sample), got [${labelMask.shape.join(', ')}]`,
    );
  }
  if (!lossNormalisations.includes(normalisation)) {
    throw new Error(
      `${lossName}: unknown normalisation '${String(normalisation)}' (expected one of: ${lossNormalisations.join(', ')})`,
    );
  }
  return tf.tidy(() => {
    const sampleShape = [batch, ...Array.from({ length: elementLoss.rank - 1 }, () => 1)];
    const weights = tf.mul(tf.cast(valid, 'float32'), tf.reshape(tf.cast(labelMask, 'float32'), sampleShape));
    const weighted = tf.mul(elementLoss, weights);
    if (normalisation === 'pooled') {
      return tf.div(tf.sum(weighted), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
    }
    const axes = Array.from({ length: elementLoss.rank - 1 }, (_, axis) => axis + 1);
    const perSampleSum = axes.length > 0 ? tf.sum(weighted, axes) : weighted;
    const perSampleCount = axes.length > 0 ? tf.sum(weights, axes) : weights;
    return tf.div(
      tf.sum(tf.div(perSampleSum, tf.maximum(perSampleCount, 1))),
      Math.max(batch, 1),
    ) as tf.Scalar;
  });
}

/** Throws unless `labels` has the batch and spatial shape of `predictions` and `labelChannels` channels. */
export function checkLabelShape(
  predictions: tf.Tensor,
  labels: tf.Tensor,
  labelChannels: number,
  lossName: string,
): void {
  const expected = [...predictions.shape.slice(0, -1), labelChannels];
  if (labels.rank !== expected.length || labels.shape.some((size, axis) => size !== expected[axis])) {
    throw new Error(
      `${lossName}: labels must be [${expected.join(', ')}] for predictions [${predictions.shape.join(', ')}], got [${labels.shape.join(', ')}]`,
    );
  }
}
