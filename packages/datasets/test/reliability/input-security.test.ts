// Security of inputs: .pth pickles naming anything outside the whitelist (os.system, builtins.eval, subprocess,
// …) are refused when the global is read, so nothing runs (a marker file stays absent), in legacy and zip files and
// through loadSplitTable; file lists inside data sets cannot leave the data root; oversized .npy/IDX headers,
// shapes and gzip payloads are rejected before the memory is allocated.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIdx, readIdx } from '../../src/formats/idx.js';
import { parseNpy, readNpy, readNpyHeader } from '../../src/formats/npy.js';
import { parseTorchFile } from '../../src/formats/pth.js';
import { createAffectNetSource } from '../../src/loaders/affectnet.js';
import { resolveInside } from '../../src/loaders/loader-support.js';
import { createRafDbSource } from '../../src/loaders/raf-db.js';
import { loadSplitTable } from '../../src/splits/load-split-table.js';
import { concatBytes, legacyTorchHeader, PickleWriter } from '../formats/pickle-bytes.js';

const root = mkdtempSync(join(tmpdir(), 'input-security-'));
const marker = join(root, 'pwned');
const counts = { badInputs: 0 };

afterAll(() => {
  console.log(`datasets input security: ${counts.badInputs} hostile inputs tried`);
});

/** A pickle calling `module.name(argument)`, spelled with GLOBAL or STACK_GLOBAL. */
function callPickle(module: string, name: string, argument: string, stackGlobal: boolean): Uint8Array {
  const writer = new PickleWriter().proto(stackGlobal ? 4 : 2);
  if (stackGlobal) writer.unicode(module).unicode(name).raw(0x93);
  else writer.global(module, name);
  return writer.unicode(argument).raw(0x85, 0x52, 0x2e).bytes(); // TUPLE1, REDUCE, STOP
}

/** Legacy torch.save layout with `payload` as the object pickle (the magic and protocol pickles come first). */
function legacyWith(payload: Uint8Array): Uint8Array {
  return concatBytes(legacyTorchHeader(), payload);
}

const hostileGlobals: [string, string][] = [
  ['os', 'system'],
  ['posix', 'system'],
  ['nt', 'system'],
  ['subprocess', 'Popen'],
  ['subprocess', 'check_output'],
  ['builtins', 'eval'],
  ['builtins', 'exec'],
  ['__builtin__', 'eval'],
  ['builtins', 'getattr'],
  ['importlib', 'import_module'],
  ['torch', 'load'],
  ['collections', 'OrderedDict.__init__'],
];

describe('.pth pickles', () => {
  it('refuse every non-whitelisted global before calling anything, in legacy and zip files and via loadSplitTable', async () => {
    const command = `touch ${marker}`;
    for (const [module, name] of hostileGlobals) {
      for (const stackGlobal of [false, true]) {
        const pickle = callPickle(module, name, command, stackGlobal);
        const expectation = new RegExp(
          `global '${`${module}.${name}`.replace(/[.]/g, '\\.')}' is not allowed .*refusing to load this pickle, nothing was executed`,
        );
        counts.badInputs += 3;
        expect(() => parseTorchFile(legacyWith(pickle), 'legacy.pth')).toThrow(expectation);
        const zip = zipSync({
          'archive/data.pkl': pickle,
          'archive/version': new TextEncoder().encode('3\n'),
        });
        expect(() => parseTorchFile(zip, 'zip.pth')).toThrow(expectation);
        const path = join(root, `split-${module}-${name}-${stackGlobal}.pth`);
        writeFileSync(path, legacyWith(pickle));
        await expect(loadSplitTable(path, { taskNames: ['a', 'b'] })).rejects.toThrow(expectation);
      }
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('refuse calling a whitelisted non-callable global and object-building opcodes', () => {
    const cases: [Uint8Array, RegExp][] = [
      [callPickle('torch', 'FloatStorage', 'x', false), /global 'torch\.FloatStorage' may not be called/],
      // INST ('i'): instantiate module.name with the marked arguments (protocol 0).
      [
        new PickleWriter()
          .proto()
          .raw(0x28)
          .unicode(`touch ${marker}`)
          .raw(0x69)
          .text('os\nsystem\n')
          .raw(0x2e)
          .bytes(),
        /unsupported pickle opcode 0x69/,
      ],
      // OBJ ('o') and NEWOBJ (0x81) on a global.
      [
        new PickleWriter().proto().raw(0x28).global('os', 'system').raw(0x6f, 0x2e).bytes(),
        /global 'os\.system' is not allowed/,
      ],
      [
        new PickleWriter().proto().global('collections', 'OrderedDict').raw(0x29, 0x81, 0x2e).bytes(),
        /unsupported pickle opcode 0x81/,
      ],
      // BUILD (__setstate__) on a whitelisted object, and EXT1 registry lookups.
      [
        new PickleWriter().proto().raw(0x7d, 0x7d, 0x62, 0x2e).bytes(),
        /BUILD \(object state\) is not supported/,
      ],
      [new PickleWriter().proto().raw(0x82, 0x01, 0x2e).bytes(), /unsupported pickle opcode 0x82/],
    ];
    for (const [pickle, expectation] of cases) {
      counts.badInputs += 1;
      expect(() => parseTorchFile(legacyWith(pickle), 'evil.pth')).toThrow(expectation);
    }
    expect(existsSync(marker)).toBe(false);
  });
});

describe('file lists inside data sets', () => {
  it('cannot escape the data root with ../ or absolute paths (resolveInside)', () => {
    const dataRoot = join(root, 'data');
    const escapes = [
      '../outside.png',
      'a/../../outside.png',
      'a/./../../../etc/passwd',
      '..\\..\\outside.png',
      '/etc/passwd',
      '\\\\server\\share\\x.png',
      'C:\\x.png',
      'c:/x.png',
      '..',
    ];
    for (const path of escapes) {
      counts.badInputs += 1;
      expect(() => resolveInside(dataRoot, path, 'list.csv: line 2', 'image'), path).toThrow(
        /list\.csv: line 2: image '.*' (is an absolute path|contains '\.\.'|escapes)/,
      );
    }
    expect(resolveInside(dataRoot, 'faces/a..b.png', 'list.csv', 'image')).toBe(
      join(dataRoot, 'faces', 'a..b.png'),
    );
  });

  it('RAF-DB partition lists and AffectNet CSVs naming ../ or absolute paths are rejected when opened', async () => {
    const raf = join(root, 'raf', 'basic');
    mkdirSync(join(raf, 'EmoLabel'), { recursive: true });
    for (const [line, aligned] of [
      ['train_../../../../etc/passwd 1', false],
      ['train_x/../../../secret.jpg 2', true],
    ] as const) {
      counts.badInputs += 1;
      writeFileSync(join(raf, 'EmoLabel', 'list_patition_label.txt'), `train_00001.jpg 5\n${line}\n`);
      await expect(createRafDbSource({ root: raf, aligned })).rejects.toThrow(
        /list_patition_label\.txt: line 2: image name '.*' contains '\.\.'/,
      );
    }
    const affectNet = join(root, 'affectnet');
    mkdirSync(affectNet, { recursive: true });
    for (const path of ['/etc/passwd', '../../../etc/passwd', 'ok/../../escape.jpg']) {
      counts.badInputs += 1;
      const csv = join(affectNet, 'training.csv');
      writeFileSync(csv, `subDirectory_filePath,expression\n1/a.jpg,1\n${path},2\n`);
      await expect(
        createAffectNetSource({ imageRoot: join(affectNet, 'images'), annotationFile: csv }),
      ).rejects.toThrow(
        /training\.csv: line 3: subDirectory_filePath '.*' (is an absolute path|contains '\.\.')/,
      );
    }
  });
});

describe('oversized headers, shapes and payloads', () => {
  /** Runs `action` (expected to throw) and returns how many ArrayBuffer bytes it left allocated. */
  async function allocatedBy(action: () => unknown, expectation: RegExp): Promise<number> {
    counts.badInputs += 1;
    const before = process.memoryUsage().arrayBuffers;
    await expect(Promise.resolve().then(action)).rejects.toThrow(expectation);
    return process.memoryUsage().arrayBuffers - before;
  }
  const npyHeader = (shape: string, version = 1, declaredLength?: number) => {
    const text = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shape}, }`.padEnd(118, ' ') + '\n';
    const prefix = version === 1 ? 10 : 12;
    const bytes = new Uint8Array(prefix + text.length + 16);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
    const length = declaredLength ?? text.length;
    new DataView(bytes.buffer).setUint32(8, length, true);
    if (version === 1) new DataView(bytes.buffer).setUint16(8, Math.min(length, 0xffff), true);
    bytes.set(new TextEncoder().encode(text), prefix);
    return bytes;
  };
  const limit = 64 * 1024 * 1024;

  it('.npy: a 4 GiB header length, a 10^18-element shape or a 1 GiB shape in a tiny file fail before allocating', async () => {
    const hugeHeader = join(root, 'huge-header.npy');
    writeFileSync(hugeHeader, npyHeader('(2,)', 2, 0xfffffff0));
    expect(
      await allocatedBy(
        () => readNpy(hugeHeader),
        /\.npy header of 4294967280 bytes exceeds the limit of 10000/,
      ),
    ).toBeLessThan(limit);
    expect(await allocatedBy(() => readNpyHeader(hugeHeader), /exceeds the limit of 10000/)).toBeLessThan(
      limit,
    );
    const hugeShape = join(root, 'huge-shape.npy');
    writeFileSync(hugeShape, npyHeader('(1000000, 1000000, 1000000)'));
    expect(
      await allocatedBy(
        () => readNpy(hugeShape),
        /\.npy shape \(1000000, 1000000, 1000000\) exceeds the limit of 268435456 elements/,
      ),
    ).toBeLessThan(limit);
    expect(
      await allocatedBy(
        () => parseNpy(npyHeader('(1000000, 1000000, 1000000)'), 'buffer.npy'),
        /exceeds the limit/,
      ),
    ).toBeLessThan(limit);
    const gibibyte = join(root, 'gibibyte.npy');
    writeFileSync(gibibyte, npyHeader('(134217728,)'));
    expect(
      await allocatedBy(
        () => readNpy(gibibyte),
        /truncated \.npy data: shape \(134217728\) of <f8 needs 1073741824 bytes, the file holds 16/,
      ),
    ).toBeLessThan(limit);
  });

  it('IDX: a 2^48-element shape and a gzip bomb fail before allocating', async () => {
    const hugeIdx = join(root, 'huge.idx');
    const header = new Uint8Array(16);
    header.set([0, 0, 0x08, 3]);
    for (const d of [0, 1, 2]) new DataView(header.buffer).setUint32(4 + 4 * d, 65536, false);
    writeFileSync(hugeIdx, header);
    expect(
      await allocatedBy(
        () => readIdx(hugeIdx),
        /IDX shape \(65536, 65536, …\) exceeds the limit of 268435456 elements/,
      ),
    ).toBeLessThan(limit);
    // 32 MiB of zeros gzip to ~32 KiB; with a cap of 10^6 elements gunzip stops at ~8 MB.
    const payload = new Uint8Array(16 + 32 * 1024 * 1024);
    payload.set([0, 0, 0x08, 1]);
    new DataView(payload.buffer).setUint32(4, payload.length - 8, false);
    const bomb = new Uint8Array(gzipSync(payload));
    expect(bomb.length).toBeLessThan(100_000);
    expect(
      await allocatedBy(
        () => parseIdx(bomb, 'bomb.idx.gz', { maxElements: 1_000_000 }),
        /bomb\.idx\.gz: cannot gunzip IDX file/,
      ),
    ).toBeLessThan(limit);
  });
});
