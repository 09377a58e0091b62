// The supervised multi-task loss: each task's loss (chosen from its TaskSpec loss kind) on the samples labelled for
// it, summed over tasks with equal weights, as MTPSL/JTR (arXiv 2111.14893, 2404.01976: each supervised loss weight 1).

import {
  ignoreValueOf,
  isDenseTask,
  type LossWithParts,
  labelMaskColumn,
  lossKindOf,
  type NetworkOutput,
  type TaskBatch,
  type TaskSpec,
} from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { maskedL1 } from './masked-l1.js';
import { maskedL2 } from './masked-l2.js';
import { multiclassCrossEntropy } from './multiclass-cross-entropy.js';
import { multilabelBinaryCrossEntropy } from './multilabel-binary-cross-entropy.js';
import { normalsCosine } from './normals-cosine.js';
import type { LossNormalisation } from './reduce-masked.js';
import { segmentationCrossEntropy } from './segmentation-cross-entropy.js';

export interface TaskLossOptions {
  /** Overrides each loss's default normalisation (dense: 'per-sample', per-image: 'pooled'). */
  readonly normalisation?: LossNormalisation;
}

/**
 * The loss of one task: predictions and labels as in core's TaskBatch, labelMask [B] (1 = labelled).
 * Returns a new scalar the caller owns.
 */
export function taskLoss(
  task: TaskSpec,
  predictions: tf.Tensor,
  labels: tf.Tensor,
  labelMask: tf.Tensor,
  options: TaskLossOptions = {},
): tf.Scalar {
  const ignoreValue = ignoreValueOf(task);
  const normalisation = options.normalisation ? { normalisation: options.normalisation } : {};
  const kind = lossKindOf(task);
  switch (kind) {
    case 'cross-entropy':
      return isDenseTask(task)
        ? segmentationCrossEntropy(predictions, labels, labelMask, {
            ignoreValue: ignoreValue ?? -1,
            ...normalisation,
          })
        : multiclassCrossEntropy(predictions, labels, labelMask, {
            ignoreValue: ignoreValue ?? -1,
            ...normalisation,
          });
    case 'l1':
      return maskedL1(predictions, labels, labelMask, {
        invalidValue: ignoreValue ?? null,
        ...normalisation,
      });
    case 'l2':
      return maskedL2(predictions, labels, labelMask, {
        invalidValue: ignoreValue ?? null,
        ...normalisation,
      });
    case 'cosine':
      return normalsCosine(predictions, labels, labelMask, normalisation);
    case 'binary-cross-entropy':
      return multilabelBinaryCrossEntropy(predictions, labels, labelMask, {
        ignoreValue: ignoreValue ?? -1,
        ...normalisation,
      });
    default:
      throw new Error(`task '${task.name}': unknown loss kind '${String(kind)}'`);
  }
}

/**
 * Σ_t taskLoss_t over the tasks, each on the samples of `batch.labelMask` labelled for it.
 * `parts` holds one scalar per task name. Every tensor returned is new; the caller disposes loss and parts.
 */
export function supervisedLoss(
  tasks: readonly TaskSpec[],
  output: NetworkOutput,
  batch: TaskBatch,
  options: TaskLossOptions = {},
): LossWithParts {
  if (tasks.length === 0) throw new Error('supervisedLoss: tasks is empty');
  for (const task of tasks) {
    if (!output.predictions[task.name])
      throw new Error(
        `supervisedLoss: output.predictions has no '${task.name}' (has: ${Object.keys(output.predictions).join(', ')})`,
      );
    if (!batch.labels[task.name])
      throw new Error(
        `supervisedLoss: batch.labels has no '${task.name}' (has: ${Object.keys(batch.labels).join(', ')})`,
      );
  }
  return tf.tidy(() => {
    const parts: Record<string, tf.Scalar> = {};
    for (const task of tasks) {
      const mask = labelMaskColumn(batch, task.name, tf);
      parts[task.name] = taskLoss(
        task,
        output.predictions[task.name]!,
        batch.labels[task.name]!,
        mask,
        options,
      );
    }
    const loss = tf.addN(Object.values(parts)) as tf.Scalar;
    return { loss, parts };
  });
}
