// Photometric RandAugment subset of JTR (jtr.md §6, KentoNishi/JTR-CVPR-2024 `code/datasets/randaugment.py`):
// 2 ops drawn with replacement from 9, magnitude bin k uniform in 0..5, each op as PIL computes it on the 8-bit
// image (ImageEnhance blends truncate like PIL's `Image.blend`). Choices the spec leaves open: the ± sign of the
// enhance factors is drawn with p = 0.5, the image is quantised as round(255·x) and returned as value/255.
import type { RandomSource, Sample } from '@partial-mtl/core';

export const photometricOperationNames = [
  'identity',
  'brightness',
  'color',
  'contrast',
  'sharpness',
  'posterize',
  'solarize',
  'autoContrast',
  'equalize',
] as const;

export type PhotometricOperationName = (typeof photometricOperationNames)[number];

export interface PhotometricOptions {
  /** Operations applied in sequence (RandAugment N). */
  readonly operationCount: number;
  /** Magnitude bins are drawn uniformly in 0..maxMagnitude (of 31 bins). */
  readonly maxMagnitude: number;
  /** Operations to draw from. */
  readonly operations: readonly PhotometricOperationName[];
}

export const photometricDefaults: PhotometricOptions = Object.freeze({
  operationCount: 2,
  maxMagnitude: 5,
  operations: photometricOperationNames,
});

/** One drawn operation: its name, magnitude bin and (for enhance operations) the sign of the factor change. */
export interface PhotometricOperation {
  readonly name: PhotometricOperationName;
  readonly magnitude: number;
  readonly sign: 1 | -1;
}

function clampByte(value: number): number {
  return Math.min(255, Math.max(0, value));
}

/** PIL `Image.blend(degenerate, image, factor)` on 8-bit values: truncates, clips when extrapolating. */
function blend(degenerate: Uint8Array, image: Uint8Array, factor: number): Uint8Array {
  const out = new Uint8Array(image.length);
  for (let i = 0; i < image.length; i++) {
    const value = degenerate[i]! + factor * (image[i]! - degenerate[i]!);
    out[i] = Math.trunc(clampByte(value));
  }
  return out;
}

/** PIL's RGB→L luma, (19595 R + 38470 G + 7471 B + 0x8000) >> 16. */
function luma(image: Uint8Array, pixel: number): number {
  return (19595 * image[pixel]! + 38470 * image[pixel + 1]! + 7471 * image[pixel + 2]! + 0x8000) >>> 16;
}

function grayscale(image: Uint8Array): Uint8Array {
  const out = new Uint8Array(image.length);
  for (let p = 0; p < image.length; p += 3) out[p] = out[p + 1] = out[p + 2] = luma(image, p);
  return out;
}

function meanGrayscaleImage(image: Uint8Array): Uint8Array {
  let sum = 0;
  for (let p = 0; p < image.length; p += 3) sum += luma(image, p);
  const mean = Math.floor(sum / (image.length / 3) + 0.5);
  return new Uint8Array(image.length).fill(mean);
}

/** PIL `ImageFilter.SMOOTH` (3×3 kernel 1,1,1 / 1,5,1 / 1,1,1 over 13); border pixels are copied. */
function smooth(image: Uint8Array, height: number, width: number): Uint8Array {
  const out = new Uint8Array(image);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 4 * image[(y * width + x) * 3 + c]!;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) sum += image[((y + dy) * width + x + dx) * 3 + c]!;
        }
        out[(y * width + x) * 3 + c] = Math.min(255, Math.floor(sum / 13 + 0.5));
      }
    }
  }
  return out;
}

function mapChannels(image: Uint8Array, tables: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(image.length);
  for (let i = 0; i < image.length; i++) out[i] = tables[i % 3]![image[i]!]!;
  return out;
}

function histogram(image: Uint8Array, channel: number): Uint32Array {
  const counts = new Uint32Array(256);
  for (let i = channel; i < image.length; i += 3) counts[image[i]!]!++;
  return counts;
}

function identityTable(): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, i) => i);
}

/** PIL `ImageOps.autocontrast` (cutoff 0): each channel's min..max stretched to 0..255. */
function autoContrast(image: Uint8Array): Uint8Array {
  const tables = [0, 1, 2].map((channel) => {
    const counts = histogram(image, channel);
    let low = 0;
    while (low < 256 && counts[low] === 0) low++;
    let high = 255;
    while (high >= 0 && counts[high] === 0) high--;
    if (high <= low) return identityTable();
    const scale = 255 / (high - low);
    const offset = -low * scale;
    return Uint8Array.from({ length: 256 }, (_, i) => clampByte(Math.trunc(i * scale + offset)));
  });
  return mapChannels(image, tables);
}

/** PIL `ImageOps.equalize`: per-channel histogram equalisation. */
function equalize(image: Uint8Array): Uint8Array {
  const tables = [0, 1, 2].map((channel) => {
    const counts = histogram(image, channel);
    const nonZero = [...counts].filter((count) => count > 0);
    if (nonZero.length <= 1) return identityTable();
    const step = Math.floor((nonZero.reduce((a, b) => a + b, 0) - nonZero[nonZero.length - 1]!) / 255);
    if (step === 0) return identityTable();
    const table = new Uint8Array(256);
    let n = Math.floor(step / 2);
    for (let i = 0; i < 256; i++) {
      table[i] = Math.min(255, Math.floor(n / step));
      n += counts[i]!;
    }
    return table;
  });
  return mapChannels(image, tables);
}

/** Applies one operation to an 8-bit RGB image (HWC, 3 channels). */
export function applyPhotometricOperation(
  image: Uint8Array,
  height: number,
  width: number,
  operation: PhotometricOperation,
): Uint8Array {
  const factor = 1 + operation.sign * 0.03 * operation.magnitude;
  switch (operation.name) {
    case 'identity':
      return image;
    case 'brightness':
      return blend(new Uint8Array(image.length), image, factor);
    case 'color':
      return blend(grayscale(image), image, factor);
    case 'contrast':
      return blend(meanGrayscaleImage(image), image, factor);
    case 'sharpness':
      return blend(smooth(image, height, width), image, factor);
    case 'posterize': {
      // Python's round: k/7.5 is never exactly x.5 for integer k ≤ 30.
      const bits = 8 - Math.round(operation.magnitude / 7.5);
      const mask = (0xff << (8 - bits)) & 0xff;
      return mapChannels(
        image,
        [0, 1, 2].map(() => Uint8Array.from({ length: 256 }, (_, i) => i & mask)),
      );
    }
    case 'solarize': {
      const threshold = 255 - 8.5 * operation.magnitude;
      return mapChannels(
        image,
        [0, 1, 2].map(() => Uint8Array.from({ length: 256 }, (_, i) => (i < threshold ? i : 255 - i))),
      );
    }
    case 'autoContrast':
      return autoContrast(image);
    case 'equalize':
      return equalize(image);
  }
}

/** Draws the operations for one image: for each, the operation, its magnitude bin and a sign. */
export function drawPhotometricOperations(
  random: RandomSource,
  options: PhotometricOptions = photometricDefaults,
): PhotometricOperation[] {
  const operations: PhotometricOperation[] = [];
  for (let i = 0; i < options.operationCount; i++) {
    const name = random.pick(options.operations);
    const magnitude = random.intBetween(0, options.maxMagnitude);
    const sign = random.next() < 0.5 ? -1 : 1;
    operations.push({ name, magnitude, sign });
  }
  return operations;
}

/** Quantises a [0, 1] float image to 8 bits (round(255·x), clipped). */
export function toBytes(image: Float32Array | ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(image.length);
  for (let i = 0; i < image.length; i++) {
    const value = image[i]! * 255 + 0.5;
    // floor(v + 0.5) = Math.round(v) for v ≥ 0; NaN and negatives go to 0.
    out[i] = value >= 256 ? 255 : value > 0 ? value | 0 : 0;
  }
  return out;
}

/** byte → byte/255 as float32. */
const byteToUnit = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/**
 * Applies a RandAugment draw to a sample's image (HWC RGB in [0, 1], quantised to 8 bits on the way); labels are
 * untouched. A draw of identities only returns the sample itself. Writes the image into `output` when given.
 */
export function applyPhotometric(
  sample: Sample,
  operations: readonly PhotometricOperation[],
  output?: Float32Array,
): Sample {
  const [height, width, channels] = sample.image.shape;
  if (channels !== 3 || height === undefined || width === undefined) {
    throw new Error(
      `photometric: sample ${sample.index} image must be [H, W, 3], got [${sample.image.shape.join(', ')}]`,
    );
  }
  // Only identity drawn: the image is returned as it is (not quantised).
  if (operations.every((operation) => operation.name === 'identity')) return sample;
  let bytes = toBytes(sample.image.data);
  for (const operation of operations) bytes = applyPhotometricOperation(bytes, height, width, operation);
  if (output && output.length !== bytes.length) {
    throw new Error(`photometric: output array has ${output.length} values, expected ${bytes.length}`);
  }
  const data = output ?? new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) data[i] = byteToUnit[bytes[i]!]!;
  return { index: sample.index, image: { data, shape: sample.image.shape }, labels: sample.labels };
}

/** Draws and applies the photometric RandAugment subset. */
export function randomPhotometric(
  sample: Sample,
  random: RandomSource,
  options: PhotometricOptions = photometricDefaults,
  output?: Float32Array,
): Sample {
  return applyPhotometric(sample, drawPhotometricOperations(random, options), output);
}
