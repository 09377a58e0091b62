// Test helper: tiny PNG/JPEG files written with sharp.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';

export async function writeRgbPng(
  path: string,
  width: number,
  height: number,
  pixels: number[] | Uint8Array,
  format: 'png' | 'jpeg' = 'png',
): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const pipeline = sharp(new Uint8Array(pixels), { raw: { width, height, channels: 3 } });
  await (format === 'png' ? pipeline.png() : pipeline.jpeg({ quality: 100 })).toFile(path);
}

export async function writeGreyPng(
  path: string,
  width: number,
  height: number,
  values: number[],
): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await sharp(new Uint8Array(values), { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toFile(path);
}

export async function writeGrey16Png(
  path: string,
  width: number,
  height: number,
  values: number[],
): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await sharp(new Uint16Array(values), { raw: { width, height, channels: 1 } })
    .toColourspace('grey16')
    .png()
    .toFile(path);
}
