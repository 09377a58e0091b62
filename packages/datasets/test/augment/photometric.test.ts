import { RandomSource, type Sample } from '@partial-mtl/core';
import { describe, expect, test } from 'vitest';
import {
  applyPhotometric,
  applyPhotometricOperation,
  drawPhotometricOperations,
  type PhotometricOperation,
  photometricOperationNames,
} from '../../src/augment/photometric.js';

const op = (
  name: PhotometricOperation['name'],
  magnitude: number,
  sign: 1 | -1 = 1,
): PhotometricOperation => ({ name, magnitude, sign });

/** A 1×2 RGB image as bytes. */
const pixels = (...values: number[]) => Uint8Array.from(values);

describe('photometric operations (PIL semantics on 8-bit images)', () => {
  test('identity returns the image', () => {
    const image = pixels(1, 2, 3, 4, 5, 6);
    expect(applyPhotometricOperation(image, 1, 2, op('identity', 3))).toEqual(image);
  });

  test('brightness: factor 1 ± 0.03k, truncated and clipped like Image.blend', () => {
    const image = pixels(100, 200, 250, 0, 10, 33);
    // 1 + 0.03·5 is 1.1499999… in floating point, so 100 → 114.99… → 114 (PIL truncates the same way).
    expect(Array.from(applyPhotometricOperation(image, 1, 2, op('brightness', 5, 1)))).toEqual([
      114, 229, 255, 0, 11, 37,
    ]);
    expect(Array.from(applyPhotometricOperation(image, 1, 2, op('brightness', 5, -1)))).toEqual([
      85, 170, 212, 0, 8, 28,
    ]);
  });

  test('color blends towards the PIL luma grey; contrast towards the mean luma', () => {
    // Luma of (200, 100, 0): (19595·200 + 38470·100 + 0 + 32768) >> 16 = 118; of (0, 0, 0): 0.
    const image = pixels(200, 100, 0, 0, 0, 0);
    expect(Array.from(applyPhotometricOperation(image, 1, 2, op('color', 5, 1)))).toEqual([
      212, 97, 0, 0, 0, 0,
    ]);
    // Mean luma = floor(59 + 0.5) = 59; factor 1.15 → 59 + 1.15·(v − 59).
    expect(Array.from(applyPhotometricOperation(image, 1, 2, op('contrast', 5, 1)))).toEqual([
      221, 106, 0, 0, 0, 0,
    ]);
  });

  test('sharpness: 3×3 SMOOTH on the interior, borders kept', () => {
    // 3×3 grey image, centre 130, others 0: smooth centre = round(5·130/13) = 50; factor 1.15 → 50 + 1.15·80 = 142.
    const image = new Uint8Array(27);
    image.fill(130, 12, 15);
    const out = applyPhotometricOperation(image, 3, 3, op('sharpness', 5, 1));
    expect(Array.from(out.subarray(12, 15))).toEqual([142, 142, 142]);
    expect(Array.from(out.subarray(0, 12))).toEqual(new Array(12).fill(0));
  });

  test('posterize keeps 8 − round(k/7.5) bits; solarize inverts from 255 − 8.5k', () => {
    const image = pixels(201, 255, 3, 128, 127, 0);
    expect(Array.from(applyPhotometricOperation(image, 1, 2, op('posterize', 3)))).toEqual([
      201, 255, 3, 128, 127, 0,
    ]);
    expect(Array.from(applyPhotometricOperation(image, 1, 2, op('posterize', 5)))).toEqual([
      200, 254, 2, 128, 126, 0,
    ]);
    // k = 2: threshold 238; 255 → 0, values below stay.
    expect(Array.from(applyPhotometricOperation(image, 1, 2, op('solarize', 2)))).toEqual([
      201, 0, 3, 128, 127, 0,
    ]);
  });

  test('autoContrast stretches each channel from its min..max to 0..255', () => {
    const image = pixels(50, 7, 9, 150, 7, 10);
    // Red: scale 2.55, offset −127.5; green constant (identity); blue 9..10 → 0..255.
    expect(Array.from(applyPhotometricOperation(image, 1, 2, op('autoContrast', 0)))).toEqual([
      0, 7, 0, 255, 7, 255,
    ]);
  });

  test('equalize: per-channel histogram equalisation as PIL ImageOps.equalize', () => {
    // Red channel of 4 pixels: 10, 10, 20, 30: step = (4 − 1) // 255 = 0 → identity. Use 512 pixels instead.
    const count = 512;
    const image = new Uint8Array(count * 3);
    for (let p = 0; p < count; p++) image[p * 3] = p < 256 ? 10 : 20;
    // Red histogram {10: 256, 20: 256}: step = 256 // 255 = 1, n starts at 0: lut[10] = 0, lut[20] = 256 → 255.
    const out = applyPhotometricOperation(image, 16, 32, op('equalize', 0));
    expect(out[0]).toBe(0);
    expect(out[(count - 1) * 3]).toBe(255);
    // Green and blue are constant: unchanged.
    expect(out[1]).toBe(0);
  });
});

test('drawPhotometricOperations draws 2 ops with magnitudes in 0..5, deterministic per seed', () => {
  const draws = Array.from({ length: 200 }, (_, i) => drawPhotometricOperations(new RandomSource(i)));
  expect(draws.every((draw) => draw.length === 2)).toBe(true);
  const magnitudes = new Set(draws.flat().map((operation) => operation.magnitude));
  expect([...magnitudes].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  const names = new Set(draws.flat().map((operation) => operation.name));
  expect(names.size).toBe(photometricOperationNames.length);
  expect(drawPhotometricOperations(new RandomSource(7))).toEqual(
    drawPhotometricOperations(new RandomSource(7)),
  );
});

test('applyPhotometric quantises the image, leaves labels alone', () => {
  const label = { data: new Float32Array([1, 2]), shape: [1, 2, 1] };
  const sample: Sample = {
    index: 0,
    image: { data: new Float32Array([0.5, 1, 0, 0.2, 0.4, 0.6]), shape: [1, 2, 3] },
    labels: { depth: label },
  };
  const out = applyPhotometric(sample, [op('brightness', 0)]);
  expect(Array.from(out.image.data)).toEqual([128, 255, 0, 51, 102, 153].map((v) => Math.fround(v / 255)));
  expect(out.labels.depth).toBe(label);
});
