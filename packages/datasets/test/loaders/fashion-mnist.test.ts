import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '../../src/formats/idx.js';
import { fashionMnistDefaults, loadFashionMnist } from '../../src/loaders/fashion-mnist.js';

const folder = mkdtempSync(join(tmpdir(), 'fashion-mnist-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function writeSplit(target: string, stem: string, images: number[], labels: number[], gzip: boolean): void {
  mkdirSync(target, { recursive: true });
  const suffix = gzip ? '.gz' : '';
  writeFileSync(
    join(target, `${stem}-images-idx3-ubyte${suffix}`),
    encodeIdx({ type: 'uint8', shape: [labels.length, 2, 2], data: new Uint8Array(images) }, gzip),
  );
  writeFileSync(
    join(target, `${stem}-labels-idx1-ubyte${suffix}`),
    encodeIdx({ type: 'uint8', shape: [labels.length], data: new Uint8Array(labels) }, gzip),
  );
}

describe('loadFashionMnist', () => {
  it('reads small gzipped and plain IDX files as samples', async () => {
    writeSplit(join(folder, 'small'), 'train', [0, 51, 102, 255, 255, 255, 0, 0], [9, 3], true);
    writeSplit(join(folder, 'small'), 't10k', [255, 0, 0, 0], [1], false);
    const train = await loadFashionMnist({ folder: join(folder, 'small') });
    expect(train.length).toBe(2);
    expect(train.tasks[0]).toMatchObject({ name: 'class', kind: 'multiclass', channels: 10 });
    const sample = await train.read(0);
    expect(sample.image.shape).toEqual([2, 2, 3]);
    expect(Array.from(sample.image.data.slice(0, 6))).toEqual(
      Array.from(new Float32Array([0, 0, 0, 0.2, 0.2, 0.2])),
    );
    expect(Array.from(sample.labels['class']!.data)).toEqual([9]);
    const test = await loadFashionMnist({
      folder: join(folder, 'small'),
      split: 'test',
      channels: 1,
      taskName: 'item',
    });
    const one = await test.read(0);
    expect(one.image.shape).toEqual([2, 2, 1]);
    expect(Array.from(one.labels['item']!.data)).toEqual([1]);
    await expect(test.read(1)).rejects.toThrow(/index 1 out of range 0\.\.0/);
  });

  it('rejects mismatched counts, bad class ids and missing files with clear messages', async () => {
    const target = join(folder, 'mismatch');
    mkdirSync(target);
    writeFileSync(
      join(target, 'train-labels-idx1-ubyte'),
      encodeIdx({ type: 'uint8', shape: [1], data: new Uint8Array([1]) }),
    );
    writeFileSync(
      join(target, 'train-images-idx3-ubyte'),
      encodeIdx({ type: 'uint8', shape: [2, 2, 2], data: new Uint8Array(8) }),
    );
    await expect(loadFashionMnist({ folder: target })).rejects.toThrow(
      /train-labels-idx1-ubyte: holds 1 labels but .*holds 2 images/,
    );
    writeSplit(join(folder, 'badlabel'), 'train', [0, 0, 0, 0], [12], false);
    await expect(loadFashionMnist({ folder: join(folder, 'badlabel') })).rejects.toThrow(
      /label 0 is 12, expected a class id 0\.\.9/,
    );
    await expect(loadFashionMnist({ folder: join(folder, 'nothing') })).rejects.toThrow(
      /not found .*apt-get install dataset-fashion-mnist/,
    );
  });

  it('reads the real Debian files (60 000 train, 10 000 test)', async () => {
    const real = fashionMnistDefaults.folder;
    if (!existsSync(real)) {
      throw new Error(
        `${real} is missing: install the Debian package with 'apt-get install -y dataset-fashion-mnist'`,
      );
    }
    const [train, test] = await Promise.all([loadFashionMnist(), loadFashionMnist({ split: 'test' })]);
    expect([train.length, train.imageHeight, train.imageWidth]).toEqual([60000, 28, 28]);
    expect(test.length).toBe(10000);
    const counts = new Array<number>(10).fill(0);
    for (const label of test.labels) counts[label]! += 1;
    expect(counts).toEqual(new Array(10).fill(1000));
    const sample = await train.read(59999);
    expect(sample.image.shape).toEqual([28, 28, 3]);
  });
});
