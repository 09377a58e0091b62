import { defineTasks, nyuv2Tasks, type TaskSpec } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BackboneName,
  backboneNames,
  createMultiTaskNetwork,
  disposeNetworkOutput,
  l2NormalizeChannels,
} from '../src/index.js';
import { expectNoLeak } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const denseTasks = defineTasks([
  ...nyuv2Tasks,
  { name: 'edges', kind: 'edges', channels: 1 },
  { name: 'flow', kind: 'regression', channels: 2 },
]);
const imageTasks = defineTasks([
  { name: 'expression', kind: 'multiclass', channels: 7 },
  { name: 'actionUnits', kind: 'multilabel', channels: 5 },
]);

const tiny: Record<BackboneName, { width: number; size: number; options?: Record<string, unknown> }> = {
  segnet: { width: 0.125, size: 32 },
  resnet18: { width: 0.125, size: 32 },
  resnet34: { width: 0.125, size: 32, options: { outputStride: 16 } },
  resnet50: { width: 0.0625, size: 32, options: { outputStride: 8 } },
  'small-cnn': { width: 0.25, size: 28 },
};

describe('createMultiTaskNetwork', () => {
  for (const backbone of backboneNames) {
    const tasks: readonly TaskSpec[] = backbone === 'small-cnn' ? imageTasks : [...denseTasks, ...imageTasks];
    it(`${backbone}: forward shapes for every head kind, no leak`, () => {
      const { width, size, options } = tiny[backbone];
      const network = createMultiTaskNetwork({
        backbone,
        tasks,
        widthMultiplier: width,
        seed: 1,
        ...(options ? { backboneOptions: options } : {}),
      });
      const images = tf.randomUniform([2, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      expectNoLeak(() => {
        const output = network.apply(images, { training: true });
        for (const task of tasks) {
          const shape = output.predictions[task.name]!.shape;
          expect(shape).toEqual(
            task.kind === 'multiclass' || task.kind === 'multilabel'
              ? [2, task.channels]
              : [2, size, size, task.channels],
          );
        }
        expect(output.features.bottleneck!.rank).toBe(4);
        expect(output.features.shared!.shape[0]).toBe(2);
        if (tasks.some((task) => task.kind === 'normals')) {
          const norms = tf.tidy(() => tf.sqrt(tf.sum(tf.square(output.predictions.normal!), -1)).dataSync());
          for (const norm of norms) expect(norm).toBeCloseTo(1, 4);
        }
        disposeNetworkOutput(output);
      });
      const names = [...network.namedVariables().keys()];
      expect(new Set(names).size).toBe(names.length);
      expect(names.some((name) => name.endsWith('.runningMean'))).toBe(true);
      images.dispose();
      network.dispose();
    });
  }

  it('segnet bottleneck is [B, H/32, W/32, C5]; resnet output strides 8/16 keep the bottleneck larger', () => {
    for (const [backbone, options, expected] of [
      ['segnet', {}, 1],
      ['resnet18', { outputStride: 32 }, 1],
      ['resnet18', { outputStride: 16 }, 2],
      ['resnet18', { outputStride: 8 }, 4],
    ] as const) {
      const network = createMultiTaskNetwork({
        backbone,
        tasks: nyuv2Tasks,
        widthMultiplier: 0.125,
        backboneOptions: options,
      });
      const images = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
      const output = network.apply(images, { training: false });
      expect(output.features.bottleneck!.shape[1]).toBe(expected);
      disposeNetworkOutput(output);
      images.dispose();
      network.dispose();
    }
  });

  it('rejects unknown backbones and backbone options listing the valid ones, and dense tasks on the small CNN', () => {
    expect(() => createMultiTaskNetwork({ backbone: 'vgg' as BackboneName, tasks: nyuv2Tasks })).toThrow(
      /unknown backbone 'vgg' \(expected one of: segnet, resnet18/,
    );
    const before = tf.memory().numTensors;
    expect(() =>
      createMultiTaskNetwork({ backbone: 'small-cnn', tasks: nyuv2Tasks, widthMultiplier: 0.25 }),
    ).toThrow(/task 'semseg' \(segmentation\) is dense/);
    expect(() =>
      createMultiTaskNetwork({
        backbone: 'segnet',
        tasks: nyuv2Tasks,
        backboneOptions: { outputStride: 16 },
      }),
    ).toThrow(/backboneOptions\.outputStride: not an option of segnet \(valid: unpoolTies, stages\)/);
    expect(() =>
      createMultiTaskNetwork({
        backbone: 'segnet',
        tasks: nyuv2Tasks,
        backboneOptions: { unpoolTies: 'middle' },
      }),
    ).toThrow(/segnet\.unpoolTies/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('config is plain JSON that rebuilds the same architecture and weights', () => {
    const network = createMultiTaskNetwork({
      backbone: 'resnet18',
      tasks: imageTasks,
      widthMultiplier: 0.125,
      seed: 4,
      backboneOptions: { outputStride: 16 },
    });
    const rebuilt = createMultiTaskNetwork(JSON.parse(JSON.stringify(network.config)));
    const a = network.namedVariables();
    const b = rebuilt.namedVariables();
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, variable] of a)
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(variable, b.get(name)!))).dataSync()[0])).toBe(0);
    network.dispose();
    rebuilt.dispose();
  });
});

describe('l2NormalizeChannels (the normals head)', () => {
  it('gives unit vectors, the analytic gradient, and a zero (not NaN) gradient at a zero vector', () => {
    const x = tf.tensor2d([
      [3, 0, 4],
      [0, 0, 0],
    ]);
    const unit = Array.from(l2NormalizeChannels(x).dataSync());
    [0.6, 0, 0.8, 0, 0, 0].forEach((value, i) => expect(unit[i]).toBeCloseTo(value, 6));
    // d(Σ w·x/‖x‖)/dx = (w − (w·u)u)/‖x‖ with u = x/‖x‖. Below the clamp the output is x/ε, whose gradient is w/ε:
    // large but finite (the unclamped form's √ gradient at 0 is Inf, times the clamp's 0: NaN).
    const w = tf.tensor2d([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    const gradient = Array.from(
      tf
        .grad((v: tf.Tensor) => tf.sum(tf.mul(l2NormalizeChannels(v), w)))(x)
        .dataSync(),
    );
    const u = [0.6, 0, 0.8];
    const wu = 1 * 0.6 + 3 * 0.8;
    [1, 2, 3].forEach((wc, c) => expect(gradient[c]).toBeCloseTo((wc - wu * u[c]!) / 5, 6));
    expect(gradient.slice(3).every(Number.isFinite)).toBe(true);
  });
});
