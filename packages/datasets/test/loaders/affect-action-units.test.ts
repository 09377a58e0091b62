import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalActionUnits } from '../../src/loaders/affect-common.js';
import { createBp4dSource } from '../../src/loaders/bp4d.js';
import { createDisfaSource } from '../../src/loaders/disfa.js';
import { createEmotioNetSource } from '../../src/loaders/emotionet.js';
import { createRafAuSource } from '../../src/loaders/raf-au.js';
import { writeRgbPng } from './png-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'affect-units-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const write = (path: string, text: string): void => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
};
const grey = new Array(12).fill(128);
/** Label vector as { AU: value } for the AUs that are not −1. */
function annotated(data: ArrayLike<number>): Record<number, number> {
  const out: Record<number, number> = {};
  canonicalActionUnits.forEach((au, k) => {
    if (data[k] !== -1) out[au] = data[k]!;
  });
  return out;
}

beforeAll(async () => {
  await writeRgbPng(join(root, 'raf-au', '0001.jpg'), 2, 2, grey, 'jpeg');
  await writeRgbPng(join(root, 'disfa', 'Images', 'SN001', '1.png'), 2, 2, grey);
  await writeRgbPng(join(root, 'bp4d', '2DFaces', 'F001', 'T1', '0010.jpg'), 2, 2, grey, 'jpeg');
  await writeRgbPng(join(root, 'emotionet', 'images', 'x.jpg'), 2, 2, grey, 'jpeg');
});

describe('RAF-AU', () => {
  it('reads AU combinations with side prefixes and null, every listed AU annotated', async () => {
    write(join(root, 'raf-au', 'RAFAU_label.txt'), '0001.jpg 1+L2+R12+44\n0002.jpg null\n');
    const source = await createRafAuSource({
      annotationFile: join(root, 'raf-au', 'RAFAU_label.txt'),
      size: [2, 2],
    });
    const sample = await source.read(0);
    const values = annotated(sample.labels['actionUnits']!.data);
    expect(Object.keys(values).length).toBe(canonicalActionUnits.length);
    expect([values[1], values[2], values[12], values[4]]).toEqual([1, 1, 1, 0]);
    expect(Array.from(source.entries[1]!.actionUnits!).every((value) => value === 0)).toBe(true);
    write(join(root, 'raf-au', 'bad.txt'), '0001.jpg 1+X\n');
    await expect(createRafAuSource({ annotationFile: join(root, 'raf-au', 'bad.txt') })).rejects.toThrow(
      /bad\.txt: line 1: AU 'X' is not a number/,
    );
  });
});

describe('DISFA', () => {
  it('binarises per-AU intensity files at ≥ 2 and marks non-DISFA AUs −1', async () => {
    const folder = join(root, 'disfa', 'ActionUnit_Labels', 'SN001');
    for (const au of [1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26]) {
      write(
        join(folder, `SN001_au${au}.txt`),
        au === 12 ? '1,3\n2,1\n' : au === 25 ? '1,2\n2,5\n' : '1,0\n2,1\n',
      );
    }
    const source = await createDisfaSource({ root: join(root, 'disfa'), size: [2, 2] });
    expect(source.length).toBe(2);
    const first = await source.read(0);
    expect(annotated(first.labels['actionUnits']!.data)).toEqual({
      1: 0,
      2: 0,
      4: 0,
      5: 0,
      6: 0,
      9: 0,
      12: 1,
      15: 0,
      17: 0,
      20: 0,
      25: 1,
      26: 0,
    });
    const strict = await createDisfaSource({ root: join(root, 'disfa'), threshold: 3 });
    expect(annotated(strict.entries[0]!.actionUnits!)[25]).toBe(0);
    await expect(source.read(1)).rejects.toThrow(/Images[/\\]SN001[/\\]2\.png: image not found/);
  });

  it('names a missing AU file and a bad intensity', async () => {
    write(join(root, 'disfa2', 'ActionUnit_Labels', 'SN002', 'SN002_au1.txt'), '1,0\n');
    await expect(createDisfaSource({ root: join(root, 'disfa2') })).rejects.toThrow(
      /SN002_au2\.txt: DISFA AU intensity file not found/,
    );
    write(join(root, 'disfa3', 'ActionUnit_Labels', 'SN003', 'SN003_au1.txt'), '1,7\n');
    await expect(createDisfaSource({ root: join(root, 'disfa3'), actionUnits: [1] })).rejects.toThrow(
      /SN003_au1\.txt: line 1: intensity 7 is outside 0\.\.5/,
    );
    await expect(
      createDisfaSource({
        root: join(root, 'disfa2'),
        frameTemplate: '../{subject}/{frame}.png',
        actionUnits: [1],
      }),
    ).rejects.toThrow(/contains '\.\.'/);
  });
});

describe('BP4D (FERA 2015 occurrence CSV)', () => {
  it('reads 0/1 and maps 9 to unknown', async () => {
    const header = `Frame,${Array.from({ length: 27 }, (_, i) => i + 1).join(',')}`;
    const row = (frame: number, on: number[], unknown: number[]): string =>
      `${frame},${Array.from({ length: 27 }, (_, i) => (unknown.includes(i + 1) ? 9 : on.includes(i + 1) ? 1 : 0)).join(',')}`;
    write(join(root, 'bp4d', 'AUCoding', 'AU_OCC', 'F001_T1.csv'), `${header}\n${row(10, [6, 12], [24])}\n`);
    const source = await createBp4dSource({ root: join(root, 'bp4d'), frameDigits: 4, size: [2, 2] });
    const sample = await source.read(0);
    expect(annotated(sample.labels['actionUnits']!.data)).toEqual({
      1: 0,
      2: 0,
      4: 0,
      6: 1,
      7: 0,
      10: 0,
      12: 1,
      14: 0,
      15: 0,
      17: 0,
      23: 0,
    });
    write(join(root, 'bp4d2', 'AUCoding', 'AU_OCC', 'F002_T1.csv'), 'Frame,1,2\n1,0,0\n');
    await expect(createBp4dSource({ root: join(root, 'bp4d2') })).rejects.toThrow(
      /F002_T1\.csv: missing column for AU 4/,
    );
    write(join(root, 'bp4d3', 'AUCoding', 'AU_OCC', 'F003_T1.csv'), 'Frame,1\n1,5\n');
    await expect(createBp4dSource({ root: join(root, 'bp4d3'), annotatedActionUnits: [1] })).rejects.toThrow(
      /F003_T1\.csv: line 2: AU 1 is 5, expected 0, 1 or 9/,
    );
  });
});

describe('EmotioNet', () => {
  it('reads 1/0 and treats 999 and -1 as unknown', async () => {
    write(join(root, 'emotionet', 'labels.csv'), 'image,AU1,AU 2,4,AU43,AU99\nx.jpg,1,999,0,-1,1\n');
    const source = await createEmotioNetSource({
      annotationFile: join(root, 'emotionet', 'labels.csv'),
      imageRoot: join(root, 'emotionet', 'images'),
      size: [2, 2],
    });
    const sample = await source.read(0);
    expect(annotated(sample.labels['actionUnits']!.data)).toEqual({ 1: 1, 4: 0 });
    expect(sample.image.shape).toEqual([2, 2, 3]);
  });

  it('rejects URLs, escaping paths and unknown codes', async () => {
    const imageRoot = join(root, 'emotionet', 'images');
    write(join(root, 'emotionet', 'url.csv'), 'image,AU1\nhttp://example.com/a.jpg,1\n');
    await expect(
      createEmotioNetSource({ annotationFile: join(root, 'emotionet', 'url.csv'), imageRoot }),
    ).rejects.toThrow(/url\.csv: line 2: image .* is a URL/);
    write(join(root, 'emotionet', 'up.csv'), 'image,AU1\n../x.jpg,1\n');
    await expect(
      createEmotioNetSource({ annotationFile: join(root, 'emotionet', 'up.csv'), imageRoot }),
    ).rejects.toThrow(/up\.csv: line 2: image '\.\.\/x\.jpg' contains '\.\.'/);
    write(join(root, 'emotionet', 'code.csv'), 'image,AU1\nx.jpg,2\n');
    await expect(
      createEmotioNetSource({ annotationFile: join(root, 'emotionet', 'code.csv'), imageRoot }),
    ).rejects.toThrow(/code\.csv: line 2: AU1 is 2, expected 1, 0, 999 or -1/);
  });
});
