import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cityscapesCategoryOf,
  createCityscapesOfficialSource,
} from '../../src/loaders/cityscapes-official.js';
import { writeGrey16Png, writeGreyPng, writeRgbPng } from './png-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'cityscapes-official-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const stem = 'aachen_000000_000019';

beforeAll(async () => {
  const city = (folder: string, name: string): string => join(root, folder, 'train', 'aachen', name);
  await writeRgbPng(city('leftImg8bit', `${stem}_leftImg8bit.png`), 4, 2, new Array(24).fill(255));
  // labelIds 4×2: road(7) sky(23) car(26) void(0) / person(24) parking(9) traffic sign(20) license plate(-1 → 255)
  await writeGreyPng(city('gtFine', `${stem}_gtFine_labelIds.png`), 4, 2, [7, 23, 26, 0, 24, 9, 20, 255]);
  // disparity: 0 invalid, 1 → 0 px, 257 → 1 px, 513 → 2 px
  await writeGrey16Png(city('disparity', `${stem}_disparity.png`), 4, 2, [0, 1, 257, 513, 2049, 0, 0, 0]);
  // a second city with an undecodable image and no maps
  mkdirSync(join(root, 'leftImg8bit', 'train', 'bremen'), { recursive: true });
  writeFileSync(
    join(root, 'leftImg8bit', 'train', 'bremen', 'bremen_000000_000019_leftImg8bit.png'),
    'not a png',
  );
});

describe('Cityscapes official layout', () => {
  it('maps labelIds to 7 categories and to 19 trainIds, and converts disparity', async () => {
    const source = await createCityscapesOfficialSource({ root, size: [2, 4] });
    expect(source.stems).toEqual([`aachen/${stem}`, 'bremen/bremen_000000_000019']);
    const sample = await source.read(0);
    expect(sample.image.shape).toEqual([2, 4, 3]);
    expect(sample.image.data[0]).toBe(1);
    expect(Array.from(sample.labels['semseg']!.data)).toEqual([0, 4, 6, -1, 5, 0, 2, -1]);
    expect(Array.from(sample.labels['depth']!.data)).toEqual([0, 0, 1, 2, 8, 0, 0, 0]);
    expect(sample.labels['depth']!.shape).toEqual([2, 4, 1]);
    const nineteen = await createCityscapesOfficialSource({
      root,
      size: [2, 4],
      classes: 19,
      tasks: ['semseg'],
    });
    const labels = (await nineteen.read(0)).labels;
    expect(Array.from(labels['semseg']!.data)).toEqual([0, 10, 13, -1, 11, -1, 7, -1]);
    expect(labels['depth']).toBeUndefined();
  });

  it('resizes maps by nearest neighbour (floor(dst·in/out))', async () => {
    const source = await createCityscapesOfficialSource({ root, size: [1, 2], disparityScale: 0.5 });
    const sample = await source.read(0);
    expect(sample.image.shape).toEqual([1, 2, 3]);
    expect(Array.from(sample.labels['semseg']!.data)).toEqual([0, 6]);
    expect(Array.from(sample.labels['depth']!.data)).toEqual([0, 0.5]);
  });

  it('names the file of an image sharp cannot decode, and of a missing map', async () => {
    const source = await createCityscapesOfficialSource({ root, size: [2, 4] });
    await expect(source.read(1)).rejects.toThrow(
      /bremen_000000_000019_leftImg8bit\.png: cannot decode image \(.*\); expected a PNG or JPEG/,
    );
    const depthOnly = await createCityscapesOfficialSource({ root, size: [2, 4], tasks: ['depth'] });
    await expect(depthOnly.read(0)).resolves.toBeDefined();
    rmSync(join(root, 'disparity'), { recursive: true });
    await expect(depthOnly.read(0)).rejects.toThrow(/aachen_000000_000019_disparity\.png: map not found/);
  });

  it('rejects an 8-bit disparity and a colour label map', async () => {
    const other = mkdtempSync(join(tmpdir(), 'cityscapes-bad-'));
    try {
      const city = (folder: string, name: string): string => join(other, folder, 'val', 'x', name);
      await writeRgbPng(city('leftImg8bit', 'x_1_1_leftImg8bit.png'), 2, 1, new Array(6).fill(0));
      await writeRgbPng(city('gtFine', 'x_1_1_gtFine_labelIds.png'), 2, 1, [7, 7, 7, 8, 8, 8]);
      await writeGreyPng(city('disparity', 'x_1_1_disparity.png'), 2, 1, [3, 4]);
      const source = await createCityscapesOfficialSource({ root: other, split: 'val', size: [1, 2] });
      await expect(source.read(0)).rejects.toThrow(
        /x_1_1_gtFine_labelIds\.png: expected a single-channel \(grey\) 8-bit PNG, got 3 channels/,
      );
      const depth = await createCityscapesOfficialSource({
        root: other,
        split: 'val',
        size: [1, 2],
        tasks: ['depth'],
      });
      await expect(depth.read(0)).rejects.toThrow(/x_1_1_disparity\.png: expected a 16-bit image, got 8-bit/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    expect(cityscapesCategoryOf(5)).toBe(-1);
    expect(cityscapesCategoryOf(30)).toBe(6);
  });
});
