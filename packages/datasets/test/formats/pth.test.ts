import { existsSync } from 'node:fs';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readPickle } from '../../src/formats/pickle.js';
import { isTorchTensor, parseTorchFile, type TorchTensor } from '../../src/formats/pth.js';
import { concatBytes, legacyTorchFile, PickleWriter, tensorDictPickle } from './pickle-bytes.js';

function tensorOf(value: unknown): TorchTensor {
  const tensor = (value as Map<string, unknown>).get('labels_weights');
  if (!isTorchTensor(tensor)) throw new Error('no tensor');
  return tensor;
}

describe('torch .pth reader', () => {
  it('reads a handmade legacy file with int64 storage', () => {
    const values = new BigInt64Array([1n, 0n, 0n, 1n, 1n, 1n]);
    const file = legacyTorchFile('LongStorage', 3, 2, new Uint8Array(values.buffer));
    const tensor = tensorOf(parseTorchFile(file, 'long.pth'));
    expect(tensor.dtype).toBe('int64');
    expect(tensor.shape).toEqual([3, 2]);
    expect(Array.from(tensor.data)).toEqual([1, 0, 0, 1, 1, 1]);
  });

  it('reads the zip format (archive/data.pkl + archive/data/<key>) with float64 storage', () => {
    const values = new Float64Array([0, 1, 1, 0]);
    const zip = zipSync({
      'archive/data.pkl': tensorDictPickle('DoubleStorage', '0', 2, 2),
      'archive/data/0': new Uint8Array(values.buffer),
      'archive/version': new TextEncoder().encode('3\n'),
    });
    const tensor = tensorOf(parseTorchFile(zip, 'zip.pth'));
    expect(tensor.dtype).toBe('float64');
    expect(Array.from(tensor.data)).toEqual([0, 1, 1, 0]);
    const bigEndian = zipSync({
      'archive/data.pkl': tensorDictPickle('DoubleStorage', '0', 2, 2),
      'archive/data/0': new Uint8Array(values.buffer),
      'archive/byteorder': new TextEncoder().encode('big'),
    });
    expect(() => parseTorchFile(bigEndian, 'big.pth')).toThrow(
      /big\.pth: only little-endian .*byteorder says 'big'/,
    );
    const missing = zipSync({ 'archive/data.pkl': tensorDictPickle('DoubleStorage', '0', 2, 2) });
    expect(() => parseTorchFile(missing, 'lack.pth')).toThrow(
      /lack\.pth: zip-format torch file lacks 'archive\/data\/0'/,
    );
  });

  it('refuses a malicious pickle naming the global, and runs nothing', () => {
    const calls: unknown[] = [];
    const options = {
      globals: new Map([['torch.FloatStorage', null]]),
      file: 'evil.pth',
      persistentLoad: (pid: unknown) => calls.push(pid),
    };
    // cos\nsystem\n(X'touch /tmp/pwned'tR.  — the classic os.system payload
    const osSystem = new PickleWriter()
      .proto()
      .global('os', 'system')
      .raw(0x28)
      .unicode('touch /tmp/pwned')
      .raw(0x74, 0x52, 0x2e)
      .bytes();
    expect(() => readPickle(osSystem, options)).toThrow(
      /evil\.pth: pickle byte 2: global 'os\.system' is not allowed .*nothing was executed/,
    );
    // builtins.eval through STACK_GLOBAL (protocol 4 style)
    const evalPayload = new PickleWriter()
      .proto(4)
      .raw(0x8c, 8)
      .text('builtins')
      .raw(0x8c, 4)
      .text('eval')
      .raw(0x93)
      .bytes();
    expect(() => readPickle(evalPayload, options)).toThrow(/global 'builtins\.eval' is not allowed/);
    expect(calls).toEqual([]);
    // …and inside a whole torch file
    const file = legacyTorchFile('FloatStorage', 1, 1, new Uint8Array(4));
    const evil = concatBytes(file.subarray(0, 137), osSystem);
    expect(() => parseTorchFile(evil, 'evil.pth')).toThrow(/os\.system' is not allowed/);
    expect(existsSync('/tmp/pwned')).toBe(false);
  });

  it('allows storage types as symbols but never calls them', () => {
    const call = new PickleWriter().proto().global('torch', 'FloatStorage').raw(0x29, 0x52, 0x2e).bytes();
    expect(() =>
      readPickle(call, { globals: new Map([['torch.FloatStorage', null]]), file: 'x.pth' }),
    ).toThrow(/global 'torch\.FloatStorage' may not be called/);
  });

  it('names the file on truncation, wrong magic and unknown opcodes', () => {
    const values = new Float32Array([1, 0]);
    const file = legacyTorchFile('FloatStorage', 1, 2, new Uint8Array(values.buffer));
    expect(() => parseTorchFile(file.subarray(0, file.length - 3), 'short.pth')).toThrow(
      /short\.pth: storage '1234' is truncated/,
    );
    expect(() => parseTorchFile(file.subarray(0, 100), 'cut.pth')).toThrow(
      /cut\.pth: pickle byte \d+: truncated pickle/,
    );
    expect(() => parseTorchFile(new TextEncoder().encode('hello'), 'text.pth')).toThrow(
      /text\.pth: not a torch\.save file/,
    );
    const wrongMagic = concatBytes(new PickleWriter().proto().int(5).raw(0x2e).bytes(), file.subarray(15));
    expect(() => parseTorchFile(wrongMagic, 'magic.pth')).toThrow(
      /magic\.pth: not a torch\.save file \(the first pickle/,
    );
    expect(() => readPickle(new Uint8Array([0x80, 2, 0x53]), { globals: new Map(), file: 'op.pkl' })).toThrow(
      /op\.pkl: pickle byte 2: unsupported pickle opcode 0x53/,
    );
  });
});
