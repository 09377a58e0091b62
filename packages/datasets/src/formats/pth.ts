// PyTorch `torch.save` files: the legacy (non-zip) serialization of the MTPSL/JTR split tables (data-formats.md §4,
// pytorch `torch/serialization.py` `_legacy_save`) and the newer zip format (`<name>/data.pkl` + `<name>/data/<key>`,
// unzipped with fflate). Only tensors, storages and OrderedDicts may appear: every other global is refused.
import { readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import { isPickleTuple, type PickleCallable, readPickle } from './pickle.js';

export type TorchDtype = 'float32' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** A tensor read from a `.pth` file, materialised in row-major order (values as float64 numbers). */
export interface TorchTensor {
  readonly kind: 'torch-tensor';
  readonly dtype: TorchDtype;
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export function isTorchTensor(value: unknown): value is TorchTensor {
  return typeof value === 'object' && value !== null && (value as { kind?: string }).kind === 'torch-tensor';
}

const storageTypes: Record<string, { dtype: TorchDtype; bytes: number }> = {
  FloatStorage: { dtype: 'float32', bytes: 4 },
  DoubleStorage: { dtype: 'float64', bytes: 8 },
  LongStorage: { dtype: 'int64', bytes: 8 },
  IntStorage: { dtype: 'int32', bytes: 4 },
  ShortStorage: { dtype: 'int16', bytes: 2 },
  CharStorage: { dtype: 'int8', bytes: 1 },
  ByteStorage: { dtype: 'uint8', bytes: 1 },
  BoolStorage: { dtype: 'bool', bytes: 1 },
};

interface StorageReference {
  readonly kind: 'storage';
  readonly key: string;
  readonly dtype: TorchDtype;
  readonly bytesPerElement: number;
  readonly elements: number;
}

interface TensorReference {
  readonly kind: 'tensor-reference';
  readonly storage: StorageReference;
  readonly offset: number;
  readonly shape: number[];
  readonly stride: number[];
}

const legacyMagic = 0x1950a86a20f9469cfc6cn;
const legacyProtocol = 1001;

function integerList(value: unknown, file: string, what: string): number[] {
  if (
    !Array.isArray(value) ||
    value.some((item) => typeof item !== 'number' || !Number.isInteger(item) || item < 0)
  ) {
    throw new Error(
      `${file}: tensor ${what} must be a tuple of non-negative integers, got ${JSON.stringify(value)}`,
    );
  }
  return value as number[];
}

function allowedGlobals(file: string): Map<string, PickleCallable | null> {
  const globals = new Map<string, PickleCallable | null>();
  globals.set('torch._utils._rebuild_tensor_v2', (args) => {
    const [storage, offset, shape, stride] = args;
    if ((storage as { kind?: string })?.kind !== 'storage')
      throw new Error(`${file}: _rebuild_tensor_v2 without a storage`);
    if (typeof offset !== 'number') throw new Error(`${file}: tensor storage offset must be an integer`);
    const reference: TensorReference = {
      kind: 'tensor-reference',
      storage: storage as StorageReference,
      offset,
      shape: integerList(shape, file, 'size'),
      stride: integerList(stride, file, 'stride'),
    };
    if (reference.shape.length !== reference.stride.length)
      throw new Error(`${file}: tensor size and stride lengths differ`);
    return reference;
  });
  globals.set('collections.OrderedDict', (args) => {
    const map = new Map<unknown, unknown>();
    const pairs = args[0];
    if (Array.isArray(pairs)) {
      for (const pair of pairs) if (Array.isArray(pair) && pair.length === 2) map.set(pair[0], pair[1]);
    }
    return map;
  });
  for (const name of Object.keys(storageTypes)) globals.set(`torch.${name}`, null);
  return globals;
}

function storageFromPersistentId(pid: unknown, file: string): StorageReference {
  if (!isPickleTuple(pid) || pid[0] !== 'storage' || pid.length < 5) {
    throw new Error(`${file}: unsupported persistent id ${JSON.stringify(pid)} (expected a torch storage)`);
  }
  const [, type, key, , elements] = pid;
  const typeName = (type as { name?: string })?.name ?? '';
  const storageType = storageTypes[typeName];
  if (!storageType) throw new Error(`${file}: unsupported storage type '${typeName}'`);
  if (
    typeof key !== 'string' ||
    typeof elements !== 'number' ||
    !Number.isInteger(elements) ||
    elements < 0
  ) {
    throw new Error(`${file}: malformed storage id ${JSON.stringify(pid)}`);
  }
  if (pid.length > 5 && pid[5] !== null) throw new Error(`${file}: storage views are not supported`);
  return { kind: 'storage', key, dtype: storageType.dtype, bytesPerElement: storageType.bytes, elements };
}

function decodeStorage(storage: StorageReference, bytes: Uint8Array, file: string): Float64Array {
  const needed = storage.elements * storage.bytesPerElement;
  if (bytes.length < needed) {
    throw new Error(
      `${file}: storage '${storage.key}' is truncated (needs ${needed} bytes, has ${bytes.length})`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, needed);
  const out = new Float64Array(storage.elements);
  for (let i = 0; i < storage.elements; i++) {
    switch (storage.dtype) {
      case 'float32':
        out[i] = view.getFloat32(i * 4, true);
        break;
      case 'float64':
        out[i] = view.getFloat64(i * 8, true);
        break;
      case 'int64':
        out[i] = Number(view.getBigInt64(i * 8, true));
        break;
      case 'int32':
        out[i] = view.getInt32(i * 4, true);
        break;
      case 'int16':
        out[i] = view.getInt16(i * 2, true);
        break;
      case 'int8':
        out[i] = view.getInt8(i);
        break;
      case 'uint8':
      case 'bool':
        out[i] = view.getUint8(i);
        break;
    }
  }
  return out;
}

/** Replaces tensor references by materialised tensors, everywhere in the unpickled object. */
function materialise(value: unknown, storages: ReadonlyMap<string, Float64Array>, file: string): unknown {
  if (Array.isArray(value)) return value.map((item) => materialise(item, storages, file));
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [key, item] of value) out.set(key, materialise(item, storages, file));
    return out;
  }
  if ((value as { kind?: string } | null)?.kind !== 'tensor-reference') return value;
  const reference = value as TensorReference;
  const source = storages.get(reference.storage.key);
  if (!source) throw new Error(`${file}: no data for storage '${reference.storage.key}'`);
  const elements = reference.shape.reduce((product, size) => product * size, 1);
  const data = new Float64Array(elements);
  const index = new Array<number>(reference.shape.length).fill(0);
  for (let i = 0; i < elements; i++) {
    let position = reference.offset;
    for (let d = 0; d < index.length; d++) position += index[d]! * reference.stride[d]!;
    if (position >= source.length) {
      throw new Error(
        `${file}: tensor of shape (${reference.shape.join(', ')}) reads past its storage of ${source.length} elements`,
      );
    }
    data[i] = source[position]!;
    for (let d = index.length - 1; d >= 0; d--) {
      index[d]! += 1;
      if (index[d]! < reference.shape[d]!) break;
      index[d] = 0;
    }
  }
  const tensor: TorchTensor = {
    kind: 'torch-tensor',
    dtype: reference.storage.dtype,
    shape: reference.shape,
    data,
  };
  return tensor;
}

function parseLegacy(bytes: Uint8Array, file: string): unknown {
  const globals = allowedGlobals(file);
  const plain = { globals: new Map<string, PickleCallable | null>(), file };
  const magic = readPickle(bytes, plain, 0);
  if (magic.value !== legacyMagic) {
    throw new Error(`${file}: not a torch.save file (the first pickle is not the legacy magic number)`);
  }
  const protocol = readPickle(bytes, plain, magic.end);
  if (protocol.value !== legacyProtocol) {
    throw new Error(
      `${file}: unsupported torch legacy protocol ${String(protocol.value)} (expected ${legacyProtocol})`,
    );
  }
  const systemInfo = readPickle(bytes, plain, protocol.end);
  if (!(systemInfo.value instanceof Map) || systemInfo.value.get('little_endian') !== true) {
    throw new Error(
      `${file}: only little-endian torch files are supported (sys_info.little_endian must be True)`,
    );
  }
  const storages = new Map<string, StorageReference>();
  const object = readPickle(
    bytes,
    {
      globals,
      file,
      persistentLoad: (pid) => {
        const storage = storageFromPersistentId(pid, file);
        const known = storages.get(storage.key);
        if (known) return known;
        storages.set(storage.key, storage);
        return storage;
      },
    },
    systemInfo.end,
  );
  const keys = readPickle(bytes, plain, object.end);
  if (!Array.isArray(keys.value) || keys.value.some((key) => typeof key !== 'string')) {
    throw new Error(`${file}: the storage key list is not a list of strings`);
  }
  let offset = keys.end;
  const data = new Map<string, Float64Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of keys.value as string[]) {
    const storage = storages.get(key);
    if (!storage) throw new Error(`${file}: storage '${key}' is listed but never referenced`);
    if (offset + 8 > bytes.length) throw new Error(`${file}: truncated before the data of storage '${key}'`);
    const count = Number(view.getBigInt64(offset, true));
    if (count !== storage.elements) {
      throw new Error(`${file}: storage '${key}' holds ${count} elements, its id says ${storage.elements}`);
    }
    offset += 8;
    const length = count * storage.bytesPerElement;
    if (offset + length > bytes.length) {
      throw new Error(
        `${file}: storage '${key}' is truncated (needs ${length} bytes, ${bytes.length - offset} left)`,
      );
    }
    data.set(key, decodeStorage(storage, bytes.subarray(offset, offset + length), file));
    offset += length;
  }
  return materialise(object.value, data, file);
}

function parseZip(bytes: Uint8Array, file: string): unknown {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (error) {
    throw new Error(`${file}: not a readable zip archive (${(error as Error).message})`);
  }
  const pickleName = Object.keys(entries).find((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (!pickleName) throw new Error(`${file}: zip-format torch file without '<name>/data.pkl'`);
  const prefix = pickleName.slice(0, -'data.pkl'.length);
  const byteOrder = entries[`${prefix}byteorder`];
  if (byteOrder && new TextDecoder().decode(byteOrder).trim() !== 'little') {
    throw new Error(
      `${file}: only little-endian torch files are supported (${prefix}byteorder says '${new TextDecoder().decode(byteOrder).trim()}')`,
    );
  }
  const storages = new Map<string, StorageReference>();
  const object = readPickle(entries[pickleName]!, {
    globals: allowedGlobals(file),
    file: `${file}:${pickleName}`,
    persistentLoad: (pid) => {
      const storage = storageFromPersistentId(pid, file);
      storages.set(storage.key, storage);
      return storage;
    },
  });
  const data = new Map<string, Float64Array>();
  for (const storage of storages.values()) {
    const entry = entries[`${prefix}data/${storage.key}`];
    if (!entry) throw new Error(`${file}: zip-format torch file lacks '${prefix}data/${storage.key}'`);
    data.set(storage.key, decodeStorage(storage, entry, `${file}:${prefix}data/${storage.key}`));
  }
  return materialise(object.value, data, file);
}

/**
 * Decodes a `torch.save` file held in memory (legacy or zip format). Dicts come back as `Map`s and tensors as
 * `TorchTensor`s; only tensor-building globals are allowed, anything else is an error and nothing runs.
 */
export function parseTorchFile(bytes: Uint8Array, file = '<buffer>'): unknown {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return parseZip(bytes, file);
  }
  if (bytes.length < 2 || bytes[0] !== 0x80)
    throw new Error(`${file}: not a torch.save file (expected a pickle or a zip archive)`);
  return parseLegacy(bytes, file);
}

/** Reads and decodes a `torch.save` file. */
export async function readTorchFile(path: string): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${path}: file not found`);
    throw error;
  }
  return parseTorchFile(bytes, path);
}
