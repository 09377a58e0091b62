// Cosine distance D(a, b) = 1 − mean over positions of the cosine over channels, the latent distance of JTR
// (Nishi et al., arXiv 2404.01976) and of pairwise consistency (Li, Liu & Bilen, arXiv 2111.14893).
// Norms are clamped at eps = 1e-12 per vector (PyTorch's cosine_similarity; the models package's `clampedNorm`, so
// a zero vector, an all-ReLU-off position, gives a zero gradient, not NaN); and the dot product is divided by one
// norm, then the other, because the gradient of dot/(‖a‖‖b‖) holds (‖a‖‖b‖)², which underflows float32 to 0 (1e-48) when both
// vectors are zero: 0/0 = NaN.
import { clampedNorm } from '@partial-mtl/models';
import * as tf from '@tensorflow/tfjs';

/** Cosine similarity over the last axis: [..., C] × [..., C] → [...]. The caller owns the result. */
export function cosineSimilarity(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(a, b), -1);
    return tf.div(tf.div(dot, clampedNorm(a)), clampedNorm(b));
  });
}

/**
 * Per-sample cosine distance of two NHWC maps [B, H, W, C]: `1 − mean_hw cos_c(a, b)`, shape [B].
 * The caller owns the result.
 */
export function cosineDistancePerSample(a: tf.Tensor, b: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const cosine = cosineSimilarity(a, b);
    const axes = cosine.shape.map((_, axis) => axis).slice(1);
    const meanCosine = axes.length > 0 ? tf.mean(cosine, axes) : cosine;
    return tf.sub(1, meanCosine) as tf.Tensor1D;
  });
}

/** Cosine distance of two maps, averaged over the batch: a scalar. The caller owns the result. */
export function cosineDistance(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(cosineDistancePerSample(a, b)) as tf.Scalar);
}

/**
 * How alike the samples of a batch of maps [B, H, W, C] are: the mean over ordered pairs i ≠ j and positions of
 * cos_c(x_i, x_j) (B ≥ 2). Near 1, every sample gives the same direction: a collapsed mapping, or an anchor that
 * cannot tell images apart. A diagnostic, not a loss. The caller owns the result.
 */
export function crossSampleSimilarity(x: tf.Tensor): tf.Scalar {
  const batchSize = x.shape[0] ?? 0;
  if (batchSize < 2) throw new Error(`crossSampleSimilarity: needs at least 2 samples, got ${batchSize}`);
  return tf.tidy(() => {
    const channels = x.shape[x.rank - 1]!;
    const norms = clampedNorm(x, true);
    const unit = tf.reshape(tf.div(x, norms), [batchSize, -1, channels]); // [B, P, C]
    const byPosition = tf.transpose(unit, [1, 0, 2]); // [P, B, C]
    const gram = tf.matMul(byPosition, byPosition, false, true); // [P, B, B]
    const positions = byPosition.shape[0]!;
    const diagonal = tf.sum(tf.square(unit)); // Σ cos(x_i, x_i) over i and positions (0 for a zero vector)
    const offDiagonal = tf.sub(tf.sum(gram), diagonal);
    return tf.div(offDiagonal, positions * batchSize * (batchSize - 1)) as tf.Scalar;
  });
}
