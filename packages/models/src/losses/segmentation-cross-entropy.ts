// Per-pixel softmax cross-entropy with an ignore label (PyTorch `F.cross_entropy(..., ignore_index=-1)`), the
// segmentation loss of MTAN/MTPSL/JTR (arXiv 1803.10704, 2111.14893, 2404.01976). Labels are class ids [B,H,W,1].
// Default normalisation 'per-sample' (official per-sample loop, see reduce-masked.ts).
import * as tf from '@tensorflow/tfjs';
import { checkLabelShape, type LossNormalisation, reduceMaskedLoss } from './reduce-masked.js';

export interface SegmentationCrossEntropyOptions {
  /** Label value of pixels to ignore (default −1). */
  readonly ignoreValue?: number;
  readonly normalisation?: LossNormalisation;
}

export const segmentationCrossEntropyDefaults = { ignoreValue: -1, normalisation: 'per-sample' } as const;

/**
 * logits [B, H, W, C], labels [B, H, W, 1] class ids, labelMask [B] → mean CE over valid pixels (label ≠ ignore)
 * of labelled samples. Label ids outside 0..C−1 other than the ignore value contribute 0 but count as valid.
 * Returns a new scalar the caller owns.
 */
export function segmentationCrossEntropy(
  logits: tf.Tensor,
  labels: tf.Tensor,
  labelMask: tf.Tensor,
  options: SegmentationCrossEntropyOptions = {},
): tf.Scalar {
  const ignoreValue = options.ignoreValue ?? segmentationCrossEntropyDefaults.ignoreValue;
  checkLabelShape(logits, labels, 1, 'segmentationCrossEntropy');
  const classes = logits.shape[logits.rank - 1]!;
  return tf.tidy(() => {
    const classIds = tf.squeeze(labels, [labels.rank - 1]);
    const valid = tf.notEqual(classIds, ignoreValue);
    const oneHot = tf.oneHot(tf.cast(tf.where(valid, classIds, tf.zerosLike(classIds)), 'int32'), classes);
    const pixelLoss = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits, -1)), -1));
    return reduceMaskedLoss(
      pixelLoss,
      valid,
      labelMask,
      options.normalisation ?? segmentationCrossEntropyDefaults.normalisation,
      'segmentationCrossEntropy',
    );
  });
}
