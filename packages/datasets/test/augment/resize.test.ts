import { RandomSource } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { cropResizeBilinear, cropResizeNearest, flipHorizontal } from '../../src/augment/resize.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function randomImage(height: number, width: number, channels: number, seed: number): Float32Array {
  const random = new RandomSource(seed);
  return Float32Array.from({ length: height * width * channels }, () => random.next());
}

describe('cropResizeBilinear (aligned corners)', () => {
  test('hand example: 2×2 → 3×3 puts the midpoints between the corners', () => {
    const image = { data: new Float32Array([0, 1, 2, 3]), height: 2, width: 2, channels: 1 };
    const out = cropResizeBilinear(image, { top: 0, left: 0, height: 2, width: 2 }, 3, 3);
    expect(Array.from(out)).toEqual([0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3]);
  });

  test('hand example: crop of the lower-right 2×2 of a 3×3, two channels, resized to 2×3', () => {
    // Pixel (r, c) = [10r + c, −(10r + c)].
    const data = new Float32Array(18);
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 3; c++) data.set([10 * r + c, -(10 * r + c)], (r * 3 + c) * 2);
    const out = cropResizeBilinear(
      { data, height: 3, width: 3, channels: 2 },
      { top: 1, left: 1, height: 2, width: 2 },
      2,
      3,
    );
    expect(Array.from(out)).toEqual([11, -11, 11.5, -11.5, 12, -12, 21, -21, 21.5, -21.5, 22, -22]);
  });

  test.each([
    [7, 9, { top: 1, left: 2, height: 5, width: 6 }, 7, 9],
    [12, 16, { top: 2, left: 3, height: 10, width: 13 }, 12, 16],
    [24, 32, { top: 3, left: 5, height: 20, width: 26 }, 24, 32],
  ])(
    'matches tf.image.resizeBilinear(alignCorners=true) for %i×%i',
    (height, width, window, outHeight, outWidth) => {
      const data = randomImage(height, width, 3, height);
      const ours = cropResizeBilinear({ data, height, width, channels: 3 }, window, outHeight, outWidth);
      const reference = tf.tidy(() => {
        const image = tf.tensor3d(data, [height, width, 3]);
        const crop = tf.slice(image, [window.top, window.left, 0], [window.height, window.width, 3]);
        return tf.image.resizeBilinear(crop as tf.Tensor3D, [outHeight, outWidth], true).dataSync();
      });
      expect(ours.length).toBe(reference.length);
      for (let i = 0; i < ours.length; i++) expect(ours[i]).toBeCloseTo(reference[i]!, 5);
    },
  );
});

describe('cropResizeNearest (source index floor(dst·in/out))', () => {
  test('hand example: a row of 3 stretched to 5 and an integer label type kept', () => {
    const image = { data: new Int32Array([10, 20, 30]), height: 1, width: 3, channels: 1 };
    const out = cropResizeNearest(image, { top: 0, left: 0, height: 1, width: 3 }, 1, 5);
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out)).toEqual([10, 10, 20, 20, 30]);
  });

  test('hand example: with a divisor (depth / scale), −1 and 0 markers survive', () => {
    const image = { data: new Float32Array([3, 0, -1, 6]), height: 2, width: 2, channels: 1 };
    const out = cropResizeNearest(image, { top: 0, left: 0, height: 2, width: 2 }, 4, 4, 1.5);
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual(
      [2, 2, 0, 0, 2, 2, 0, 0, -1 / 1.5, -1 / 1.5, 4, 4, -1 / 1.5, -1 / 1.5, 4, 4].map(Math.fround),
    );
  });

  test.each([
    [288 / 12, 384 / 12, { top: 2, left: 1, height: 20, width: 26 }],
    [30, 40, { top: 0, left: 5, height: 25, width: 33 }],
    [29, 38, { top: 4, left: 7, height: 24, width: 31 }],
  ])(
    'matches tf.image.resizeNearestNeighbor(alignCorners=false, halfPixelCenters=false) for %i×%i',
    (height, width, window) => {
      const data = randomImage(height, width, 2, width);
      const ours = cropResizeNearest({ data, height, width, channels: 2 }, window, height, width);
      const reference = tf.tidy(() => {
        const image = tf.tensor3d(data, [height, width, 2]);
        const crop = tf.slice(image, [window.top, window.left, 0], [window.height, window.width, 2]);
        return tf.image.resizeNearestNeighbor(crop as tf.Tensor3D, [height, width], false, false).dataSync();
      });
      expect(Array.from(ours)).toEqual(Array.from(reference));
    },
  );

  test('rejects a window that does not fit', () => {
    const image = { data: new Float32Array(4), height: 2, width: 2, channels: 1 };
    expect(() => cropResizeNearest(image, { top: 1, left: 0, height: 2, width: 2 }, 2, 2)).toThrow(
      /does not fit/,
    );
  });
});

test('flipHorizontal mirrors columns and negates the listed channels, keeping 0 as +0', () => {
  const image = { data: new Float32Array([1, 2, 0, 0, 5, 6]), height: 1, width: 3, channels: 2 };
  const out = flipHorizontal(image, [0]);
  expect(Array.from(out)).toEqual([-5, 6, 0, 0, -1, 2]);
  expect(Object.is(out[2], 0)).toBe(true);
});
