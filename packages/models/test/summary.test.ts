import { defineTasks, nyuv2Tasks } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMultiTaskNetwork, formatNetworkSummary, summarizeNetwork } from '../src/index.js';
import { expectNoLeak } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** Multiply-adds of the reference SegNet MTL (segnet_torch_step.py structure), computed independently. */
function segnetReferenceMultiplyAdds(
  width: number,
  height: number,
  imageWidth: number,
  classes: number[],
): { backbone: number; heads: number[] } {
  const f = [64, 128, 256, 512, 512].map((c) => Math.max(8, Math.floor(c * width)));
  const reps = [2, 2, 3, 3, 3];
  const conv = (h: number, w: number, cin: number, cout: number, k: number) =>
    h * w * cout * (cin * k * k + 1);
  let total = 0;
  let cin = 3;
  let h = height;
  let w = imageWidth;
  f.forEach((c, stage) => {
    for (let i = 0; i < reps[stage]!; i++) total += conv(h, w, i === 0 ? cin : c, c, 3);
    cin = c;
    h /= 2;
    w /= 2;
  });
  const decoderIn = [...f].reverse();
  const decoderOut = [f[0]!, ...f.slice(0, -1)].reverse();
  decoderIn.forEach((c, stage) => {
    h *= 2;
    w *= 2;
    for (let i = 0; i < reps[4 - stage]!; i++)
      total += conv(h, w, i === 0 ? c : decoderOut[stage]!, decoderOut[stage]!, 3);
  });
  const heads = classes.map(
    (c) => conv(height, imageWidth, f[0]!, f[0]!, 3) + conv(height, imageWidth, f[0]!, c, 1),
  );
  return { backbone: total, heads };
}

describe('summarizeNetwork', () => {
  it('counts SegNet parameters per group and multiply-adds like the reference structure', () => {
    const network = createMultiTaskNetwork({ backbone: 'segnet', tasks: nyuv2Tasks, widthMultiplier: 0.25 });
    let summary: ReturnType<typeof summarizeNetwork> | undefined;
    expectNoLeak(() => {
      summary = summarizeNetwork(network, { height: 64, width: 96 });
    });
    const expected = segnetReferenceMultiplyAdds(0.25, 64, 96, [13, 1, 3]);
    // Head parameters at width 0.25 (h = 16): Conv3×3(16→16) = 2320, plus Conv1×1(16→C).
    expect(summary!.parameters.tasks).toEqual({
      semseg: 2320 + 16 * 13 + 13,
      depth: 2320 + 17,
      normal: 2320 + 16 * 3 + 3,
    });
    // segnet_torch_step.py --width-mult 0.25 prints "params": 1570561.
    expect(summary!.parameters.trainable).toBe(1570561);
    expect(summary!.parameters.shared).toBe(1570561 - 2320 * 3 - (221 + 17 + 51));
    // Two running statistics (mean, variance) per batch-norm channel (channels 16-32-64-128-128).
    expect(summary!.parameters.nonTrainable).toBe(
      2 * (2 * 16 + 2 * 32 + 3 * 64 + 3 * 128 + 3 * 128 + 3 * 128 + 3 * 64 + 3 * 32 + 2 * 16 + 2 * 16),
    );
    expect(summary!.multiplyAdds.parts.backbone).toBe(expected.backbone);
    expect([
      summary!.multiplyAdds.parts.semseg,
      summary!.multiplyAdds.parts.depth,
      summary!.multiplyAdds.parts.normal,
    ]).toEqual(expected.heads);
    expect(summary!.flops).toBe(2 * (expected.backbone + expected.heads.reduce((a, b) => a + b, 0)));
    expect(formatNetworkSummary(summary!)).toMatch(/trainable 1\.571 M/);
    network.dispose();
  });

  it('counts the small CNN with a classification head by hand', () => {
    const tasks = defineTasks([{ name: 'expression', kind: 'multiclass', channels: 7 }]);
    const network = createMultiTaskNetwork({
      backbone: 'small-cnn',
      tasks,
      widthMultiplier: 0.25,
      backboneOptions: { stages: 2 },
    });
    const summary = summarizeNetwork(network, { height: 28, width: 28, batch: 2 });
    // Stage 1: 28×28×8 outputs × (3·9 + 1); pool → 14×14. Stage 2: 14×14×16 × (8·9 + 1). Head: 16 → 7 linear.
    expect(summary.multiplyAdds.parts.backbone).toBe(2 * (28 * 28 * 8 * 28 + 14 * 14 * 16 * 73));
    expect(summary.multiplyAdds.parts.expression).toBe(2 * 7 * 17);
    expect(summary.parameters.shared).toBe(8 * 28 + 16 + 16 * 73 + 32);
    expect(summary.parameters.tasks).toEqual({ expression: 16 * 7 + 7 });
    network.dispose();
  });

  it('runs for every ResNet depth (deeper costs more) and rejects bad sizes', () => {
    const backboneCosts: number[] = [];
    for (const backbone of ['resnet18', 'resnet34', 'resnet50'] as const) {
      const network = createMultiTaskNetwork({ backbone, tasks: nyuv2Tasks, widthMultiplier: 0.25 });
      const summary = summarizeNetwork(network, { height: 64, width: 64 });
      expect(summary.multiplyAdds.total).toBe(
        Object.values(summary.multiplyAdds.parts).reduce((a, b) => a + b, 0),
      );
      backboneCosts.push(summary.multiplyAdds.parts.backbone!);
      expect(() => summarizeNetwork(network, { height: 0, width: 64 })).toThrow(/summarizeNetwork\.height/);
      network.dispose();
    }
    expect(backboneCosts[1]!).toBeGreaterThan(backboneCosts[0]!);
    expect(backboneCosts[2]!).toBeGreaterThan(backboneCosts[1]!);
  });
});
