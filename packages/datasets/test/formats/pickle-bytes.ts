// Test helper: writes pickle opcodes by hand, so tests can build torch files (and malicious pickles) byte by byte.
export class PickleWriter {
  private readonly parts: number[] = [];

  raw(...bytes: number[]): this {
    this.parts.push(...bytes);
    return this;
  }
  text(value: string): this {
    return this.raw(...new TextEncoder().encode(value));
  }
  proto(version = 2): this {
    return this.raw(0x80, version);
  }
  global(module: string, name: string): this {
    return this.raw(0x63).text(`${module}\n${name}\n`);
  }
  unicode(value: string): this {
    const bytes = new TextEncoder().encode(value);
    return this.raw(0x58, bytes.length & 255, (bytes.length >> 8) & 255, 0, 0, ...bytes);
  }
  int(value: number): this {
    if (value < 256) return this.raw(0x4b, value);
    return this.raw(0x4d, value & 255, value >> 8);
  }
  long1(value: bigint): this {
    const bytes: number[] = [];
    let rest = value;
    while (rest > 0n) {
      bytes.push(Number(rest & 255n));
      rest >>= 8n;
    }
    if ((bytes[bytes.length - 1] ?? 0) & 0x80) bytes.push(0);
    return this.raw(0x8a, bytes.length, ...bytes);
  }
  bytes(): Uint8Array {
    return new Uint8Array(this.parts);
  }
}

export type StorageName =
  | 'FloatStorage'
  | 'DoubleStorage'
  | 'LongStorage'
  | 'IntStorage'
  | 'ByteStorage'
  | 'BoolStorage';

/** The object pickle of `{'labels_weights': tensor}` as torch writes it (protocol 2). */
export function tensorDictPickle(
  storage: StorageName,
  key: string,
  rows: number,
  columns: number,
): Uint8Array {
  const writer = new PickleWriter().proto().raw(0x7d).raw(0x71, 0).unicode('labels_weights');
  writer.global('torch._utils', '_rebuild_tensor_v2').raw(0x28); // MARK for the argument tuple
  writer
    .raw(0x28)
    .unicode('storage')
    .global('torch', storage)
    .unicode(key)
    .unicode('cpu')
    .int(rows * columns)
    .raw(0x4e, 0x74);
  writer.raw(0x51); // BINPERSID
  writer.int(0).int(rows).int(columns).raw(0x86).int(columns).int(1).raw(0x86).raw(0x89);
  writer.global('collections', 'OrderedDict').raw(0x29, 0x52); // OrderedDict()
  writer.raw(0x74, 0x52, 0x73, 0x2e); // TUPLE, REDUCE, SETITEM, STOP
  return writer.bytes();
}

export function concatBytes(...chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** The three pickles a legacy torch.save file starts with: magic number, protocol version, system info. */
export function legacyTorchHeader(): Uint8Array {
  const magic = new PickleWriter().proto().long1(0x1950a86a20f9469cfc6cn).raw(0x2e).bytes();
  const protocol = new PickleWriter().proto().int(1001).raw(0x2e).bytes();
  const systemInfo = new PickleWriter()
    .proto()
    .raw(0x7d, 0x28)
    .unicode('little_endian')
    .raw(0x88, 0x75, 0x2e)
    .bytes();
  return concatBytes(magic, protocol, systemInfo);
}
/** A legacy torch.save file of one storage, values given in the storage's element type. */
export function legacyTorchFile(
  storage: StorageName,
  rows: number,
  columns: number,
  values: Uint8Array,
): Uint8Array {
  const header = legacyTorchHeader();
  const key = '1234';
  const keys = new PickleWriter().proto().raw(0x5d).unicode(key).raw(0x61, 0x2e).bytes();
  const count = new Uint8Array(8);
  new DataView(count.buffer).setBigInt64(0, BigInt(rows * columns), true);
  return concatBytes(header, tensorDictPickle(storage, key, rows, columns), keys, count, values);
}
