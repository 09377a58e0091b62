// IDX files (the MNIST format, http://yann.lecun.com/exdb/mnist/ "FILE FORMATS"; Fashion-MNIST uses it too), plain
// or gzipped (node:zlib). Magic: two zero bytes, a type byte (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32,
// 0x0E f64; big-endian), a dimension count; then one uint32 BE size per dimension and the row-major data.
import { readFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';

export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export interface IdxArray {
  readonly type: IdxType;
  readonly shape: readonly number[];
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

export interface IdxReadOptions {
  /** Largest element count accepted (also caps the gunzipped size). */
  readonly maxElements: number;
}

export const idxReadDefaults: IdxReadOptions = { maxElements: 2 ** 28 };

const typeCodes: Record<number, { type: IdxType; bytes: number }> = {
  8: { type: 'uint8', bytes: 1 },
  9: { type: 'int8', bytes: 1 },
  11: { type: 'int16', bytes: 2 },
  12: { type: 'int32', bytes: 4 },
  13: { type: 'float32', bytes: 4 },
  14: { type: 'float64', bytes: 8 },
};

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decodes an IDX file held in memory (gunzipping it first when it starts with the gzip magic). */
export function parseIdx(
  input: Uint8Array,
  file = '<buffer>',
  options: Partial<IdxReadOptions> = {},
): IdxArray {
  const { maxElements } = { ...idxReadDefaults, ...options };
  let bytes = input;
  if (isGzip(input)) {
    try {
      bytes = gunzipSync(input, { maxOutputLength: maxElements * 8 + 1024 });
    } catch (error) {
      throw new Error(
        `${file}: cannot gunzip IDX file (${(error as Error).message}); the file may be truncated`,
      );
    }
  }
  if (bytes.length < 4)
    throw new Error(`${file}: not an IDX file (${bytes.length} bytes; expected a 4-byte magic)`);
  const code = typeCodes[bytes[2]!];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !code) {
    throw new Error(
      `${file}: not an IDX file (magic ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')}; ` +
        'expected 00 00 <type 08/09/0b/0c/0d/0e> <dimensions>)',
    );
  }
  const dimensions = bytes[3]!;
  if (dimensions < 1) throw new Error(`${file}: IDX file declares 0 dimensions`);
  const headerBytes = 4 + 4 * dimensions;
  if (bytes.length < headerBytes)
    throw new Error(`${file}: truncated IDX header (needs ${headerBytes} bytes, has ${bytes.length})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let elements = 1;
  for (let d = 0; d < dimensions; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    shape.push(size);
    elements *= size;
    if (elements > maxElements)
      throw new Error(
        `${file}: IDX shape (${shape.join(', ')}, …) exceeds the limit of ${maxElements} elements`,
      );
  }
  const dataBytes = elements * code.bytes;
  if (bytes.length - headerBytes < dataBytes) {
    throw new Error(
      `${file}: truncated IDX data: shape (${shape.join(', ')}) of ${code.type} needs ${dataBytes} bytes, the file holds ${bytes.length - headerBytes}`,
    );
  }
  if (bytes.length - headerBytes > dataBytes) {
    throw new Error(
      `${file}: IDX file has ${bytes.length - headerBytes - dataBytes} bytes after the data of shape (${shape.join(', ')})`,
    );
  }
  let data: IdxArray['data'];
  switch (code.type) {
    case 'uint8':
      data = bytes.slice(headerBytes);
      break;
    case 'int8':
      data = new Int8Array(bytes.slice(headerBytes).buffer);
      break;
    default: {
      const Constructor = {
        int16: Int16Array,
        int32: Int32Array,
        float32: Float32Array,
        float64: Float64Array,
      }[code.type];
      const out = new Constructor(elements);
      const getter = { int16: 'getInt16', int32: 'getInt32', float32: 'getFloat32', float64: 'getFloat64' }[
        code.type
      ] as 'getInt16' | 'getInt32' | 'getFloat32' | 'getFloat64';
      for (let i = 0; i < elements; i++) out[i] = view[getter](headerBytes + i * code.bytes, false);
      data = out;
    }
  }
  return { type: code.type, shape, data };
}

/** Reads an IDX file (plain or `.gz`). */
export async function readIdx(path: string, options: Partial<IdxReadOptions> = {}): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${path}: IDX file not found`);
    throw error;
  }
  return parseIdx(bytes, path, options);
}

/** Encodes an array as an IDX file (big-endian), gzipped when `gzip` is true. For tests and exports. */
export function encodeIdx(array: IdxArray, gzip = false): Uint8Array {
  const entry = Object.entries(typeCodes).find(([, value]) => value.type === array.type)!;
  const [code, { bytes: size }] = [Number(entry[0]), entry[1]];
  const elements = array.shape.reduce((product, value) => product * value, 1);
  if (elements !== array.data.length)
    throw new Error(
      `encodeIdx: shape (${array.shape.join(', ')}) does not hold ${array.data.length} elements`,
    );
  const header = 4 + 4 * array.shape.length;
  const out = new Uint8Array(header + elements * size);
  const view = new DataView(out.buffer);
  out.set([0, 0, code, array.shape.length]);
  for (const [d, value] of array.shape.entries()) view.setUint32(4 + 4 * d, value, false);
  for (let i = 0; i < elements; i++) {
    const value = array.data[i]!;
    const at = header + i * size;
    if (array.type === 'uint8') view.setUint8(at, value);
    else if (array.type === 'int8') view.setInt8(at, value);
    else if (array.type === 'int16') view.setInt16(at, value, false);
    else if (array.type === 'int32') view.setInt32(at, value, false);
    else if (array.type === 'float32') view.setFloat32(at, value, false);
    else view.setFloat64(at, value, false);
  }
  return gzip ? new Uint8Array(gzipSync(out)) : out;
}
