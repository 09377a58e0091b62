import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx, readIdx } from '../../src/formats/idx.js';

const folder = mkdtempSync(join(tmpdir(), 'idx-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('IDX', () => {
  it('reads a hand-written uint8 file byte for byte', () => {
    // magic 00 00 08 03, sizes 2, 1, 2 (big-endian), then 4 pixels
    const bytes = new Uint8Array([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 10, 20, 30, 255]);
    const array = parseIdx(bytes, 'hand.idx');
    expect(array.type).toBe('uint8');
    expect(array.shape).toEqual([2, 1, 2]);
    expect(Array.from(array.data)).toEqual([10, 20, 30, 255]);
  });

  it('round-trips big-endian int32/float64 and gzipped files', async () => {
    const ints = parseIdx(encodeIdx({ type: 'int32', shape: [3], data: new Int32Array([-1, 70000, 5]) }));
    expect(Array.from(ints.data)).toEqual([-1, 70000, 5]);
    const doubles = parseIdx(
      encodeIdx({ type: 'float64', shape: [1, 2], data: new Float64Array([0.5, -3]) }),
    );
    expect(Array.from(doubles.data)).toEqual([0.5, -3]);
    const path = join(folder, 'labels-idx1-ubyte.gz');
    writeFileSync(path, encodeIdx({ type: 'uint8', shape: [3], data: new Uint8Array([9, 0, 4]) }, true));
    expect(Array.from((await readIdx(path)).data)).toEqual([9, 0, 4]);
  });

  it('rejects wrong magic, truncated data, trailing bytes, truncated gzip and missing files', async () => {
    expect(() => parseIdx(new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0, 0]), 'npy.idx')).toThrow(
      /npy\.idx: not an IDX file \(magic 93 4e 55 4d/,
    );
    const good = encodeIdx({ type: 'uint8', shape: [2, 2], data: new Uint8Array([1, 2, 3, 4]) });
    expect(() => parseIdx(good.subarray(0, good.length - 1), 'short.idx')).toThrow(
      /short\.idx: truncated IDX data: shape \(2, 2\) of uint8 needs 4 bytes, the file holds 3/,
    );
    expect(() => parseIdx(good.subarray(0, 7), 'header.idx')).toThrow(/header\.idx: truncated IDX header/);
    const longer = new Uint8Array(good.length + 2);
    longer.set(good);
    expect(() => parseIdx(longer, 'long.idx')).toThrow(/long\.idx: IDX file has 2 bytes after the data/);
    const gz = encodeIdx({ type: 'uint8', shape: [100], data: new Uint8Array(100) }, true);
    expect(() => parseIdx(gz.subarray(0, gz.length - 6), 'cut.gz')).toThrow(
      /cut\.gz: cannot gunzip IDX file/,
    );
    await expect(readIdx(join(folder, 'absent-idx3-ubyte'))).rejects.toThrow(
      /absent-idx3-ubyte: IDX file not found/,
    );
  });
});
