import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { disableWasmTraining, enableWasmTraining } from '../../src/index.js';
import { conv2dGeometry } from '../../src/wasm-training/conv-geometry.js';
import { filterGradientByRows } from '../../src/wasm-training/conv2d-filter-gradient.js';
import { maxAbs, maxAbsDifference, onBackend, seeded } from './helpers.js';

// Tolerance: float32 sums of up to a few hundred products of values in [-1, 1]; 1e-4 relative to the largest entry.
const relativeTolerance = 1e-4;

interface Case {
  readonly name: string;
  readonly x: [number, number, number, number];
  readonly filter: [number, number, number, number];
  readonly strides: number | [number, number];
  readonly pad: 'same' | 'valid' | tf.backend_util.ExplicitPadding;
  readonly dilations: number | [number, number];
}

const cases: Case[] = [
  { name: '3×3 same', x: [2, 6, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same', dilations: 1 },
  { name: '3×3 valid', x: [2, 6, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid', dilations: 1 },
  { name: '1×1', x: [2, 5, 4, 6], filter: [1, 1, 6, 3], strides: 1, pad: 'valid', dilations: 1 },
  {
    name: '3×3 stride 2 same, even size',
    x: [2, 8, 6, 3],
    filter: [3, 3, 3, 5],
    strides: 2,
    pad: 'same',
    dilations: 1,
  },
  {
    name: '3×3 stride 2 same, odd size',
    x: [1, 7, 9, 2],
    filter: [3, 3, 2, 3],
    strides: 2,
    pad: 'same',
    dilations: 1,
  },
  {
    name: '3×3 stride 2 valid, unread last row',
    x: [2, 8, 7, 3],
    filter: [3, 3, 3, 2],
    strides: 2,
    pad: 'valid',
    dilations: 1,
  },
  {
    name: '1×1 stride 2 (ResNet shortcut)',
    x: [2, 6, 6, 4],
    filter: [1, 1, 4, 5],
    strides: 2,
    pad: 'valid',
    dilations: 1,
  },
  {
    name: '7×7 stride 2 explicit pad 3 (ResNet stem)',
    x: [1, 12, 10, 3],
    filter: [7, 7, 3, 4],
    strides: 2,
    pad: [
      [0, 0],
      [3, 3],
      [3, 3],
      [0, 0],
    ],
    dilations: 1,
  },
  {
    name: '2×3 kernel, [1, 2] strides, same',
    x: [2, 5, 8, 2],
    filter: [2, 3, 2, 3],
    strides: [1, 2],
    pad: 'same',
    dilations: 1,
  },
  {
    name: '3×3 dilation 2 same',
    x: [2, 9, 8, 3],
    filter: [3, 3, 3, 4],
    strides: 1,
    pad: 'same',
    dilations: 2,
  },
  {
    name: '3×3 dilation 2 explicit pad 2',
    x: [1, 8, 8, 2],
    filter: [3, 3, 2, 3],
    strides: 1,
    pad: [
      [0, 0],
      [2, 2],
      [2, 2],
      [0, 0],
    ],
    dilations: 2,
  },
  {
    name: '3×3 dilation [2, 3] valid',
    x: [1, 9, 10, 2],
    filter: [3, 3, 2, 2],
    strides: 1,
    pad: 'valid',
    dilations: [2, 3],
  },
];

/** The dilated filter written out with zeros, so the stock (undilated) gradient can serve as the reference. */
function spreadFilter(filter: tf.Tensor4D, dilations: number | [number, number]): tf.Tensor4D {
  const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : dilations;
  const [kh, kw, ci, co] = filter.shape;
  const values = filter.arraySync();
  const spread = tf.buffer([(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co]);
  for (let a = 0; a < kh; a++)
    for (let b = 0; b < kw; b++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) spread.set(values[a]![b]![i]![o]!, a * dh, b * dw, i, o);
  return spread.toTensor() as tf.Tensor4D;
}

/** Forward values and gradients of sum(conv2d(x, w) · r) for x, w. */
function convolutionAndGradients(c: Case, reference: boolean) {
  return tf.tidy(() => {
    const x = tf.tensor4d(
      seeded(
        c.x.reduce((a, b) => a * b),
        1,
      ),
      c.x,
    );
    const filter = tf.tensor4d(
      seeded(
        c.filter.reduce((a, b) => a * b),
        2,
      ),
      c.filter,
    );
    const dilated = reference && c.dilations !== 1;
    const convolve = (input: tf.Tensor4D, weights: tf.Tensor4D) =>
      dilated
        ? tf.conv2d(input, spreadFilter(weights, c.dilations), c.strides, c.pad)
        : tf.conv2d(input, weights, c.strides, c.pad, 'NHWC', c.dilations);
    const output = convolve(x, filter);
    const upstream = tf.tensor(seeded(output.size, 3), output.shape);
    if (!dilated) {
      const [dx, dw] = tf.grads((input: tf.Tensor, weights: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.conv2d(input as tf.Tensor4D, weights as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations),
            upstream,
          ),
        ),
      )([x, filter]);
      return { y: output.dataSync(), dx: dx!.dataSync(), dw: dw!.dataSync() };
    }
    // Reference for dilated convs: gradient w.r.t. the spread filter, read at the dilated taps.
    const spread = spreadFilter(filter, c.dilations);
    const [dx, dSpread] = tf.grads((input: tf.Tensor, weights: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, weights as tf.Tensor4D, c.strides, c.pad), upstream)),
    )([x, spread]);
    const [dh, dwStep] = typeof c.dilations === 'number' ? [c.dilations, c.dilations] : c.dilations;
    const taps = dSpread!.arraySync() as number[][][][];
    const dw: number[] = [];
    for (let a = 0; a < c.filter[0]; a++)
      for (let b = 0; b < c.filter[1]; b++)
        for (let i = 0; i < c.filter[2]; i++)
          for (let o = 0; o < c.filter[3]; o++) dw.push(taps[a * dh]![b * dwStep]![i]![o]!);
    return { y: output.dataSync(), dx: dx!.dataSync(), dw: Float32Array.from(dw) };
  });
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(maxAbsDifference(actual, expected)).toBeLessThanOrEqual(
    relativeTolerance * Math.max(1, maxAbs(expected)),
  );
}

afterAll(async () => {
  disableWasmTraining();
  await tf.setBackend('cpu');
});

describe('Conv2D gradient as forward convolutions', () => {
  for (const c of cases) {
    it(`${c.name}: matches the stock cpu gradient on cpu and on wasm`, async () => {
      disableWasmTraining();
      const reference = await onBackend('cpu', () => convolutionAndGradients(c, true));
      enableWasmTraining();
      const onCpu = await onBackend('cpu', () => convolutionAndGradients(c, false));
      const onWasm = await onBackend('wasm', () => convolutionAndGradients(c, false));
      for (const result of [onCpu, onWasm]) {
        expectClose(result.y, reference.y);
        expectClose(result.dx, reference.dx);
        expectClose(result.dw, reference.dw);
      }
    });
  }

  for (const c of cases.filter(
    (entry) => (typeof entry.strides === 'number' ? entry.strides : entry.strides[1]) === 1,
  )) {
    it(`${c.name}: the rows variant (used for large maps) gives the same filter gradient on wasm`, async () => {
      disableWasmTraining();
      const reference = await onBackend('cpu', () => convolutionAndGradients(c, true));
      const rows = await onBackend('wasm', () =>
        tf.tidy(() => {
          const x = tf.tensor4d(
            seeded(
              c.x.reduce((a, b) => a * b),
              1,
            ),
            c.x,
          );
          const filter = tf.tensor4d(
            seeded(
              c.filter.reduce((a, b) => a * b),
              2,
            ),
            c.filter,
          );
          const output = tf.conv2d(x, filter, c.strides, c.pad, 'NHWC', c.dilations);
          const upstream = tf.tensor4d(seeded(output.size, 3), output.shape);
          return filterGradientByRows(
            x,
            upstream,
            conv2dGeometry(c.x, c.filter, c.strides, c.pad, c.dilations),
          ).dataSync();
        }),
      );
      expectClose(rows, reference.dw);
    });
  }

  it('frees every intermediate (tensor count unchanged) on wasm', async () => {
    enableWasmTraining();
    await onBackend('wasm', () => convolutionAndGradients(cases[3]!, false));
    const before = tf.memory().numTensors;
    await onBackend('wasm', () => convolutionAndGradients(cases[3]!, false));
    expect(tf.memory().numTensors).toBe(before);
  });
});
