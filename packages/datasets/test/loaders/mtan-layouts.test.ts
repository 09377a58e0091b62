import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabelMaskTable } from '@partial-mtl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../src/formats/npy.js';
import { createCityscapesMtanSource } from '../../src/loaders/cityscapes-mtan.js';
import { createNyuv2Source } from '../../src/loaders/nyuv2.js';
import { legacyTorchFile } from '../formats/pickle-bytes.js';

const root = mkdtempSync(join(tmpdir(), 'mtan-layout-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const size: [number, number] = [2, 3];

function write(path: string, array: Parameters<typeof writeNpy>[1]): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeNpy(path, array);
}

beforeAll(() => {
  // NYU-v2, 2 train samples of 2×3: sample 0 stored as float32/float32 labels, sample 1 as float64 image/int64 labels.
  const nyu = join(root, 'nyu', 'train');
  write(join(nyu, 'image', '0.npy'), { data: new Float32Array(18).fill(0.5), shape: [2, 3, 3] });
  write(join(nyu, 'image', '1.npy'), { data: new Float64Array(18).fill(0.25), shape: [2, 3, 3] });
  write(join(nyu, 'label', '0.npy'), { data: new Float32Array([-1, 0, 12, 3, 4, 5]), shape: [2, 3] });
  write(join(nyu, 'label', '1.npy'), { data: new BigInt64Array([1n, 1n, -1n, 2n, 2n, 12n]), shape: [2, 3] });
  write(join(nyu, 'depth', '0.npy'), { data: new Float32Array([0, 1, 2, 3, 4, 5]), shape: [2, 3, 1] });
  write(join(nyu, 'depth', '1.npy'), { data: new Float64Array([1.5, 0, 0, 0, 0, 0]), shape: [2, 3] });
  for (const i of [0, 1])
    write(join(nyu, 'normal', `${i}.npy`), { data: new Float32Array(18).fill(i), shape: [2, 3, 3] });
  // Cityscapes MTAN, one val sample, uint8 image.
  const city = join(root, 'city', 'val');
  write(join(city, 'image', '0.npy'), { data: new Uint8Array(18).fill(51), shape: [2, 3, 3] });
  write(join(city, 'label_7', '0.npy'), { data: new Int32Array([0, 6, -1, 1, 2, 3]), shape: [2, 3] });
  write(join(city, 'label', '0.npy'), { data: new Int32Array([0, 18, -1, 1, 2, 3]), shape: [2, 3] });
  write(join(city, 'depth', '0.npy'), {
    data: new Float32Array([0.01, 0, 0.02, 0.03, 0.04, 0.05]),
    shape: [2, 3, 1],
  });
});

describe('NYU-v2 MTAN layout', () => {
  it('reads float32, float64 and int64 arrays lazily with the expected shapes', async () => {
    const source = await createNyuv2Source({ root: join(root, 'nyu'), imageSize: size });
    expect(source.length).toBe(2);
    expect(source.tasks.map((task) => task.name)).toEqual(['semseg', 'depth', 'normal']);
    const first = await source.read(0);
    expect(first.image.shape).toEqual([2, 3, 3]);
    expect(Array.from(first.labels['semseg']!.data)).toEqual([-1, 0, 12, 3, 4, 5]);
    expect(first.labels['semseg']!.data).toBeInstanceOf(Int32Array);
    expect(first.labels['depth']!.shape).toEqual([2, 3, 1]);
    const second = await source.read(1);
    expect(second.image.data[0]).toBe(0.25);
    expect(Array.from(second.labels['semseg']!.data)).toEqual([1, 1, -1, 2, 2, 12]);
    expect(Array.from(second.labels['depth']!.data)).toEqual([1.5, 0, 0, 0, 0, 0]);
    expect(second.labels['depth']!.shape).toEqual([2, 3, 1]);
    await expect(source.read(2)).rejects.toThrow(/index 2 out of range 0\.\.1/);
  });

  it('omits the labels a label mask marks as missing, and reads only chosen tasks', async () => {
    const labelMask = LabelMaskTable.fromRows(
      ['semseg', 'depth', 'normal'],
      [
        [1, 0, 0],
        [0, 1, 1],
      ],
    );
    const source = await createNyuv2Source({ root: join(root, 'nyu'), imageSize: size, labelMask });
    expect(Object.keys((await source.read(0)).labels)).toEqual(['semseg']);
    expect(Object.keys((await source.read(1)).labels)).toEqual(['depth', 'normal']);
    const depthOnly = await createNyuv2Source({ root: join(root, 'nyu'), imageSize: size, tasks: ['depth'] });
    expect(depthOnly.tasks.map((task) => task.name)).toEqual(['depth']);
    expect(Object.keys((await depthOnly.read(0)).labels)).toEqual(['depth']);
    // lazy: the files of tasks a row does not label are never opened
    const lazyRoot = join(root, 'lazy', 'train');
    write(join(lazyRoot, 'image', '0.npy'), { data: new Float32Array(18), shape: [2, 3, 3] });
    write(join(lazyRoot, 'label', '0.npy'), { data: new Int32Array(6), shape: [2, 3] });
    write(join(lazyRoot, 'depth', '0.npy'), { data: new Float32Array(6), shape: [2, 3, 1] });
    mkdirSync(join(lazyRoot, 'normal'), { recursive: true });
    writeFileSync(join(lazyRoot, 'normal', '0.npy'), 'garbage');
    const lazy = await createNyuv2Source({
      root: join(root, 'lazy'),
      imageSize: size,
      labelMask: LabelMaskTable.fromRows(['semseg', 'depth', 'normal'], [[1, 1, 0]]),
    });
    expect(Object.keys((await lazy.read(0)).labels)).toEqual(['semseg', 'depth']);
    await expect(createNyuv2Source({ root: join(root, 'nyu'), tasks: ['edges'] })).rejects.toThrow(
      /unknown task 'edges' \(tasks: semseg, depth, normal\)/,
    );
  });

  it('rejects a split table whose rows differ from the data set, naming the table file', async () => {
    const table = join(root, 'three-rows.pth');
    writeFileSync(
      table,
      legacyTorchFile(
        'FloatStorage',
        3,
        3,
        new Uint8Array(new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1]).buffer),
      ),
    );
    await expect(
      createNyuv2Source({ root: join(root, 'nyu'), imageSize: size, labelMask: table }),
    ).rejects.toThrow(/three-rows\.pth: split table has 3 rows but NYU-v2 train .* has 2 samples/);
    const small = LabelMaskTable.fromRows(['semseg', 'depth', 'normal'], [[1, 1, 1]]);
    await expect(
      createNyuv2Source({ root: join(root, 'nyu'), imageSize: size, labelMask: small }),
    ).rejects.toThrow(/has 1 rows but the data set has 2 samples/);
  });

  it('names the file on a wrong shape, a bad class id, a missing or truncated file', async () => {
    const wrongSize = await createNyuv2Source({ root: join(root, 'nyu'), imageSize: [4, 4] });
    await expect(wrongSize.read(0)).rejects.toThrow(
      /image[/\\]0\.npy: expected an image of shape \(4, 4, 3\), got \(2, 3, 3\)/,
    );
    const broken = join(root, 'broken', 'train');
    write(join(broken, 'image', '0.npy'), { data: new Float32Array(18), shape: [2, 3, 3] });
    write(join(broken, 'label', '0.npy'), { data: new Int32Array([0, 0, 0, 0, 0, 13]), shape: [2, 3] });
    write(join(broken, 'depth', '0.npy'), { data: new Float32Array(6), shape: [3, 2] });
    write(join(broken, 'normal', '0.npy'), { data: new Float32Array(18), shape: [2, 3, 3] });
    const source = await createNyuv2Source({ root: join(root, 'broken'), imageSize: size });
    await expect(source.read(0)).rejects.toThrow(
      /label[/\\]0\.npy: semseg class id 13 at pixel 5 is outside -1\.\.12/,
    );
    const depth = await createNyuv2Source({ root: join(root, 'broken'), imageSize: size, tasks: ['depth'] });
    await expect(depth.read(0)).rejects.toThrow(
      /depth[/\\]0\.npy: expected depth of shape \(2, 3, 1\), got \(3, 2\)/,
    );
    writeFileSync(join(broken, 'normal', '0.npy'), new Uint8Array(90));
    const normal = await createNyuv2Source({
      root: join(root, 'broken'),
      imageSize: size,
      tasks: ['normal'],
    });
    await expect(normal.read(0)).rejects.toThrow(/normal[/\\]0\.npy: not a \.npy file/);
    unlinkSync(join(broken, 'normal', '0.npy'));
    await expect(createNyuv2Source({ root: join(root, 'broken'), imageSize: size })).rejects.toThrow(
      /no <i>\.npy files in .*normal/,
    );
    await expect(createNyuv2Source({ root: join(root, 'absent') })).rejects.toThrow(
      /NYU-v2 train: folder .*absent.*image not found/,
    );
  });
});

describe('Cityscapes MTAN layout', () => {
  it('reads label_7 by default and a configurable label folder, uint8 images scaled to [0,1]', async () => {
    const source = await createCityscapesMtanSource({
      root: join(root, 'city'),
      split: 'val',
      imageSize: size,
    });
    expect(source.tasks.map((task) => `${task.name}:${task.channels}`)).toEqual(['semseg:7', 'depth:1']);
    const sample = await source.read(0);
    expect(sample.image.data[0]).toBeCloseTo(0.2, 6);
    expect(Array.from(sample.labels['semseg']!.data)).toEqual([0, 6, -1, 1, 2, 3]);
    expect(sample.labels['depth']!.data[0]).toBeCloseTo(0.01, 6);
    await expect(
      (
        await createCityscapesMtanSource({
          root: join(root, 'city'),
          split: 'val',
          imageSize: size,
          labelFolder: 'label',
        })
      ).read(0),
    ).rejects.toThrow(/semseg class id 18 at pixel 1 is outside -1\.\.6/);
    const nineteen = await createCityscapesMtanSource({
      root: join(root, 'city'),
      split: 'val',
      imageSize: size,
      labelFolder: 'label',
      classes: 19,
    });
    expect(Array.from((await nineteen.read(0)).labels['semseg']!.data)).toEqual([0, 18, -1, 1, 2, 3]);
  });
});
