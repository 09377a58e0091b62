import { RandomSource } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  batchNormTrain,
  createBatchNorm,
  createConv2d,
  createConvBnRelu,
  createLinear,
  maxPool2x2,
  maxUnpool2x2,
  upsampleNearest2x,
  xavierNormalStd,
} from '../src/index.js';
import { expectNoLeak, finiteDifferenceGradient, maxAbsDifference } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('conv2d', () => {
  it('computes a hand-checked 3×3 convolution with zero padding, and zero bias at init', () => {
    const conv = createConv2d({ name: 'c', inChannels: 1, outChannels: 1, random: new RandomSource(1) });
    conv.weight.assign(tf.ones([3, 3, 1, 1]));
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const y = conv.apply(x);
    // 'same' zero padding: every output sees all four inputs of a 2×2 image → 10 everywhere.
    expect(Array.from(y.dataSync())).toEqual([10, 10, 10, 10]);
    expect(Array.from(conv.bias!.dataSync())).toEqual([0]);
    expect([...conv.namedVariables().keys()]).toEqual(['c.weight', 'c.bias']);
    tf.dispose([x, y]);
    conv.dispose();
  });

  it('initialises Xavier-normal with the seeded std, reproducibly', () => {
    const make = () =>
      createConv2d({ name: 'w', inChannels: 32, outChannels: 64, random: new RandomSource(7) });
    const a = make();
    const b = make();
    const values = Array.from(a.weight.dataSync());
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(std).toBeCloseTo(xavierNormalStd(32 * 9, 64 * 9), 3);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(maxAbsDifference(values, b.weight.dataSync())).toBe(0);
    a.dispose();
    b.dispose();
  });

  it('rejects wrong input channels naming the layer', () => {
    const conv = createConv2d({ name: 'stem', inChannels: 3, outChannels: 4, random: new RandomSource(1) });
    const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    expect(() => conv.apply(x)).toThrow(/conv2d 'stem': expected input \[B, H, W, 3\]/);
    x.dispose();
    conv.dispose();
  });

  it('matches PyTorch output sizes for strided and dilated convs', () => {
    const strided = createConv2d({
      name: 's',
      inChannels: 1,
      outChannels: 1,
      kernelSize: 7,
      stride: 2,
      random: new RandomSource(1),
    });
    const dilated = createConv2d({
      name: 'd',
      inChannels: 1,
      outChannels: 1,
      dilation: 2,
      random: new RandomSource(1),
    });
    const x = tf.zeros([1, 8, 6, 1]) as tf.Tensor4D;
    expectNoLeak(() => {
      tf.tidy(() => {
        expect(strided.apply(x).shape).toEqual([1, 4, 3, 1]);
        expect(dilated.apply(x).shape).toEqual([1, 8, 6, 1]);
      });
    });
    x.dispose();
    strided.dispose();
    dilated.dispose();
  });
});

describe('batch norm', () => {
  it('batchNormTrain normalises with batch statistics (biased variance)', () => {
    const x = tf.tensor4d([1, 10, 2, 20, 3, 30, 4, 40], [2, 2, 1, 2]);
    const { y, mean, variance } = batchNormTrain(x, tf.tensor1d([1, 2]), tf.tensor1d([0, 1]), 1e-5);
    expect(Array.from(mean.dataSync())).toEqual([2.5, 25]);
    expect(maxAbsDifference(variance.dataSync(), [1.25, 125])).toBeLessThan(1e-5);
    const expected = [1, 2, 3, 4].flatMap((v) => [
      (v - 2.5) / Math.sqrt(1.25 + 1e-5),
      (2 * (v * 10 - 25)) / Math.sqrt(125 + 1e-5) + 1,
    ]);
    expect(maxAbsDifference(y.dataSync(), expected)).toBeLessThan(1e-5);
    tf.dispose([x, y, mean, variance]);
  });

  it('updates running statistics as PyTorch (momentum 0.1, unbiased variance) and uses them in eval mode', () => {
    const bn = createBatchNorm({ name: 'bn', channels: 1 });
    const x = tf.tensor4d([1, 2, 3, 4], [4, 1, 1, 1]);
    expectNoLeak(() => bn.apply(x, true).dispose());
    expect(bn.runningMean.dataSync()[0]).toBeCloseTo(0.25, 6);
    expect(bn.runningVariance.dataSync()[0]).toBeCloseTo(0.9 + 0.1 * (5 / 3), 6);
    const evaluated = bn.apply(x, false);
    const expected = [1, 2, 3, 4].map((v) => (v - 0.25) / Math.sqrt(0.9 + 0.1 * (5 / 3) + 1e-5));
    expect(maxAbsDifference(evaluated.dataSync(), expected)).toBeLessThan(1e-5);
    expect([...bn.namedVariables().keys()]).toEqual([
      'bn.gamma',
      'bn.beta',
      'bn.runningMean',
      'bn.runningVariance',
    ]);
    expect(bn.trainableVariables).toEqual([bn.gamma, bn.beta]);
    tf.dispose([x, evaluated]);
    bn.dispose();
  });

  it('records no gradient for running statistics and leaks nothing inside variableGrads', () => {
    const bn = createBatchNorm({ name: 'bn', channels: 2 });
    const x = tf.randomNormal([3, 2, 2, 2], 0, 1, 'float32', 3);
    const weights = tf.randomNormal([3, 2, 2, 2], 0, 1, 'float32', 4);
    expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(bn.apply(x, true), weights)) as tf.Scalar,
      );
      expect(Object.keys(grads).sort()).toEqual([bn.beta.name, bn.gamma.name].sort());
      tf.dispose([value, ...Object.values(grads)]);
    });
    tf.dispose([x, weights]);
    bn.dispose();
  });
});

describe('pooling and unpooling', () => {
  // Windows: top-left [1 3; 3 2] (tie at two positions), top-right [5 0; 0 0], bottom-left all 7 (4-way tie),
  // bottom-right [−1 −2; −3 −4].
  const input = [1, 3, 5, 0, 3, 2, 0, 0, 7, 7, -1, -2, 7, 7, -3, -4];

  it('upsamples nearest 2×', () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const up = upsampleNearest2x(x);
    expect(Array.from(up.dataSync())).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    tf.dispose([x, up]);
  });

  it('puts values back where the max was, every tied position included (hand example)', () => {
    const x = tf.tensor4d(input, [1, 4, 4, 1]);
    const { pooled, unpoolMask } = maxPool2x2(x);
    expect(Array.from(pooled.dataSync())).toEqual([3, 5, 7, -1]);
    expect(Array.from(unpoolMask.dataSync())).toEqual([0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0]);
    const unpooled = maxUnpool2x2(pooled, unpoolMask);
    expect(Array.from(unpooled.dataSync(), (v) => v + 0)).toEqual([
      0, 3, 5, 0, 3, 0, 0, 0, 7, 7, -1, 0, 7, 7, 0, 0,
    ]);
    const decoderFeature = tf.tensor4d([10, 20, 30, 40], [1, 2, 2, 1]);
    const placed = maxUnpool2x2(decoderFeature, unpoolMask);
    expect(Array.from(placed.dataSync(), (v) => v + 0)).toEqual([
      0, 10, 20, 0, 10, 0, 0, 0, 30, 30, 40, 0, 30, 30, 0, 0,
    ]);
    tf.dispose([x, pooled, unpoolMask, unpooled, decoderFeature, placed]);
  });

  it('sends gradients to the pooled value through every marked position and none through the mask', () => {
    const x = tf.tensor4d(input, [1, 4, 4, 1]);
    const weights = tf.tensor4d(
      Array.from({ length: 16 }, (_, i) => i + 1),
      [1, 4, 4, 1],
    );
    expectNoLeak(() => {
      const gradient = tf.grad((features: tf.Tensor) => {
        const { pooled, unpoolMask } = maxPool2x2(features as tf.Tensor4D);
        return tf.sum(tf.mul(maxUnpool2x2(pooled, unpoolMask), weights)) as tf.Scalar;
      })(x);
      // dL/dpooled = Σ of weights over the marked positions: TL 2+5 = 7, TR 3, BL 9+10+13+14 = 46, BR 11.
      // maxPool routes each window's gradient to one max position (tfjs picks the first in the window).
      const values = Array.from(gradient.dataSync());
      expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(7 + 3 + 46 + 11, 5);
      expect(values[2]).toBeCloseTo(3, 6);
      expect(values[10]).toBeCloseTo(11, 6);
      gradient.dispose();
    });
    tf.dispose([x, weights]);
  });

  it('rejects odd sizes and mismatched masks', () => {
    const odd = tf.zeros([1, 3, 4, 1]) as tf.Tensor4D;
    expect(() => maxPool2x2(odd)).toThrow(/even/);
    const pooled = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    const mask = tf.zeros([1, 4, 2, 1]) as tf.Tensor4D;
    expect(() => maxUnpool2x2(pooled, mask)).toThrow(/mask shape/);
    tf.dispose([odd, pooled, mask]);
  });
});

describe('blocks', () => {
  it('convBnRelu is non-negative, names its variables and leaks nothing', () => {
    const block = createConvBnRelu({ name: 'b', inChannels: 2, outChannels: 3, random: new RandomSource(2) });
    const x = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    expectNoLeak(() => {
      const y = block.apply(x, true);
      expect(y.shape).toEqual([2, 4, 4, 3]);
      expect(tf.tidy(() => tf.min(y).dataSync()[0])).toBeGreaterThanOrEqual(0);
      tf.dispose(y);
    });
    expect([...block.namedVariables().keys()]).toEqual([
      'b.conv.weight',
      'b.conv.bias',
      'b.bn.gamma',
      'b.bn.beta',
      'b.bn.runningMean',
      'b.bn.runningVariance',
    ]);
    expect(block.trainableVariables).toHaveLength(4);
    x.dispose();
    block.dispose();
  });

  it('linear computes x·W + b', () => {
    const linear = createLinear({ name: 'fc', inFeatures: 2, outFeatures: 1, random: new RandomSource(3) });
    linear.weight.assign(tf.tensor2d([[2], [3]]));
    linear.bias.assign(tf.tensor1d([1]));
    const x = tf.tensor2d([
      [1, 1],
      [2, 0],
    ]);
    const y = linear.apply(x);
    expect(Array.from(y.dataSync())).toEqual([6, 5]);
    tf.dispose([x, y]);
    linear.dispose();
  });
});

describe("unpooling ties 'first'", () => {
  it('keeps only the first maximum of each window in row-major order, as PyTorch indices', () => {
    const x = tf.tensor4d([1, 3, 5, 0, 3, 2, 0, 0, 7, 7, -1, -2, 7, 7, -3, -4], [1, 4, 4, 1]);
    const { pooled, unpoolMask } = maxPool2x2(x, 'first');
    expect(Array.from(pooled.dataSync())).toEqual([3, 5, 7, -1]);
    // Top-left tie (0,1)/(1,0) keeps (0,1); the 4-way tie bottom-left keeps (2,0).
    expect(Array.from(unpoolMask.dataSync())).toEqual([0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
    const unpooled = maxUnpool2x2(pooled, unpoolMask);
    expect(Array.from(unpooled.dataSync(), (v) => v + 0)).toEqual([
      0, 3, 5, 0, 0, 0, 0, 0, 7, 0, -1, 0, 0, 0, 0, 0,
    ]);
    expect(() => maxPool2x2(x, 'last' as 'first')).toThrow(/unknown ties mode 'last'/);
    tf.dispose([x, pooled, unpoolMask, unpooled]);
  });
});

describe('layer gradients match finite differences (guards custom gradients registered for other backends)', () => {
  function checkGradient(shape: number[], lossOf: (x: tf.Tensor) => tf.Scalar, seed: number): void {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from(
      { length: size },
      (_, i) => Math.sin(i * 1.3 + seed) + 0.1 * Math.cos(i * 0.7),
    );
    expectNoLeak(() => {
      const analytic = tf.tidy(() => tf.grad(lossOf)(tf.tensor(values, shape)).dataSync());
      const numeric = finiteDifferenceGradient(values, shape, lossOf, 1e-2);
      const scale = Math.max(...Array.from(numeric, Math.abs));
      expect(scale).toBeGreaterThan(1e-3);
      expect(maxAbsDifference(analytic, numeric) / scale).toBeLessThan(5e-3);
    });
  }

  it('batchNormTrain: x, gamma and beta', () => {
    const x = tf.tensor4d(
      Array.from({ length: 24 }, (_, i) => Math.sin(i * 0.9) * 2 + (i % 3)),
      [2, 2, 2, 3],
    );
    const weights = tf.tensor4d(
      Array.from({ length: 24 }, (_, i) => Math.cos(i * 0.4)),
      [2, 2, 2, 3],
    );
    const gamma = tf.tensor1d([1.2, 0.7, -0.5]);
    const beta = tf.tensor1d([0.1, -0.2, 0.3]);
    const weighted = (y: tf.Tensor) => tf.sum(tf.mul(tf.square(y), weights)) as tf.Scalar;
    checkGradient(
      [2, 2, 2, 3],
      (input) => tf.tidy(() => weighted(batchNormTrain(input, gamma, beta, 1e-5).y)),
      1,
    );
    checkGradient(
      [3],
      (input) => tf.tidy(() => weighted(batchNormTrain(x, input as tf.Tensor1D, beta, 1e-5).y)),
      2,
    );
    checkGradient(
      [3],
      (input) => tf.tidy(() => weighted(batchNormTrain(x, gamma, input as tf.Tensor1D, 1e-5).y)),
      3,
    );
    tf.dispose([x, weights, gamma, beta]);
  });

  it('conv2d: input, weight and bias (3×3 same, and strided 1×1)', () => {
    for (const [kernelSize, stride] of [
      [3, 1],
      [1, 2],
    ] as const) {
      const conv = createConv2d({
        name: 'g',
        inChannels: 2,
        outChannels: 3,
        kernelSize,
        stride,
        random: new RandomSource(4),
      });
      conv.bias!.assign(tf.tensor1d([0.1, -0.1, 0.2]));
      const x = tf.tensor4d(
        Array.from({ length: 32 }, (_, i) => Math.sin(i)),
        [1, 4, 4, 2],
      );
      const probe = (y: tf.Tensor) =>
        tf.sum(tf.mul(y, tf.sin(tf.range(0, y.size).reshape(y.shape)))) as tf.Scalar;
      checkGradient([1, 4, 4, 2], (input) => tf.tidy(() => probe(conv.apply(input as tf.Tensor4D))), 4);
      const weight = conv.weight.dataSync().slice();
      const weightShape = [...conv.weight.shape];
      const withWeight = (w: tf.Tensor) =>
        tf.tidy(
          () =>
            probe(
              tf.add(
                tf.conv2d(
                  x,
                  w as tf.Tensor4D,
                  stride,
                  kernelSize === 3
                    ? 'same'
                    : [
                        [0, 0],
                        [0, 0],
                        [0, 0],
                        [0, 0],
                      ],
                ),
                conv.bias!,
              ),
            ) as tf.Scalar,
        );
      expect(
        maxAbsDifference(
          tf.tidy(() => withWeight(conv.weight).dataSync()),
          tf.tidy(() => probe(conv.apply(x)).dataSync()),
        ),
      ).toBeLessThan(1e-5);
      checkGradient(weightShape, withWeight, 5);
      expect(weight.length).toBe(kernelSize * kernelSize * 6);
      checkGradient(
        [3],
        (bias) =>
          tf.tidy(() =>
            probe(
              tf.add(
                tf.conv2d(
                  x,
                  conv.weight as tf.Tensor4D,
                  stride,
                  kernelSize === 3
                    ? 'same'
                    : [
                        [0, 0],
                        [0, 0],
                        [0, 0],
                        [0, 0],
                      ],
                ),
                bias,
              ),
            ),
          ),
        6,
      );
      x.dispose();
      conv.dispose();
    }
  });
});
