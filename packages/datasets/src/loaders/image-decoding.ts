// Image decoding for the real-data loaders with `sharp` (libvips; github.com/lovell/sharp): RGB images to float32
// HWC in [0, 1] (optionally cropped and resized bilinearly), and single-channel 8- or 16-bit maps (labels, depth)
// as raw integers, resized by nearest neighbour in plain code (source index floor(dst·in/out), as data-formats.md §6).
import { access } from 'node:fs/promises';
import type { DenseArray } from '@partial-mtl/core';
import sharp from 'sharp';

/** A rectangle in pixels, e.g. a face box. */
export interface PixelBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface DecodeImageOptions {
  /** Crop applied first (clipped to the image). */
  readonly crop?: PixelBox;
  /** Output [height, width]; the image is resized (bilinear, `fit: fill`) when given. */
  readonly size?: readonly [number, number];
}

/** A single-channel map decoded at its own resolution. */
export interface RawMap {
  readonly data: Uint8Array | Uint16Array;
  readonly height: number;
  readonly width: number;
}

async function ensureExists(path: string, what: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new Error(`${path}: ${what} not found`);
  }
}

function decodeError(path: string, error: unknown): Error {
  return new Error(`${path}: cannot decode image (${(error as Error).message}); expected a PNG or JPEG file`);
}

/** Decodes an RGB(A) or grey image to float32 [H, W, 3] in [0, 1]. */
export async function decodeImageRgb(path: string, options: DecodeImageOptions = {}): Promise<DenseArray> {
  await ensureExists(path, 'image');
  try {
    let pipeline = sharp(path).removeAlpha().toColourspace('srgb');
    if (options.crop) {
      const meta = await sharp(path).metadata();
      const width = meta.width ?? 0;
      const height = meta.height ?? 0;
      const left = Math.max(0, Math.min(width - 1, Math.round(options.crop.left)));
      const top = Math.max(0, Math.min(height - 1, Math.round(options.crop.top)));
      const box = {
        left,
        top,
        width: Math.max(1, Math.min(width - left, Math.round(options.crop.width))),
        height: Math.max(1, Math.min(height - top, Math.round(options.crop.height))),
      };
      pipeline = pipeline.extract(box);
    }
    if (options.size)
      pipeline = pipeline.resize(options.size[1], options.size[0], { fit: 'fill', kernel: 'linear' });
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded ${info.channels} channels instead of 3`);
    const pixels = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) pixels[i] = data[i]! / 255;
    return { data: pixels, shape: [info.height, info.width, 3] };
  } catch (error) {
    throw decodeError(path, error);
  }
}

/**
 * Decodes a single-channel PNG (label ids, 16-bit depth or disparity) to raw integers. `bitDepth` is what the file
 * must hold: a colour image, or an 8-bit file where 16 bits are expected, is an error naming the file.
 */
export async function decodeSingleChannel(path: string, bitDepth: 8 | 16): Promise<RawMap> {
  await ensureExists(path, 'map');
  let meta: sharp.Metadata;
  try {
    meta = await sharp(path).metadata();
  } catch (error) {
    throw decodeError(path, error);
  }
  const channels = meta.channels ?? 0;
  if (channels > 2 || (meta.space !== 'b-w' && meta.space !== 'grey16')) {
    throw new Error(
      `${path}: expected a single-channel (grey) ${bitDepth}-bit PNG, got ${channels} channels (${meta.space})`,
    );
  }
  const isSixteen = meta.depth === 'ushort';
  if (isSixteen !== (bitDepth === 16)) {
    throw new Error(`${path}: expected a ${bitDepth}-bit image, got ${isSixteen ? 16 : 8}-bit`);
  }
  try {
    if (bitDepth === 16) {
      const { data, info } = await sharp(path)
        .toColourspace('grey16')
        .raw({ depth: 'ushort' })
        .toBuffer({ resolveWithObject: true });
      const values = new Uint16Array(info.width * info.height);
      const view = new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
      for (let i = 0; i < values.length; i++) values[i] = view[i * info.channels]!;
      return { data: values, height: info.height, width: info.width };
    }
    const { data, info } = await sharp(path).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data), height: info.height, width: info.width };
  } catch (error) {
    throw decodeError(path, error);
  }
}

/** Nearest-neighbour resize of a row-major single-channel map (source index floor(dst·in/out)). */
export function resizeNearest<T extends Float32Array | Int32Array | Uint8Array | Uint16Array>(
  data: T,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
): T {
  if (height === outHeight && width === outWidth) return data;
  const out = new (data.constructor as new (length: number) => T)(outHeight * outWidth);
  for (let y = 0; y < outHeight; y++) {
    const sourceRow = Math.floor((y * height) / outHeight) * width;
    for (let x = 0; x < outWidth; x++)
      out[y * outWidth + x] = data[sourceRow + Math.floor((x * width) / outWidth)]!;
  }
  return out;
}
