// Consistency regularisation baseline, UNVERIFIED: agreement between the predictions on two augmented views of the
// same images, as listed ("Consistency Reg.*") in the JTR paper's tables (Nishi et al., arXiv 2404.01976), whose
// code is unreleased; no source describes its formulation (pairwise.md §7). Ours: for each task a sample is NOT
// labelled for, the view-1 prediction is pulled towards the detached view-0 prediction (teacher).

import {
  type LossWithParts,
  oneHotFloat32,
  type Regularizer,
  type RegularizerInput,
  stopGradient,
  type TaskSpec,
  type VariableGroup,
} from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import {
  checkNumbers,
  maskColumnOf,
  predictionOf,
  type RegularizerBaseOptions,
  weighted,
} from './common-options.js';
import { cosineSimilarity } from './cosine-distance.js';
import { binaryCrossEntropyWithLogits } from './distribution-matching.js';

export interface ConsistencySettings {
  /** Weight of the summed per-task agreement terms. */
  readonly consistencyWeight: number;
  /** Categorical tasks: only positions whose teacher confidence exceeds this give a pseudo-label (MTPSL's dead code uses 0.95). */
  readonly confidenceThreshold: number;
}

export const consistencyDefaults: ConsistencySettings = { consistencyWeight: 1, confidenceThreshold: 0.95 };

export type ConsistencyOptions = RegularizerBaseOptions & Partial<ConsistencySettings>;

function meanOverPositions(values: tf.Tensor): tf.Tensor1D {
  const axes = values.shape.map((_, axis) => axis).slice(1);
  return (axes.length > 0 ? tf.mean(values, axes) : values) as tf.Tensor1D;
}

/**
 * Per-sample disagreement [B] of a student prediction with a detached teacher: categorical → cross-entropy to the
 * confident teacher argmax (mean over confident positions); multilabel → BCE to the teacher's sigmoid; normals →
 * 1 − cosine; depth and other regressions → L1. Tidy; the caller owns the result.
 */
export function disagreementPerSample(
  task: TaskSpec,
  student: tf.Tensor,
  teacher: tf.Tensor,
  threshold: number,
): tf.Tensor1D {
  return tf.tidy(() => {
    const detached = stopGradient(teacher);
    switch (task.kind) {
      case 'segmentation':
      case 'multiclass': {
        const probabilities = tf.softmax(detached, -1);
        const confident = tf.cast(tf.greater(tf.max(probabilities, -1), threshold), 'float32');
        const pseudo = oneHotFloat32(tf.argMax(probabilities, -1), task.channels);
        const crossEntropy = tf.neg(tf.sum(tf.mul(pseudo, tf.logSoftmax(student, -1)), -1));
        const axes = crossEntropy.shape.map((_, axis) => axis).slice(1);
        if (axes.length === 0) return tf.mul(crossEntropy, confident) as tf.Tensor1D;
        return tf.div(
          tf.sum(tf.mul(crossEntropy, confident), axes),
          tf.maximum(tf.sum(confident, axes), 1),
        ) as tf.Tensor1D;
      }
      case 'multilabel':
        return meanOverPositions(binaryCrossEntropyWithLogits(tf.sigmoid(detached), student));
      case 'normals':
        return meanOverPositions(tf.sub(1, cosineSimilarity(student, detached)));
      default:
        return meanOverPositions(tf.abs(tf.sub(student, detached)));
    }
  });
}

/** Creates the unverified consistency-regularisation baseline (1 extra view; no variables). */
export function createConsistencyRegularization(options: ConsistencyOptions): Regularizer {
  const settings: ConsistencySettings = { ...consistencyDefaults, ...options };
  checkNumbers('consistency', settings, { consistencyWeight: '≥ 0', confidenceThreshold: '≥ 0' });
  const { tasks } = options;
  return {
    name: 'consistency',
    viewsNeeded: 1,
    variableGroups: (): readonly VariableGroup[] => [],
    namedVariables: () => new Map<string, tf.Variable>(),
    loss(input: RegularizerInput): LossWithParts {
      const viewOutput = input.viewOutputs[0];
      if (!viewOutput) throw new Error('consistency: needs 1 extra view (viewOutputs[0])');
      return tf.tidy(() => {
        const parts: Record<string, tf.Scalar> = {};
        let total: tf.Tensor = tf.scalar(0);
        for (const task of tasks) {
          const column = maskColumnOf(input.batch.taskNames, task.name);
          const unlabelled = tf.sub(
            1,
            tf.squeeze(tf.slice(input.batch.labelMask, [0, column], [-1, 1]), [1]),
          );
          const perSample = disagreementPerSample(
            task,
            predictionOf(viewOutput.predictions, task.name),
            predictionOf(input.output.predictions, task.name),
            settings.confidenceThreshold,
          );
          const term = tf.div(
            tf.sum(tf.mul(perSample, unlabelled)),
            tf.maximum(tf.sum(unlabelled), 1),
          ) as tf.Scalar;
          parts[task.name] = term;
          total = tf.add(total, term);
        }
        return { loss: weighted(settings.consistencyWeight, total) as tf.Scalar, parts };
      });
    },
    dispose: () => {},
  };
}
