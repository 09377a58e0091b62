// Object arrays in `.npy` files (`descr: '|O'`): numpy writes them as a pickle of the ndarray (`numpy/lib/format.py`
// `write_array`, protocol 2–4). Used by the PASCAL-Context split files of VICO-UoE/MTPSL (data-formats.md §4). Only
// `numpy.(_)core.multiarray._reconstruct`, `numpy.ndarray`, `numpy.dtype` and `_codecs.encode` are allowed.
import { readFile } from 'node:fs/promises';
import { type PickleCallable, readPickle } from './pickle.js';

interface ArrayPlaceholder {
  readonly kind: 'ndarray';
  shape?: number[];
  items?: unknown[];
}

interface DtypePlaceholder {
  readonly kind: 'dtype';
  readonly code: string;
}

function objectGlobals(file: string): Map<string, PickleCallable | null> {
  const globals = new Map<string, PickleCallable | null>();
  const reconstruct: PickleCallable = () => ({ kind: 'ndarray' }) satisfies ArrayPlaceholder;
  globals.set('numpy.core.multiarray._reconstruct', reconstruct);
  globals.set('numpy._core.multiarray._reconstruct', reconstruct);
  globals.set('numpy.ndarray', null);
  globals.set('numpy.dtype', (args) => ({ kind: 'dtype', code: String(args[0]) }) satisfies DtypePlaceholder);
  globals.set('_codecs.encode', (args) => {
    if (typeof args[0] !== 'string') throw new Error(`${file}: _codecs.encode expects a string`);
    return Uint8Array.from(args[0], (char) => char.charCodeAt(0) & 255);
  });
  return globals;
}

function build(target: unknown, state: unknown, file: string): unknown {
  const kind = (target as { kind?: string } | null)?.kind;
  if (kind === 'dtype') return target;
  if (kind !== 'ndarray' || !Array.isArray(state))
    throw new Error(`${file}: unexpected BUILD in an object array pickle`);
  const [, shape, dtype, fortran, data] = state as [unknown, unknown, DtypePlaceholder, unknown, unknown];
  if (dtype?.kind !== 'dtype' || !dtype.code.startsWith('O')) {
    throw new Error(
      `${file}: only object arrays are supported inside a pickled .npy (got dtype ${dtype?.code ?? '?'})`,
    );
  }
  if (fortran === true) throw new Error(`${file}: Fortran-ordered object arrays are not supported`);
  if (!Array.isArray(shape) || !Array.isArray(data)) throw new Error(`${file}: malformed ndarray state`);
  const placeholder = target as ArrayPlaceholder;
  placeholder.shape = shape as number[];
  placeholder.items = data as unknown[];
  return placeholder;
}

/**
 * Decodes an object-array `.npy` held in memory. A 0-d array returns its single element (e.g. a `Map` for a pickled
 * dict); other shapes return `{ shape, items }` with the elements in C order.
 */
export function parseObjectNpy(bytes: Uint8Array, file = '<buffer>'): unknown {
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') {
    throw new Error(`${file}: not a .npy file (bad magic; expected \\x93NUMPY)`);
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerStart = major === 1 ? 10 : 12;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > 10_000 || headerStart + headerLength > bytes.length)
    throw new Error(`${file}: truncated or oversized .npy header`);
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  if (!/['"]descr['"]\s*:\s*['"]\|O['"]/.test(header))
    throw new Error(`${file}: expected an object array (descr '|O')`);
  const { value } = readPickle(
    bytes,
    { globals: objectGlobals(file), file, build: (target, state) => build(target, state, file) },
    headerStart + headerLength,
  );
  const array = value as ArrayPlaceholder;
  if (array?.kind !== 'ndarray' || !array.shape || !array.items)
    throw new Error(`${file}: the pickle is not an ndarray`);
  return array.shape.length === 0 ? array.items[0] : { shape: array.shape, items: array.items };
}

export async function readObjectNpy(path: string): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${path}: .npy file not found`);
    throw error;
  }
  return parseObjectNpy(bytes, path);
}
