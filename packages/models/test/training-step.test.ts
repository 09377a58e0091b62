import * as tf from '@tensorflow/tfjs';
import { defineTasks, nyuv2Tasks, type TaskBatch, type TaskSpec } from '@partial-mtl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMultiTaskNetwork, supervisedLoss, type BackboneName } from '../src/index.js';
import { expectNoLeak } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function makeBatch(tasks: readonly TaskSpec[], size: number): TaskBatch {
  return tf.tidy(() => {
    const labels: Record<string, tf.Tensor> = {};
    for (const task of tasks) {
      if (task.kind === 'segmentation') labels[task.name] = tf.floor(tf.randomUniform([2, size, size, 1], -1, task.channels, 'float32', 1));
      if (task.kind === 'depth') labels[task.name] = tf.randomUniform([2, size, size, 1], 0.5, 5, 'float32', 2);
      if (task.kind === 'normals') labels[task.name] = tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 3);
      if (task.kind === 'multiclass') labels[task.name] = tf.tensor2d([[1], [3]]);
      if (task.kind === 'multilabel') labels[task.name] = tf.tensor2d([[1, 0, -1], [0, 1, 1]]);
    }
    return {
      images: tf.randomUniform([2, size, size, 3], 0, 1, 'float32', 4) as tf.Tensor4D,
      labels,
      labelMask: tf.ones([2, tasks.length]) as tf.Tensor2D,
      taskNames: tasks.map((task) => task.name),
      indices: [0, 1],
    };
  });
}

const imageTasks = defineTasks([
  { name: 'expression', kind: 'multiclass', channels: 4 },
  { name: 'actionUnits', kind: 'multilabel', channels: 3 },
]);

// A conv bias followed by batch norm in training mode gets an exactly-zero gradient in exact arithmetic (BN
// subtracts the batch mean, so the loss is invariant to that bias); it only sees float rounding. These are named
// `<block>.conv.bias`. In eval mode (running statistics) every variable gets a non-zero gradient.
const biasBeforeBatchNorm = /\.conv\.bias$/;

const configs: { backbone: BackboneName; tasks: readonly TaskSpec[]; size: number; width: number }[] = [
  { backbone: 'segnet', tasks: nyuv2Tasks, size: 32, width: 0.125 },
  { backbone: 'resnet18', tasks: [...nyuv2Tasks, ...imageTasks], size: 32, width: 0.125 },
  { backbone: 'small-cnn', tasks: imageTasks, size: 16, width: 0.25 },
];

describe('a training step reaches every trainable variable', () => {
  for (const { backbone, tasks, size, width } of configs) {
    it(backbone, () => {
      const network = createMultiTaskNetwork({ backbone, tasks, widthMultiplier: width, seed: 2 });
      const batch = makeBatch(tasks, size);
      const trainable = [...network.sharedVariables, ...Object.values(network.taskVariables).flat()];
      const nameOf = new Map([...network.namedVariables()].map(([name, variable]) => [variable, name]));
      for (const training of [true, false]) {
        expectNoLeak(() => {
          const { value, grads } = tf.variableGrads(() => {
            const output = network.apply(batch.images, { training });
            const { loss } = supervisedLoss(tasks, output, batch);
            return loss;
          }, trainable);
          expect(Number.isFinite(value.dataSync()[0])).toBe(true);
          for (const variable of trainable) {
            const gradient = grads[variable.name];
            expect(gradient, `${nameOf.get(variable)} has a gradient`).toBeDefined();
            const largest = tf.tidy(() => tf.max(tf.abs(gradient!)).dataSync()[0]!);
            expect(Number.isFinite(largest)).toBe(true);
            const name = nameOf.get(variable)!;
            if (training && biasBeforeBatchNorm.test(name)) expect(largest, name).toBeLessThan(1e-3);
            else expect(largest, name).toBeGreaterThan(0);
          }
          tf.dispose([value, ...Object.values(grads)]);
        });
      }
      // Running statistics moved during the training-mode pass.
      const runningMean = [...network.namedVariables()].find(([name]) => name.endsWith('.runningMean'))![1];
      expect(tf.tidy(() => tf.max(tf.abs(runningMean)).dataSync()[0])).toBeGreaterThan(0);
      tf.dispose([batch.images, batch.labelMask, ...Object.values(batch.labels)]);
      network.dispose();
    });
  }
});
