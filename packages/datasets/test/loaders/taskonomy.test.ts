import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabelMaskTable } from '@partial-mtl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskonomySource } from '../../src/loaders/taskonomy.js';
import { writeGrey16Png, writeGreyPng, writeRgbPng } from './png-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'taskonomy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const id = 'point_0_view_1';
const file = (domain: string, building = 'allensville'): string =>
  join(root, domain, building, `${id}_domain_${domain}.png`);

beforeAll(async () => {
  await writeRgbPng(file('rgb'), 2, 1, [255, 0, 0, 0, 0, 255]);
  await writeRgbPng(
    join(root, 'rgb', 'beechwood', 'point_3_view_0_domain_rgb.png'),
    2,
    1,
    [0, 0, 0, 0, 0, 0],
  );
  await writeGrey16Png(file('depth_zbuffer'), 2, 1, [1024, 65535]);
  await writeRgbPng(file('normal'), 2, 1, [255, 0, 127, 0, 255, 255]);
  await writeGreyPng(file('segment_semantic'), 2, 1, [17, 18]);
  await writeGrey16Png(file('edge_texture'), 2, 1, [65535, 0]);
  await writeGreyPng(file('reshading'), 2, 1, [255, 51]);
  await writeRgbPng(file('principal_curvature'), 2, 1, [127, 254, 0, 0, 127, 0]);
});

describe('Taskonomy', () => {
  it('reads any subset of domains with the documented encodings', async () => {
    const tasks = [
      'depth_zbuffer',
      'normal',
      'segment_semantic',
      'edge_texture',
      'reshading',
      'principal_curvature',
    ];
    const source = await createTaskonomySource({ root, tasks });
    expect(source.ids).toEqual([`allensville/${id}`, 'beechwood/point_3_view_0']);
    expect(source.tasks.map((task) => task.name)).toEqual(tasks);
    const sample = await source.read(0);
    expect(sample.image.shape).toEqual([1, 2, 3]);
    expect(Array.from(sample.image.data)).toEqual([1, 0, 0, 0, 0, 1]);
    expect(Array.from(sample.labels['depth_zbuffer']!.data)).toEqual([2, 0]);
    expect(Array.from(sample.labels['normal']!.data).map((v) => Number(v.toFixed(4)))).toEqual([
      1, -1, -0.0039, -1, 1, 1,
    ]);
    expect(Array.from(sample.labels['segment_semantic']!.data)).toEqual([17, -1]);
    expect(Array.from(sample.labels['edge_texture']!.data)).toEqual([1, 0]);
    expect(Array.from(sample.labels['reshading']!.data)).toEqual([1, 0.2].map(Math.fround));
    expect(Array.from(sample.labels['principal_curvature']!.data)).toEqual([0, 1, -1, 0]);
  });

  it('resizes, honours a label mask and reports missing domain files and unknown domains', async () => {
    const labelMask = LabelMaskTable.fromRows(
      ['depth_zbuffer', 'reshading'],
      [
        [0, 1],
        [1, 0],
      ],
    );
    const source = await createTaskonomySource({
      root,
      tasks: ['depth_zbuffer', 'reshading'],
      size: [2, 4],
      labelMask,
    });
    const first = await source.read(0);
    expect(first.image.shape).toEqual([2, 4, 3]);
    expect(Object.keys(first.labels)).toEqual(['reshading']);
    expect(first.labels['reshading']!.shape).toEqual([2, 4, 1]);
    expect(Array.from(first.labels['reshading']!.data)).toEqual(
      [1, 1, 0.2, 0.2, 1, 1, 0.2, 0.2].map(Math.fround),
    );
    await expect(source.read(1)).rejects.toThrow(
      /beechwood[/\\]point_3_view_0_domain_depth_zbuffer\.png: map not found/,
    );
    const renamed = await createTaskonomySource({
      root,
      tasks: ['depth_euclidean'],
      folders: { depth_euclidean: 'depth_zbuffer' },
      fileDomains: { depth_euclidean: 'depth_zbuffer' },
    });
    expect(Array.from((await renamed.read(0)).labels['depth_euclidean']!.data)).toEqual([2, 0]);
    await expect(createTaskonomySource({ root, tasks: ['mist'] })).rejects.toThrow(
      /unknown domain 'mist' \(domains: depth_euclidean/,
    );
    await expect(
      createTaskonomySource({ root, tasks: ['normal'], folders: { rgb: 'images' } }),
    ).rejects.toThrow(/folder .*images not found/);
  });
});
