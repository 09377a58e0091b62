import { nyuv2Tasks, RandomSource } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createMultiTaskNetwork,
  createSegNet,
  createSegNetDecoder,
  createSegNetEncoder,
  disposeNetworkOutput,
  segnetChannels,
} from '../src/index.js';
import { expectNoLeak, maxAbsDifference } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function countParameters(variables: readonly tf.Variable[]): number {
  return variables.reduce((sum, variable) => sum + variable.size, 0);
}

describe('SegNet', () => {
  it('has exactly the PyTorch reference parameter count with the NYU-v2 heads', () => {
    // `/usr/bin/python3 /work/shared/bench/segnet_torch_step.py --width-mult 1.0 --height 32 --width 32 --steps 1`
    // (Debian python3-torch 1.13) prints "params": 25055185; with --width-mult 0.25 it prints 1570561.
    for (const [widthMultiplier, expected] of [
      [1, 25055185],
      [0.25, 1570561],
    ] as const) {
      const network = createMultiTaskNetwork({
        backbone: 'segnet',
        tasks: nyuv2Tasks,
        widthMultiplier,
        seed: 0,
      });
      const total =
        countParameters(network.sharedVariables) +
        countParameters(Object.values(network.taskVariables).flat());
      expect(total).toBe(expected);
      network.dispose();
    }
  });

  it('uses the reference channel rule max(8, floor(c · width))', () => {
    expect(segnetChannels(1)).toEqual([64, 128, 256, 512, 512]);
    expect(segnetChannels(0.1)).toEqual([8, 12, 25, 51, 51]);
  });

  it('gives bottleneck [B, H/32, W/32, C5] and shared [B, H, W, C1], and equals encoder + decoder run separately', () => {
    const backbone = createSegNet({ widthMultiplier: 0.125, random: new RandomSource(3) });
    const images = tf.randomUniform([2, 32, 64, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    expectNoLeak(() => {
      const { bottleneck, shared } = backbone.apply(images, false);
      expect(bottleneck.shape).toEqual([2, 1, 2, 64]);
      expect(shared.shape).toEqual([2, 32, 64, 8]);
      const encoded = backbone.encoder.apply(images, false);
      expect(encoded.unpoolMasks.map((mask) => mask.shape[1])).toEqual([32, 16, 8, 4, 2]);
      const decoded = backbone.decoder.apply(encoded.bottleneck, encoded.unpoolMasks, false);
      expect(maxAbsDifference(decoded.dataSync(), shared.dataSync())).toBe(0);
      tf.dispose([bottleneck, shared, encoded.bottleneck, ...encoded.unpoolMasks, decoded]);
    });
    images.dispose();
    backbone.dispose();
  });

  it('keeps the first `stages` encoder stages and their mirrored decoder stages', () => {
    const backbone = createSegNet({ widthMultiplier: 0.125, stages: 3, random: new RandomSource(3) });
    expect(backbone.inputMultiple).toBe(8);
    expect(backbone.bottleneckChannels).toBe(32);
    expect(backbone.encoder.stages.map((stage) => stage.length)).toEqual([2, 2, 3]);
    expect(backbone.decoder.stages.map((stage) => stage.length)).toEqual([3, 2, 2]);
    expect(segnetChannels(0.125, 3)).toEqual([8, 16, 32]);
    const images = tf.randomUniform([2, 32, 40, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    expectNoLeak(() => {
      const { bottleneck, shared } = backbone.apply(images, true);
      expect(bottleneck.shape).toEqual([2, 4, 5, 32]);
      expect(shared.shape).toEqual([2, 32, 40, 8]);
      tf.dispose([bottleneck, shared]);
    });
    images.dispose();
    backbone.dispose();
    expect(() => createSegNet({ stages: 6, random: new RandomSource(0) })).toThrow(
      'segnet.stages: expected an integer in 1..5, got 6',
    );
    expect(() => segnetChannels(1, 0)).toThrow('segnet.stages');
  });

  it('builds a standalone encoder with inChannels (JTR auto-encoder input) and a decoder', () => {
    const random = new RandomSource(1);
    const encoder = createSegNetEncoder({ inChannels: 17, widthMultiplier: 0.125, random });
    const decoder = createSegNetDecoder({ widthMultiplier: 0.125, random });
    const stacked = tf.randomUniform([1, 32, 32, 17], 0, 1, 'float32', 2) as tf.Tensor4D;
    expectNoLeak(() => {
      const { bottleneck, unpoolMasks } = encoder.apply(stacked, true);
      const reconstruction = decoder.apply(bottleneck, unpoolMasks, true);
      expect(reconstruction.shape).toEqual([1, 32, 32, 8]);
      tf.dispose([bottleneck, ...unpoolMasks, reconstruction]);
    });
    expect([...encoder.namedVariables().keys()][0]).toBe('encoder.0.0.conv.weight');
    expect(encoder.stages.map((stage) => stage.length)).toEqual([2, 2, 3, 3, 3]);
    expect(decoder.stages.map((stage) => stage.length)).toEqual([3, 3, 3, 2, 2]);
    const wrong = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    expect(() => encoder.apply(wrong, false)).toThrow(/expected images \[B, H, W, 17\]/);
    const notMultiple = tf.zeros([1, 48, 32, 17]) as tf.Tensor4D;
    expect(() => encoder.apply(notMultiple, false)).toThrow(/multiples of 32/);
    tf.dispose([stacked, wrong, notMultiple]);
    encoder.dispose();
    decoder.dispose();
  });

  it('is reproducible from the seed and disposes every variable', () => {
    const before = tf.memory().numTensors;
    const a = createMultiTaskNetwork({
      backbone: 'segnet',
      tasks: nyuv2Tasks,
      widthMultiplier: 0.125,
      seed: 11,
    });
    const b = createMultiTaskNetwork({
      backbone: 'segnet',
      tasks: nyuv2Tasks,
      widthMultiplier: 0.125,
      seed: 11,
    });
    const images = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const outputA = a.apply(images, { training: false });
    const outputB = b.apply(images, { training: false });
    for (const task of nyuv2Tasks) {
      expect(
        maxAbsDifference(
          outputA.predictions[task.name]!.dataSync(),
          outputB.predictions[task.name]!.dataSync(),
        ),
      ).toBe(0);
    }
    disposeNetworkOutput(outputA);
    disposeNetworkOutput(outputB);
    images.dispose();
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
