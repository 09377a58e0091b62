// NumPy `.npy` reader and writer (format v1.0/v2.0/v3.0, C order, little-endian), per data-formats.md §1 and
// numpy `lib/format.py`. dtypes: <f4 <f8 <i8 <i4 <i2 <u2 |u1 |i1 |b1. Fortran order, big-endian, structured and
// object (`|O`) arrays are rejected. Headers and shapes are validated against the file size before any allocation.
import { type FileHandle, open } from 'node:fs/promises';
import { writeFileAtomic } from '@partial-mtl/core';

export type NpyDtype = '<f4' | '<f8' | '<i8' | '<i4' | '<i2' | '<u2' | '|u1' | '|i1' | '|b1';

export type NpyData =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Uint16Array
  | Uint8Array
  | Int8Array;

/** A decoded `.npy` array: row-major data with its shape. `|b1` arrives as a Uint8Array of 0/1. */
export interface NpyArray {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  readonly data: NpyData;
}

export interface NpyReadOptions {
  /** Largest header accepted, in bytes (numpy itself refuses more than 10 000 by default). */
  readonly maxHeaderBytes: number;
  /** Largest element count accepted. */
  readonly maxElements: number;
}

export const npyReadDefaults: NpyReadOptions = { maxHeaderBytes: 10_000, maxElements: 2 ** 28 };

const bytesPerElement: Record<NpyDtype, number> = {
  '<f4': 4,
  '<f8': 8,
  '<i8': 8,
  '<i4': 4,
  '<i2': 2,
  '<u2': 2,
  '|u1': 1,
  '|i1': 1,
  '|b1': 1,
};

/** numpy also spells single-byte types with `<`/`=` and little-endian types with `=` on little-endian hosts. */
const dtypeAliases: Record<string, NpyDtype> = {
  '<u1': '|u1',
  '=u1': '|u1',
  '<i1': '|i1',
  '=i1': '|i1',
  '<b1': '|b1',
  '=b1': '|b1',
  '=f4': '<f4',
  '=f8': '<f8',
  '=i8': '<i8',
  '=i4': '<i4',
  '=i2': '<i2',
  '=u2': '<u2',
};

const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface NpyHeader {
  readonly dtype: NpyDtype;
  readonly shape: number[];
  readonly elements: number;
  /** Offset of the first data byte. */
  readonly dataOffset: number;
  readonly dataBytes: number;
}

/** Bytes needed to read the header length of a `.npy` file: magic (6) + version (2) + length (up to 4). */
const preambleBytes = 12;

function parsePreamble(
  bytes: Uint8Array,
  file: string,
  options: NpyReadOptions,
): { headerStart: number; headerLength: number } {
  if (bytes.length < 10)
    throw new Error(`${file}: not a .npy file (only ${bytes.length} bytes; expected a header)`);
  for (let i = 0; i < magic.length; i++) {
    if (bytes[i] !== magic[i]) throw new Error(`${file}: not a .npy file (bad magic; expected \\x93NUMPY)`);
  }
  const major = bytes[6]!;
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = bytes[8]! | (bytes[9]! << 8);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`${file}: truncated .npy header (expected at least 12 bytes)`);
    headerStart = 12;
    headerLength = (bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16) | (bytes[11]! << 24)) >>> 0;
  } else {
    throw new Error(`${file}: unsupported .npy version ${major}.${bytes[7]} (expected 1.0, 2.0 or 3.0)`);
  }
  if (headerLength > options.maxHeaderBytes) {
    throw new Error(
      `${file}: .npy header of ${headerLength} bytes exceeds the limit of ${options.maxHeaderBytes}`,
    );
  }
  return { headerStart, headerLength };
}

function parseHeaderText(text: string, file: string, headerEnd: number, options: NpyReadOptions): NpyHeader {
  const descrMatch = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text);
  if (!descrMatch) {
    throw new Error(
      `${file}: .npy header field 'descr' is missing or not a simple dtype string (structured arrays are not supported)`,
    );
  }
  const rawDtype = descrMatch[1]!;
  const dtype = (dtypeAliases[rawDtype] ?? rawDtype) as NpyDtype;
  if (!(dtype in bytesPerElement)) {
    throw new Error(
      `${file}: unsupported .npy dtype '${rawDtype}' (expected one of ${Object.keys(bytesPerElement).join(' ')}; ` +
        'big-endian and object arrays are not supported)',
    );
  }
  const fortranMatch = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  if (!fortranMatch) throw new Error(`${file}: .npy header field 'fortran_order' is missing`);
  if (fortranMatch[1] === 'True') {
    throw new Error(
      `${file}: .npy array is in Fortran order; only C order is supported (save with np.ascontiguousarray)`,
    );
  }
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!shapeMatch) throw new Error(`${file}: .npy header field 'shape' is missing or not a tuple`);
  const shape = shapeMatch[1]!
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      if (!/^\d+L?$/.test(part))
        throw new Error(`${file}: .npy shape entry '${part}' is not a non-negative integer`);
      return Number.parseInt(part, 10);
    });
  let elements = 1;
  for (const size of shape) {
    elements *= size;
    if (elements > options.maxElements) {
      throw new Error(
        `${file}: .npy shape (${shape.join(', ')}) exceeds the limit of ${options.maxElements} elements`,
      );
    }
  }
  return { dtype, shape, elements, dataOffset: headerEnd, dataBytes: elements * bytesPerElement[dtype] };
}

function checkDataSize(header: NpyHeader, available: number, file: string): void {
  if (available < header.dataBytes) {
    throw new Error(
      `${file}: truncated .npy data: shape (${header.shape.join(', ')}) of ${header.dtype} needs ${header.dataBytes} bytes, ` +
        `the file holds ${available}`,
    );
  }
}

function typedArrayOf(dtype: NpyDtype, buffer: ArrayBuffer, elements: number): NpyData {
  switch (dtype) {
    case '<f4':
      return new Float32Array(buffer, 0, elements);
    case '<f8':
      return new Float64Array(buffer, 0, elements);
    case '<i8':
      return new BigInt64Array(buffer, 0, elements);
    case '<i4':
      return new Int32Array(buffer, 0, elements);
    case '<i2':
      return new Int16Array(buffer, 0, elements);
    case '<u2':
      return new Uint16Array(buffer, 0, elements);
    case '|i1':
      return new Int8Array(buffer, 0, elements);
    case '|u1':
    case '|b1':
      return new Uint8Array(buffer, 0, elements);
  }
}

/** Decodes a whole `.npy` file held in memory. `file` names the source in error messages. */
export function parseNpy(
  bytes: Uint8Array,
  file = '<buffer>',
  options: Partial<NpyReadOptions> = {},
): NpyArray {
  const resolved = { ...npyReadDefaults, ...options };
  const { headerStart, headerLength } = parsePreamble(bytes, file, resolved);
  const headerEnd = headerStart + headerLength;
  if (bytes.length < headerEnd) {
    throw new Error(
      `${file}: truncated .npy header (needs ${headerEnd} bytes, the file holds ${bytes.length})`,
    );
  }
  const text = new TextDecoder(bytes[6] === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, headerEnd),
  );
  const header = parseHeaderText(text, file, headerEnd, resolved);
  checkDataSize(header, bytes.length - headerEnd, file);
  // Copy into a fresh, aligned buffer: the header need not leave the data aligned for typed-array views.
  const copy = new Uint8Array(header.dataBytes);
  copy.set(bytes.subarray(headerEnd, headerEnd + header.dataBytes));
  return {
    dtype: header.dtype,
    shape: header.shape,
    data: typedArrayOf(header.dtype, copy.buffer, header.elements),
  };
}

async function openNpy(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${path}: .npy file not found`);
    throw error;
  }
}

async function readHeader(
  handle: FileHandle,
  path: string,
  options: NpyReadOptions,
): Promise<{ header: NpyHeader; size: number }> {
  const { size } = await handle.stat();
  const preamble = new Uint8Array(Math.min(preambleBytes, size));
  await handle.read(preamble, 0, preamble.length, 0);
  const { headerStart, headerLength } = parsePreamble(preamble, path, options);
  const headerEnd = headerStart + headerLength;
  if (size < headerEnd)
    throw new Error(`${path}: truncated .npy header (needs ${headerEnd} bytes, the file holds ${size})`);
  const headerBytes = new Uint8Array(headerLength);
  await handle.read(headerBytes, 0, headerLength, headerStart);
  const text = new TextDecoder(preamble[6] === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  return { header: parseHeaderText(text, path, headerEnd, options), size };
}

/** Reads a `.npy` file: header first, checked against the file size, then exactly the data bytes. */
export async function readNpy(path: string, options: Partial<NpyReadOptions> = {}): Promise<NpyArray> {
  const handle = await openNpy(path);
  try {
    const { header, size } = await readHeader(handle, path, { ...npyReadDefaults, ...options });
    checkDataSize(header, size - header.dataOffset, path);
    const data = new Uint8Array(header.dataBytes);
    let filled = 0;
    while (filled < header.dataBytes) {
      const { bytesRead } = await handle.read(
        data,
        filled,
        header.dataBytes - filled,
        header.dataOffset + filled,
      );
      if (bytesRead === 0) throw new Error(`${path}: truncated .npy data (file shrank while reading)`);
      filled += bytesRead;
    }
    return {
      dtype: header.dtype,
      shape: header.shape,
      data: typedArrayOf(header.dtype, data.buffer, header.elements),
    };
  } finally {
    await handle.close();
  }
}

/** Reads only the header of a `.npy` file (dtype and shape), e.g. to check a data set without loading it. */
export async function readNpyHeader(
  path: string,
  options: Partial<NpyReadOptions> = {},
): Promise<{ dtype: NpyDtype; shape: number[] }> {
  const handle = await openNpy(path);
  try {
    const { header } = await readHeader(handle, path, { ...npyReadDefaults, ...options });
    return { dtype: header.dtype, shape: header.shape };
  } finally {
    await handle.close();
  }
}

/** Float32 copy of any numeric `.npy` array (int64 via Number). */
export function npyToFloat32(array: NpyArray): Float32Array {
  if (array.data instanceof Float32Array) return array.data;
  const out = new Float32Array(array.data.length);
  if (array.data instanceof BigInt64Array) {
    for (let i = 0; i < out.length; i++) out[i] = Number(array.data[i]!);
  } else {
    out.set(array.data);
  }
  return out;
}

/**
 * Int32 copy of a `.npy` array holding integer labels, whatever the stored dtype (float labels are truncated as
 * `torch.Tensor.long()` does). Throws naming `file` on a non-finite value or one outside the int32 range.
 */
export function npyToInt32(array: NpyArray, file: string): Int32Array {
  if (array.data instanceof Int32Array) return array.data;
  const out = new Int32Array(array.data.length);
  const source = array.data;
  for (let i = 0; i < out.length; i++) {
    const value = typeof source[i] === 'bigint' ? Number(source[i] as bigint) : (source[i] as number);
    if (!Number.isFinite(value) || value < -2147483648 || value > 2147483647) {
      throw new Error(`${file}: label value ${String(source[i])} at element ${i} is not a finite int32`);
    }
    out[i] = Math.trunc(value);
  }
  return out;
}

function dtypeOfData(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof BigInt64Array) return '<i8';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Uint16Array) return '<u2';
  if (data instanceof Int8Array) return '|i1';
  return '|u1';
}

/**
 * Encodes an array as a `.npy` file (v1.0, or v2.0 when the header needs it; header padded to 64 bytes as numpy
 * does). `dtype` defaults from the typed array; pass '|b1' to store a Uint8Array as booleans.
 */
export function encodeNpy(array: { data: NpyData; shape: readonly number[]; dtype?: NpyDtype }): Uint8Array {
  const dtype = array.dtype ?? dtypeOfData(array.data);
  const elements = array.shape.reduce((product, size) => product * size, 1);
  if (elements !== array.data.length) {
    throw new Error(
      `encodeNpy: shape (${array.shape.join(', ')}) holds ${elements} elements, data has ${array.data.length}`,
    );
  }
  if (bytesPerElement[dtype] !== array.data.BYTES_PER_ELEMENT) {
    throw new Error(`encodeNpy: dtype ${dtype} does not match a ${array.data.constructor.name}`);
  }
  const shapeText = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const version = header.length + 11 > 65535 ? 2 : 1;
  const preamble = version === 1 ? 10 : 12;
  const total = Math.ceil((preamble + header.length + 1) / 64) * 64;
  header = header + ' '.repeat(total - preamble - header.length - 1) + '\n';
  const out = new Uint8Array(total + array.data.byteLength);
  out.set(magic, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), preamble);
  out.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength), total);
  return out;
}

/** Writes an array as a `.npy` file (atomically). */
export function writeNpy(
  path: string,
  array: { data: NpyData; shape: readonly number[]; dtype?: NpyDtype },
): void {
  writeFileAtomic(path, encodeNpy(array));
}
