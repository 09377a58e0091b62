import { defineTasks, nyuv2Tasks, type TaskBatch, type TaskSpec } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BackboneName, createMultiTaskNetwork, supervisedLoss } from '../src/index.js';
import { expectNoLeak } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function makeBatch(tasks: readonly TaskSpec[], size: number, batchSize: number): TaskBatch {
  return tf.tidy(() => {
    const labels: Record<string, tf.Tensor> = {};
    for (const task of tasks) {
      if (task.kind === 'segmentation')
        labels[task.name] = tf.floor(
          tf.randomUniform([batchSize, size, size, 1], -1, task.channels, 'float32', 1),
        );
      if (task.kind === 'depth')
        labels[task.name] = tf.randomUniform([batchSize, size, size, 1], 0.5, 5, 'float32', 2);
      if (task.kind === 'normals')
        labels[task.name] = tf.randomNormal([batchSize, size, size, 3], 0, 1, 'float32', 3);
      if (task.kind === 'multiclass') labels[task.name] = tf.tensor2d([[1], [3]].slice(0, batchSize));
      if (task.kind === 'multilabel')
        labels[task.name] = tf.tensor2d(
          [
            [1, 0, -1],
            [0, 1, 1],
          ].slice(0, batchSize),
        );
    }
    return {
      images: tf.randomUniform([batchSize, size, size, 3], 0, 1, 'float32', 4) as tf.Tensor4D,
      labels,
      labelMask: tf.ones([batchSize, tasks.length]) as tf.Tensor2D,
      taskNames: tasks.map((task) => task.name),
      indices: [0, 1].slice(0, batchSize),
    };
  });
}

const imageTasks = defineTasks([
  { name: 'expression', kind: 'multiclass', channels: 4 },
  { name: 'actionUnits', kind: 'multilabel', channels: 3 },
]);

// A conv bias followed by batch norm in training mode gets an exactly-zero gradient in exact arithmetic (BN
// subtracts the batch mean, so the loss is invariant to that bias); it only sees float rounding. These are named
// `<block>.conv.bias`. In eval mode (running statistics) they get a non-zero gradient, checked separately.
const biasBeforeBatchNorm = /\.conv\.bias$/;

// Tiny widths and batches: the cpu backend's filter gradient is slow. SegNet's deepest batch norm still sees 2×2
// positions with one image; the ResNet's last stage is 1×1, so it needs two images for a non-degenerate batch norm.
const configs: {
  backbone: BackboneName;
  tasks: readonly TaskSpec[];
  size: number;
  width: number;
  batchSize: number;
}[] = [
  { backbone: 'segnet', tasks: nyuv2Tasks, size: 32, width: 0.0625, batchSize: 1 },
  { backbone: 'resnet18', tasks: [...nyuv2Tasks, ...imageTasks], size: 32, width: 0.0625, batchSize: 2 },
  { backbone: 'small-cnn', tasks: imageTasks, size: 16, width: 0.25, batchSize: 2 },
];

describe('a training step reaches every trainable variable', () => {
  for (const { backbone, tasks, size, width, batchSize } of configs) {
    it(backbone, () => {
      const network = createMultiTaskNetwork({ backbone, tasks, widthMultiplier: width, seed: 2 });
      const batch = makeBatch(tasks, size, batchSize);
      const trainable = [...network.sharedVariables, ...Object.values(network.taskVariables).flat()];
      const nameOf = new Map([...network.namedVariables()].map(([name, variable]) => [variable, name]));
      const preBatchNormBiases = trainable.filter((variable) =>
        biasBeforeBatchNorm.test(nameOf.get(variable)!),
      );
      for (const training of [true, false]) {
        // The eval-mode pass only checks the variables the training-mode pass cannot reach (cheaper on cpu).
        const checked = training ? trainable : preBatchNormBiases;
        expectNoLeak(() => {
          const { value, grads } = tf.variableGrads(() => {
            const output = network.apply(batch.images, { training });
            const { loss } = supervisedLoss(tasks, output, batch);
            return loss;
          }, checked);
          expect(Number.isFinite(value.dataSync()[0])).toBe(true);
          for (const variable of checked) {
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
