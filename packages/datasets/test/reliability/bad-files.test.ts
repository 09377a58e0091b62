// Bad data files, end to end: truncated or corrupt .npy, IDX, PNG and JPEG files, wrong dtypes and shapes, NaN/Inf
// and out-of-range labels read from disk, and split tables that do not fit the data set. Every case must end in an
// Error that names the file (or sample) and what was expected — never a TypeError/RangeError from deep inside,
// never a silently wrong array. A seeded fuzzer flips, cuts and splices bytes of valid files for the same check.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabelMaskTable, nyuv2Tasks, RandomSource } from '@partial-mtl/core';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx, readIdx } from '../../src/formats/idx.js';
import { encodeNpy, parseNpy, readNpy, writeNpy } from '../../src/formats/npy.js';
import { decodeImageRgb, decodeSingleChannel } from '../../src/loaders/image-decoding.js';
import { resolveLabelMask } from '../../src/loaders/loader-support.js';
import { createNyuv2Source } from '../../src/loaders/nyuv2.js';
import { loadSplitTable } from '../../src/splits/load-split-table.js';
import { validateSample } from '../../src/validation/validate-sample.js';
import { writeGreyPng, writeRgbPng } from '../loaders/png-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'bad-files-'));
const counts = { badInputs: 0, fuzzCases: 0 };

afterAll(() => {
  console.log(`datasets bad files: ${counts.badInputs} bad inputs tried, ${counts.fuzzCases} fuzz cases run`);
});

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Expects `action` to fail with a plain Error whose message names `file` and matches `expectation`. */
async function expectClearError(action: () => unknown, file: string, expectation: RegExp): Promise<void> {
  counts.badInputs += 1;
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(caught, `no error for ${file}`).toBeInstanceOf(Error);
  expect((caught as Error).constructor).toBe(Error);
  expect((caught as Error).message).toMatch(new RegExp(escaped(file)));
  expect((caught as Error).message).toMatch(expectation);
}

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(root, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

describe('.npy files', () => {
  const valid = encodeNpy({ data: Float32Array.from({ length: 24 }, (_, i) => i / 10), shape: [2, 3, 4] });
  const header = (descr: string, shape: string, fortran = 'False') => {
    const text =
      `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`.padEnd(118, ' ') + '\n';
    const bytes = new Uint8Array(10 + text.length + 64);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 255, text.length >> 8]);
    bytes.set(new TextEncoder().encode(text), 10);
    return bytes;
  };

  it('rejects truncated, corrupt and unsupported files, naming the file and the expectation', async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['empty.npy', new Uint8Array(0), /not a \.npy file \(only 0 bytes; expected a header\)/],
      [
        'truncated-data.npy',
        valid.subarray(0, valid.length - 7),
        /truncated \.npy data: shape \(2, 3, 4\) of <f4 needs 96 bytes, the file holds 89/,
      ],
      [
        'truncated-header.npy',
        valid.subarray(0, 40),
        /truncated \.npy header \(needs \d+ bytes, the file holds 40\)/,
      ],
      [
        'bad-magic.npy',
        Uint8Array.from(valid, (v, i) => (i === 1 ? 0x58 : v)),
        /not a \.npy file \(bad magic; expected \\x93NUMPY\)/,
      ],
      ['version9.npy', Uint8Array.from(valid, (v, i) => (i === 6 ? 9 : v)), /unsupported \.npy version 9\.0/],
      [
        'big-endian.npy',
        header('>f4', '(4,)'),
        /unsupported \.npy dtype '>f4' .*big-endian and object arrays are not supported/,
      ],
      ['object.npy', header('|O', '(4,)'), /unsupported \.npy dtype '\|O'/],
      ['complex.npy', header('<c8', '(4,)'), /unsupported \.npy dtype '<c8'/],
      ['fortran.npy', header('<f4', '(2, 2)', 'True'), /Fortran order; only C order is supported/],
      ['negative-shape.npy', header('<f4', '(-2, 2)'), /shape entry '-2' is not a non-negative integer/],
      ['no-shape.npy', header('<f4', '[2, 2]'), /header field 'shape' is missing or not a tuple/],
      [
        'text.npy',
        new TextEncoder().encode('this is not numpy at all, just some text\n'),
        /not a \.npy file \(bad magic/,
      ],
    ];
    for (const [name, bytes, expectation] of cases) {
      const path = file(`npy/${name}`, bytes);
      await expectClearError(() => readNpy(path), path, expectation);
      await expectClearError(() => parseNpy(bytes, name), name, expectation);
    }
  });

  it('a loader names the file when a stored array has the wrong shape or dtype', async () => {
    const nyu = join(root, 'nyu-bad');
    const write = (path: string, array: Parameters<typeof writeNpy>[1]) => {
      mkdirSync(join(path, '..'), { recursive: true });
      writeNpy(path, array);
    };
    for (const i of [0, 1, 2]) {
      write(join(nyu, 'train', 'image', `${i}.npy`), {
        data: new Float32Array(18).fill(0.5),
        shape: [2, 3, 3],
      });
      write(join(nyu, 'train', 'label', `${i}.npy`), { data: new Float32Array(6), shape: [2, 3] });
      write(join(nyu, 'train', 'depth', `${i}.npy`), { data: new Float32Array(6).fill(1), shape: [2, 3, 1] });
      write(join(nyu, 'train', 'normal', `${i}.npy`), { data: new Float32Array(18), shape: [2, 3, 3] });
    }
    write(join(nyu, 'train', 'depth', '1.npy'), { data: new Float32Array(8), shape: [2, 4, 1] }); // wrong shape
    write(join(nyu, 'train', 'image', '2.npy'), { data: new Float32Array(6), shape: [2, 3] }); // wrong rank
    const source = await createNyuv2Source({ root: nyu, imageSize: [2, 3] });
    await expect(source.read(0)).resolves.toBeDefined();
    await expectClearError(() => source.read(1), join(nyu, 'train', 'depth', '1.npy'), /\(2, 4, 1\)/);
    await expectClearError(() => source.read(2), join(nyu, 'train', 'image', '2.npy'), /\(2, 3\)/);
  });

  it('NaN/Inf and out-of-range class ids read from disk: the loader or validateSample names the file/sample and field', async () => {
    const nyu = join(root, 'nyu-values');
    const write = (path: string, array: Parameters<typeof writeNpy>[1]) => {
      mkdirSync(join(path, '..'), { recursive: true });
      writeNpy(path, array);
    };
    const images = [
      new Float32Array(18).fill(0.5),
      Float32Array.from({ length: 18 }, (_, i) => (i === 4 ? Number.NaN : 0.5)),
      new Float32Array(18).fill(0.5),
      new Float32Array(18).fill(0.5),
    ];
    const labels = [
      new Float32Array(6),
      new Float32Array(6),
      Float32Array.of(0, 1, 40, 2, 3, 4),
      new Float32Array(6),
    ];
    const depths = [
      new Float32Array(6).fill(1),
      new Float32Array(6).fill(1),
      new Float32Array(6).fill(1),
      Float32Array.of(1, Number.POSITIVE_INFINITY, 1, 1, 1, 1),
    ];
    images.forEach((image, i) => {
      write(join(nyu, 'train', 'image', `${i}.npy`), { data: image, shape: [2, 3, 3] });
      write(join(nyu, 'train', 'label', `${i}.npy`), { data: labels[i]!, shape: [2, 3] });
      write(join(nyu, 'train', 'depth', `${i}.npy`), { data: depths[i]!, shape: [2, 3, 1] });
      write(join(nyu, 'train', 'normal', `${i}.npy`), { data: new Float32Array(18), shape: [2, 3, 3] });
    });
    const source = await createNyuv2Source({ root: nyu, imageSize: [2, 3] });
    const options = { source: 'NYU-v2 train' };
    expect(validateSample(await source.read(0), source.tasks, options)).toBe(true);
    // The loader itself rejects class ids out of range, naming the file and pixel.
    await expectClearError(
      () => source.read(2),
      join(nyu, 'train', 'label', '2.npy'),
      /semseg class id 40 at pixel 2 is outside -1\.\.12/,
    );
    // Non-finite pixels and labels pass the loader; validateSample names the sample and the field.
    const expectations: [number, RegExp][] = [
      [1, /^NYU-v2 train, sample 1: image non-finite value at element 4$/],
      [3, /^NYU-v2 train, sample 3: labels\.depth non-finite value at element 1$/],
    ];
    for (const [index, expectation] of expectations) {
      counts.badInputs += 1;
      const sample = await source.read(index);
      expect(() => validateSample(sample, source.tasks, options)).toThrow(expectation);
      expect(validateSample(sample, source.tasks, { ...options, onInvalid: 'skip' })).toBe(false);
    }
  });
});

describe('IDX files', () => {
  const valid = encodeIdx({
    type: 'uint8',
    shape: [3, 2, 2],
    data: Uint8Array.from({ length: 12 }, (_, i) => i),
  });
  it('rejects truncated, corrupt or padded files (plain and gzipped)', async () => {
    const gz = encodeIdx({ type: 'float32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }, true);
    const cases: [string, Uint8Array, RegExp][] = [
      [
        'truncated.idx',
        valid.subarray(0, valid.length - 3),
        /truncated IDX data: shape \(3, 2, 2\) of uint8 needs 12 bytes, the file holds 9/,
      ],
      ['header-only.idx', valid.subarray(0, 9), /truncated IDX header \(needs 16 bytes, has 9\)/],
      [
        'bad-magic.idx',
        Uint8Array.from(valid, (v, i) => (i === 2 ? 0x42 : v)),
        /not an IDX file \(magic 00 00 42 03/,
      ],
      ['zero-dims.idx', Uint8Array.of(0, 0, 8, 0), /declares 0 dimensions/],
      ['padded.idx', Uint8Array.from([...valid, 1, 2]), /has 2 bytes after the data of shape \(3, 2, 2\)/],
      [
        'truncated.idx.gz',
        gz.subarray(0, gz.length - 6),
        /cannot gunzip IDX file .*the file may be truncated/,
      ],
      ['tiny.idx', Uint8Array.of(0, 0), /not an IDX file \(2 bytes; expected a 4-byte magic\)/],
    ];
    for (const [name, bytes, expectation] of cases) {
      const path = file(`idx/${name}`, bytes);
      await expectClearError(() => readIdx(path), path, expectation);
    }
    expect(parseIdx(valid, 'valid.idx').shape).toEqual([3, 2, 2]);
  });
});

describe('PNG and JPEG files', () => {
  it('rejects truncated, corrupt and mislabelled images naming the file', async () => {
    const pixels = Uint8Array.from({ length: 8 * 8 * 3 }, (_, i) => (i * 37) % 256);
    const png = join(root, 'img', 'ok.png');
    const jpeg = join(root, 'img', 'ok.jpg');
    await writeRgbPng(png, 8, 8, pixels);
    await writeRgbPng(jpeg, 8, 8, pixels, 'jpeg');
    expect((await decodeImageRgb(png)).shape).toEqual([8, 8, 3]);
    const pngBytes = readFileSync(png);
    const jpegBytes = readFileSync(jpeg);
    const cases: [string, Uint8Array][] = [
      ['truncated.png', pngBytes.subarray(0, Math.floor(pngBytes.length / 2))],
      ['header-only.png', pngBytes.subarray(0, 16)],
      [
        'corrupt-idat.png',
        Uint8Array.from(pngBytes, (v, i) => (i > 40 && i < pngBytes.length - 20 ? v ^ 0x5a : v)),
      ],
      ['truncated.jpg', jpegBytes.subarray(0, Math.floor(jpegBytes.length / 2))],
      ['header-only.jpg', jpegBytes.subarray(0, 20)],
      ['text.png', new TextEncoder().encode('not an image')],
      ['empty.jpg', new Uint8Array(0)],
    ];
    for (const [name, bytes] of cases) {
      const path = file(`img/${name}`, bytes);
      await expectClearError(
        () => decodeImageRgb(path),
        path,
        /cannot decode image .*expected a PNG or JPEG file/,
      );
    }
    await expectClearError(
      () => decodeImageRgb(join(root, 'img', 'missing.png')),
      join(root, 'img', 'missing.png'),
      /image not found/,
    );
    // A colour image where a single-channel label map is expected, or 8 bits where 16 are.
    await expectClearError(
      () => decodeSingleChannel(png, 8),
      png,
      /expected a single-channel \(grey\) 8-bit PNG, got 3 channels/,
    );
    const grey = join(root, 'img', 'grey8.png');
    await writeGreyPng(grey, 4, 4, new Array<number>(16).fill(3));
    await expectClearError(() => decodeSingleChannel(grey, 16), grey, /expected a 16-bit image, got 8-bit/);
  });
});

describe('split tables that do not fit the data set', () => {
  it('rejects wrong row counts, task counts and values, naming the file', async () => {
    const taskNames = nyuv2Tasks.map((task) => task.name);
    const rows = (count: number, columns = 3) =>
      Array.from({ length: count }, (_, r) => Array.from({ length: columns }, (_, t) => (r + t) % 2));
    const fiveRows = file('splits/five.json', JSON.stringify({ rows: rows(5) }));
    await expectClearError(
      () => loadSplitTable(fiveRows, { taskNames, expectedRows: 6 }),
      fiveRows,
      /split table has 5 rows but the data set has 6 samples/,
    );
    await expectClearError(
      () => resolveLabelMask(fiveRows, 6, taskNames, 'NYU-v2 train'),
      fiveRows,
      /split table has 5 rows but NYU-v2 train has 6 samples/,
    );
    const twoTasks = file('splits/two-tasks.json', JSON.stringify({ rows: rows(6, 2) }));
    await expectClearError(
      () => loadSplitTable(twoTasks, { taskNames }),
      twoTasks,
      /split table has 2 task columns but 3 task names were given/,
    );
    const csv = file('splits/bad-value.csv', 'semseg,depth,normal\n1,0,1\n0,2,1\n');
    await expectClearError(
      () => loadSplitTable(csv, { taskNames }),
      csv,
      /line 3, column 2: expected 0 or 1, got '2'/,
    );
    const ragged = file(
      'splits/ragged.json',
      JSON.stringify({
        rows: [
          [1, 0, 1],
          [1, 0],
        ],
      }),
    );
    await expectClearError(
      () => loadSplitTable(ragged, { taskNames }),
      ragged,
      /row 1 has 2 entries, expected 3/,
    );
    const empty = file('splits/empty.json', JSON.stringify({ rows: [] }));
    await expectClearError(() => loadSplitTable(empty, { taskNames }), empty, /non-empty array of arrays/);
    const garbage = file('splits/garbage.pth', new Uint8Array([0x80, 0x02, 0xff, 0xff]));
    await expectClearError(() => loadSplitTable(garbage, { taskNames }), garbage, /pickle|torch/);
    const missing = join(root, 'splits', 'missing.csv');
    await expectClearError(() => loadSplitTable(missing), missing, /split table not found/);
    // An in-memory table with the wrong task count.
    counts.badInputs += 1;
    const table = LabelMaskTable.fromRows(['a', 'b'], rows(6, 2));
    await expect(resolveLabelMask(table, 6, taskNames, 'NYU-v2 train')).rejects.toThrow(
      /labelMask for NYU-v2 train: has 2 task columns but the data set has 3 tasks \(semseg, depth, normal\)/,
    );
  });

  it('reports a task with no labelled sample (training decides what to do: zero loss, see train)', () => {
    const table = LabelMaskTable.fromRows(
      ['semseg', 'depth', 'normal'],
      [
        [1, 0, 1],
        [0, 0, 1],
        [1, 0, 0],
      ],
    );
    expect(table.countsPerTask()).toEqual([2, 0, 2]);
  });
});

describe('byte-level fuzzing of valid files', () => {
  it('every cut, flip or splice of a .npy, IDX or split-table file parses or fails with a plain Error naming the file', async () => {
    const random = new RandomSource(5150);
    const samples: [string, Uint8Array, (bytes: Uint8Array, name: string) => unknown][] = [
      [
        'fuzz.npy',
        encodeNpy({ data: Float32Array.from({ length: 12 }, (_, i) => i), shape: [3, 4] }),
        (bytes, name) => parseNpy(bytes, name),
      ],
      [
        'fuzz-i8.npy',
        encodeNpy({ data: BigInt64Array.from({ length: 6 }, (_, i) => BigInt(i)), shape: [6] }),
        (bytes, name) => parseNpy(bytes, name),
      ],
      [
        'fuzz.idx',
        encodeIdx({ type: 'int32', shape: [2, 3], data: Int32Array.of(1, 2, 3, 4, 5, 6) }),
        (bytes, name) => parseIdx(bytes, name),
      ],
      [
        'fuzz.idx.gz',
        encodeIdx({ type: 'uint8', shape: [4, 4], data: new Uint8Array(16).fill(7) }, true),
        (bytes, name) => parseIdx(bytes, name),
      ],
    ];
    const splitJson = new TextEncoder().encode(
      JSON.stringify({
        taskNames: ['a', 'b'],
        rows: [
          [1, 0],
          [0, 1],
          [1, 1],
        ],
      }),
    );
    const splitCsv = new TextEncoder().encode('a,b\n1,0\n0,1\n1,1\n');
    for (let trial = 0; trial < 400; trial++) {
      const mutate = (bytes: Uint8Array): Uint8Array => {
        const copy = Uint8Array.from(bytes);
        const kind = random.int(3);
        if (kind === 0) return copy.subarray(0, random.int(copy.length));
        if (kind === 1) {
          for (let flips = 0; flips < 1 + random.int(4); flips++)
            copy[random.int(copy.length)] = random.int(256);
          return copy;
        }
        const at = random.int(copy.length);
        return Uint8Array.from([
          ...copy.subarray(0, at),
          ...Array.from({ length: 1 + random.int(8) }, () => random.int(256)),
          ...copy.subarray(at),
        ]);
      };
      const [name, bytes, parse] = samples[trial % samples.length]!;
      counts.fuzzCases += 1;
      try {
        parse(mutate(bytes), name);
      } catch (error) {
        expect((error as Error).constructor, `${name}: ${String(error)}`).toBe(Error);
        expect((error as Error).message).toContain(name);
      }
      if (trial % 4 === 0) {
        for (const [tableName, tableBytes] of [
          ['fuzz-split.json', splitJson],
          ['fuzz-split.csv', splitCsv],
        ] as const) {
          counts.fuzzCases += 1;
          const path = file(`fuzz/${trial}-${tableName}`, mutate(tableBytes));
          try {
            const table = await loadSplitTable(path, { taskNames: ['a', 'b'] });
            expect(table.taskNames).toEqual(['a', 'b']);
          } catch (error) {
            expect((error as Error).constructor, `${tableName}: ${String(error)}`).toBe(Error);
            expect((error as Error).message).toContain(path);
          }
        }
      }
    }
  });
});
