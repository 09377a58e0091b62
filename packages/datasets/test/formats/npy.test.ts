import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeNpy,
  npyToFloat32,
  npyToInt32,
  parseNpy,
  readNpy,
  readNpyHeader,
  writeNpy,
} from '../../src/formats/npy.js';

const folder = mkdtempSync(join(tmpdir(), 'npy-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A .npy file written byte by byte as numpy does, with a given header text and version. */
function handmade(header: string, data: Uint8Array, version = 1): Uint8Array {
  const preamble = version === 1 ? 10 : 12;
  const padded = header + ' '.repeat((64 - ((preamble + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(preamble + padded.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, padded.length, true);
  else view.setUint32(8, padded.length, true);
  out.set(new TextEncoder().encode(padded), preamble);
  out.set(data, preamble + padded.length);
  return out;
}

describe('npy', () => {
  it('reads a v1 float32 array written as numpy writes it', () => {
    const values = new Float32Array([0, 0.5, 1, -2, 3.25, 6]);
    const bytes = handmade(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
      new Uint8Array(values.buffer),
    );
    const array = parseNpy(bytes, 'a.npy');
    expect(array.dtype).toBe('<f4');
    expect(array.shape).toEqual([2, 3]);
    expect(Array.from(array.data as Float32Array)).toEqual([0, 0.5, 1, -2, 3.25, 6]);
  });

  it('reads v2 and v3 headers, float64 and int64 arrays, 0-d and 1-d shapes', () => {
    const doubles = new Float64Array([1.5, -0.25]);
    const v2 = parseNpy(
      handmade(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
        new Uint8Array(doubles.buffer),
        2,
      ),
    );
    expect(Array.from(npyToFloat32(v2))).toEqual([1.5, -0.25]);
    const longs = new BigInt64Array([-1n, 12n, 3n]);
    const v3 = parseNpy(
      handmade("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(longs.buffer), 3),
    );
    expect(Array.from(npyToInt32(v3, 'x'))).toEqual([-1, 12, 3]);
    const scalar = parseNpy(
      handmade(
        "{'descr': '<i4', 'fortran_order': False, 'shape': (), }",
        new Uint8Array(new Int32Array([7]).buffer),
      ),
    );
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data as Int32Array)).toEqual([7]);
  });

  it('round-trips every dtype through writeNpy/readNpy', async () => {
    const cases = [
      new Float32Array([1, 2]),
      new Float64Array([1, 2]),
      new BigInt64Array([1n, -2n]),
      new Int32Array([1, -2]),
      new Int16Array([1, -2]),
      new Uint16Array([1, 65535]),
      new Uint8Array([1, 255]),
    ];
    for (const [i, data] of cases.entries()) {
      const path = join(folder, `round-${i}.npy`);
      writeNpy(path, { data, shape: [2, 1] });
      const array = await readNpy(path);
      expect(array.shape).toEqual([2, 1]);
      expect(Array.from(array.data as ArrayLike<number | bigint>)).toEqual(
        Array.from(data as ArrayLike<number | bigint>),
      );
    }
    const booleans = join(folder, 'bool.npy');
    writeNpy(booleans, { data: new Uint8Array([1, 0, 1]), shape: [3], dtype: '|b1' });
    expect((await readNpyHeader(booleans)).dtype).toBe('|b1');
    expect(Array.from((await readNpy(booleans)).data as Uint8Array)).toEqual([1, 0, 1]);
  });

  it('casts float labels to int32 like torch .long() and rejects NaN', () => {
    const labels = { dtype: '<f4' as const, shape: [3], data: new Float32Array([-1, 12, 2.9]) };
    expect(Array.from(npyToInt32(labels, 'label.npy'))).toEqual([-1, 12, 2]);
    expect(() => npyToInt32({ ...labels, data: new Float32Array([Number.NaN]) }, 'label.npy')).toThrow(
      /label\.npy.*not a finite int32/,
    );
  });

  it('rejects truncated data naming the file and the expected size', async () => {
    const path = join(folder, 'truncated.npy');
    const bytes = encodeNpy({ data: new Float32Array(6), shape: [2, 3] });
    writeFileSync(path, bytes.subarray(0, bytes.length - 4));
    await expect(readNpy(path)).rejects.toThrow(
      /truncated\.npy: truncated \.npy data: shape \(2, 3\) of <f4 needs 24 bytes, the file holds 20/,
    );
    expect(() => parseNpy(bytes.subarray(0, 40), 'cut.npy')).toThrow(/cut\.npy: truncated \.npy header/);
  });

  it('rejects bad magic, Fortran order, unsupported dtypes, big-endian and object arrays', () => {
    expect(() => parseNpy(new TextEncoder().encode('PK\x03\x04 not numpy at all'), 'z.npy')).toThrow(
      /z\.npy: not a \.npy file \(bad magic/,
    );
    expect(() =>
      parseNpy(
        handmade("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", new Uint8Array(4)),
        'f.npy',
      ),
    ).toThrow(/f\.npy: .*Fortran order/);
    expect(() =>
      parseNpy(
        handmade("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)),
        'c.npy',
      ),
    ).toThrow(/c\.npy: unsupported \.npy dtype '<c8'/);
    expect(() =>
      parseNpy(
        handmade("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)),
        'b.npy',
      ),
    ).toThrow(/unsupported \.npy dtype '>f4'/);
    expect(() =>
      parseNpy(
        handmade("{'descr': '|O', 'fortran_order': False, 'shape': (), }", new Uint8Array(4)),
        'o.npy',
      ),
    ).toThrow(/unsupported \.npy dtype '\|O'/);
    expect(() =>
      parseNpy(
        handmade("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4), 9),
        'v.npy',
      ),
    ).toThrow(/unsupported \.npy version 9/);
  });

  it('rejects oversized headers and shapes before allocating', async () => {
    const huge = handmade(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100), }",
      new Uint8Array(0),
    );
    expect(() => parseNpy(huge, 'huge.npy')).toThrow(
      /huge\.npy: \.npy shape \(100000, 100000, 100\) exceeds the limit/,
    );
    const bytes = new Uint8Array(16);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0xff, 0xff, 0xff, 0x7f]);
    const path = join(folder, 'big-header.npy');
    writeFileSync(path, bytes);
    await expect(readNpy(path)).rejects.toThrow(
      /big-header\.npy: \.npy header of 2147483647 bytes exceeds the limit of 10000/,
    );
  });

  it('names a missing file', async () => {
    await expect(readNpy(join(folder, 'absent.npy'))).rejects.toThrow(/absent\.npy: \.npy file not found/);
  });
});
