// Picks a task's head from its TaskSpec kind: dense kinds get the Conv3×3 → Conv1×1 head, multiclass and
// multilabel the pooled linear head (see dense-head.ts and classification-head.ts for the papers).
import type { RandomSource, TaskSpec } from '@partial-mtl/core';
import { isDenseTask } from '@partial-mtl/core';
import { createClassificationHead } from './classification-head.js';
import { createDenseHead, type TaskHead } from './dense-head.js';

export interface CreateHeadOptions {
  readonly task: TaskSpec;
  readonly inChannels: number;
  /** Layout of the backbone's shared feature. */
  readonly sharedLayout: 'map' | 'vector';
  readonly random: RandomSource;
  /** Variable-name prefix (default `heads.<task name>`). */
  readonly name?: string;
}

export function createHead(options: CreateHeadOptions): TaskHead {
  const { task, sharedLayout } = options;
  const name = options.name ?? `heads.${task.name}`;
  if (isDenseTask(task)) {
    if (sharedLayout !== 'map') {
      throw new Error(
        `task '${task.name}' (${task.kind}) is dense but the backbone gives a feature vector: use a dense backbone (segnet, resnet*)`,
      );
    }
    return createDenseHead({ ...options, name });
  }
  return createClassificationHead({ ...options, name });
}
