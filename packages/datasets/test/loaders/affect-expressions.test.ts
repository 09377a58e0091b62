import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAffWild2Source } from '../../src/loaders/aff-wild2.js';
import { canonicalActionUnits, canonicalExpressions } from '../../src/loaders/affect-common.js';
import { createAffectNetSource } from '../../src/loaders/affectnet.js';
import { createRafDbSource } from '../../src/loaders/raf-db.js';
import { createUnionSource } from '../../src/loaders/union-source.js';
import { writeRgbPng } from './png-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'affect-expressions-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const redLeftBlueRight = Array.from({ length: 16 }, (_, p) => (p % 4 < 2 ? [255, 0, 0] : [0, 0, 255])).flat();
const write = (path: string, text: string): void => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
};

beforeAll(async () => {
  await writeRgbPng(join(root, 'affectnet', 'images', '689', 'a.png'), 4, 4, redLeftBlueRight);
  await writeRgbPng(join(root, 'affectnet', 'images', '689', 'b.png'), 4, 4, redLeftBlueRight);
  await writeRgbPng(
    join(root, 'raf', 'Image', 'aligned', 'train_00001_aligned.jpg'),
    4,
    4,
    redLeftBlueRight,
    'jpeg',
  );
  await writeRgbPng(
    join(root, 'raf', 'Image', 'aligned', 'test_0001_aligned.jpg'),
    4,
    4,
    redLeftBlueRight,
    'jpeg',
  );
  for (const frame of ['00001', '00002', '00004'])
    await writeRgbPng(
      join(root, 'aff', 'cropped_aligned', 'video1', `${frame}.jpg`),
      4,
      4,
      redLeftBlueRight,
      'jpeg',
    );
});

const affectNetHeader =
  'subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal';

describe('AffectNet CSV', () => {
  it('reads expressions and valence/arousal, crops faces, skips codes 7..10', async () => {
    const csv = join(root, 'affectnet', 'training.csv');
    write(
      csv,
      `${affectNetHeader}\n689/a.png,2,0,2,4,"1.0;2.0;3.0",6,0.5,-0.25\n689/b.png,,,,,"",7,0.1,0.1\n689/b.png,0,0,4,4,"",0,-2,-2\n`,
    );
    const source = await createAffectNetSource({
      imageRoot: join(root, 'affectnet', 'images'),
      annotationFile: csv,
      size: [2, 2],
      includeValenceArousal: true,
    });
    expect(source.length).toBe(2);
    expect(source.tasks.map((task) => task.name)).toEqual(['expression', 'valenceArousal']);
    const first = await source.read(0);
    expect(Array.from(first.image.data)).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
    expect(Array.from(first.labels['expression']!.data)).toEqual([6]);
    expect(canonicalExpressions[6]).toBe('anger');
    expect(Array.from(first.labels['valenceArousal']!.data)).toEqual([0.5, -0.25]);
    const second = await source.read(1);
    expect(Array.from(second.labels['expression']!.data)).toEqual([0]);
    expect(second.labels['valenceArousal']).toBeUndefined();
  });

  it('rejects paths escaping the image root, bad codes and missing columns', async () => {
    const bad = (name: string, text: string): string => {
      const path = join(root, 'affectnet', name);
      write(path, text);
      return path;
    };
    const imageRoot = join(root, 'affectnet', 'images');
    await expect(
      createAffectNetSource({
        imageRoot,
        annotationFile: bad('up.csv', `${affectNetHeader}\n../../secret.png,,,,,,1,0,0\n`),
      }),
    ).rejects.toThrow(
      /up\.csv: line 2: subDirectory_filePath '\.\.\/\.\.\/secret\.png' contains '\.\.'; expected a path inside/,
    );
    await expect(
      createAffectNetSource({
        imageRoot,
        annotationFile: bad('abs.csv', `${affectNetHeader}\n/etc/passwd,,,,,,1,0,0\n`),
      }),
    ).rejects.toThrow(/abs\.csv: line 2: subDirectory_filePath '\/etc\/passwd' is an absolute path/);
    await expect(
      createAffectNetSource({
        imageRoot,
        annotationFile: bad('code.csv', `${affectNetHeader}\n689/a.png,,,,,,12,0,0\n`),
      }),
    ).rejects.toThrow(/code\.csv: line 2: expression 12 is outside 0\.\.10/);
    await expect(
      createAffectNetSource({ imageRoot, annotationFile: bad('cols.csv', 'file,label\na.png,1\n') }),
    ).rejects.toThrow(/cols\.csv: missing column 'subDirectory_filePath'/);
    await expect(
      createAffectNetSource({ imageRoot, annotationFile: join(root, 'none.csv') }),
    ).rejects.toThrow(/none\.csv: AffectNet annotation CSV not found/);
  });
});

describe('RAF-DB basic partition list', () => {
  it('maps RAF-DB codes to the canonical order and filters the split', async () => {
    write(join(root, 'raf', 'EmoLabel', 'list_patition_label.txt'), 'train_00001.jpg 4\ntest_0001.jpg 7\n');
    const train = await createRafDbSource({ root: join(root, 'raf'), size: [2, 2] });
    expect(train.length).toBe(1);
    expect(Array.from((await train.read(0)).labels['expression']!.data)).toEqual([
      canonicalExpressions.indexOf('happiness'),
    ]);
    const test = await createRafDbSource({ root: join(root, 'raf'), split: 'test', size: [2, 2] });
    expect(Array.from((await test.read(0)).labels['expression']!.data)).toEqual([0]);
  });

  it('rejects escaping names, bad codes and missing images with the file named', async () => {
    write(join(root, 'raf2', 'EmoLabel', 'list_patition_label.txt'), 'train_../../../x.jpg 1\n');
    await expect(createRafDbSource({ root: join(root, 'raf2'), aligned: false })).rejects.toThrow(
      /line 1: image name .* contains '\.\.'/,
    );
    write(join(root, 'raf3', 'EmoLabel', 'list_patition_label.txt'), 'train_1.jpg 8\n');
    await expect(createRafDbSource({ root: join(root, 'raf3') })).rejects.toThrow(
      /list_patition_label\.txt: line 1: label 8 is outside 1\.\.7/,
    );
    write(join(root, 'raf4', 'EmoLabel', 'list_patition_label.txt'), 'train_1.jpg 1\n');
    const missing = await createRafDbSource({ root: join(root, 'raf4') });
    await expect(missing.read(0)).rejects.toThrow(/train_1_aligned\.jpg: image not found/);
  });
});

describe('Aff-Wild2 annotation files', () => {
  it('reads expressions and AUs per frame, skips unannotated frames and frames without images', async () => {
    write(
      join(root, 'aff', 'Annotations', 'EXPR_Set', 'Train_Set', 'video1.txt'),
      'Neutral,Anger,Disgust,Fear,Happiness,Sadness,Surprise,Other\n1\n-1\n4\n7\n',
    );
    write(
      join(root, 'aff', 'Annotations', 'AU_Set', 'Train_Set', 'video1.txt'),
      'AU1,AU2,AU4,AU6,AU7,AU10,AU12,AU15,AU23,AU24,AU25,AU26\n1,0,0,0,0,0,1,0,0,0,0,0\n-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1\n-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1\n0,0,0,0,0,0,0,0,0,0,0,1\n',
    );
    const source = await createAffWild2Source({ root: join(root, 'aff'), size: [2, 2] });
    // frame 1: anger + AUs; frame 2: nothing (skipped); frame 3: happiness but no image (skipped); frame 4: other + AUs
    expect(source.length).toBe(2);
    const first = await source.read(0);
    expect(Array.from(first.labels['expression']!.data)).toEqual([canonicalExpressions.indexOf('anger')]);
    const units = Array.from(first.labels['actionUnits']!.data);
    expect(units.length).toBe(canonicalActionUnits.length);
    expect(units[canonicalActionUnits.indexOf(1)]).toBe(1);
    expect(units[canonicalActionUnits.indexOf(12)]).toBe(1);
    expect(units[canonicalActionUnits.indexOf(2)]).toBe(0);
    expect(units[canonicalActionUnits.indexOf(5)]).toBe(-1); // Aff-Wild2 does not annotate AU5
    const fourth = await source.read(1);
    expect(fourth.labels['expression']).toBeUndefined();
    expect(fourth.labels['actionUnits']!.data[canonicalActionUnits.indexOf(26)]).toBe(1);
    const all = await createAffWild2Source({
      root: join(root, 'aff'),
      size: [2, 2],
      skipMissingImages: false,
    });
    expect(all.length).toBe(3);
  });

  it('rejects a wrong header and wrong field counts', async () => {
    write(join(root, 'aff2', 'Annotations', 'EXPR_Set', 'Train_Set', 'v.txt'), 'Happy,Sad\n1\n');
    await expect(createAffWild2Source({ root: join(root, 'aff2'), actionUnitFolder: null })).rejects.toThrow(
      /v\.txt: line 1: expected the header 'Neutral,Anger/,
    );
    write(join(root, 'aff3', 'Annotations', 'AU_Set', 'Train_Set', 'v.txt'), 'AU1,AU2\n1\n');
    await expect(createAffWild2Source({ root: join(root, 'aff3'), expressionFolder: null })).rejects.toThrow(
      /v\.txt: line 2 has 1 fields, expected 2/,
    );
  });
});

describe('union of sources with disjoint labels', () => {
  it('concatenates AffectNet (expressions) and Aff-Wild2 AUs, each sample keeping its own labels', async () => {
    const affectNet = await createAffectNetSource({
      imageRoot: join(root, 'affectnet', 'images'),
      annotationFile: join(root, 'affectnet', 'training.csv'),
      size: [2, 2],
    });
    const units = await createAffWild2Source({
      root: join(root, 'aff'),
      size: [2, 2],
      expressionFolder: null,
    });
    const union = createUnionSource([affectNet, units]);
    expect(union.length).toBe(4);
    expect(union.tasks.map((task) => task.name)).toEqual(['expression', 'actionUnits']);
    expect(union.locate(3)).toEqual({ source: 1, index: 1 });
    const last = await union.read(3);
    expect(last.index).toBe(3);
    expect(Object.keys(last.labels)).toEqual(['actionUnits']);
    expect(Object.keys((await union.read(0)).labels)).toEqual(['expression']);
    expect(Array.from(union.declaredLabelMask().flags)).toEqual([1, 0, 1, 0, 0, 1, 0, 1]);
    await expect(union.read(4)).rejects.toThrow(/index 4 out of range 0\.\.3/);
    const clash = { ...units, tasks: [{ ...units.tasks[0]!, name: 'expression' }] };
    expect(() => createUnionSource([affectNet, clash])).toThrow(
      /task 'expression' of source 1 is multilabel×18 but an earlier source has multiclass×7/,
    );
  });
});
