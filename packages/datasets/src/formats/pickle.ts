// A small, safe Python pickle reader (protocols 2–5, the opcodes `torch.save` emits; CPython `Lib/pickle.py`,
// data-formats.md §4). Globals are resolved through a caller-supplied WHITELIST: any other global (`os.system`,
// `builtins.eval`, …) is rejected when its GLOBAL opcode is read, so nothing is ever called. No `exec`/`eval`.

/** A Python global named by a pickle (`module.name`), resolved by the whitelist. */
export interface PickleGlobal {
  readonly kind: 'global';
  readonly module: string;
  readonly name: string;
}

/** How a whitelisted global behaves when the pickle calls it (REDUCE). */
export type PickleCallable = (args: readonly unknown[]) => unknown;

export interface PickleOptions {
  /** Allowed globals by `module.name`; a value of `null` allows the symbol but forbids calling it. */
  readonly globals: ReadonlyMap<string, PickleCallable | null>;
  /** Handler for persistent ids (BINPERSID), e.g. torch storages. Without one, BINPERSID is an error. */
  readonly persistentLoad?: (pid: unknown) => unknown;
  /** Names the source in error messages. */
  readonly file: string;
  /** Handler for BUILD (`__setstate__`): returns the object that replaces `target`. Without one, BUILD is an error. */
  readonly build?: (target: unknown, state: unknown) => unknown;
}

/** Python tuples are frozen arrays tagged so they can be told apart from lists. */
export type PickleTuple = readonly unknown[] & { readonly pickleTuple: true };

function tuple(items: unknown[]): PickleTuple {
  Object.defineProperty(items, 'pickleTuple', { value: true });
  return Object.freeze(items) as unknown as PickleTuple;
}

export function isPickleTuple(value: unknown): value is PickleTuple {
  return Array.isArray(value) && (value as { pickleTuple?: boolean }).pickleTuple === true;
}

/** Result of one pickle: the object and the offset just after its STOP opcode. */
export interface PickleResult {
  readonly value: unknown;
  readonly end: number;
}

/**
 * Runs one pickle starting at `start` and returns its value and where it ended (files may hold several pickles
 * back to back, like legacy `torch.save`). Python dicts become `Map`s, lists arrays, tuples frozen arrays
 * (see `isPickleTuple`), ints numbers (bigint beyond 2^53), str strings, bytes Uint8Arrays.
 */
export function readPickle(bytes: Uint8Array, options: PickleOptions, start = 0): PickleResult {
  const file = options.file;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let offset = start;
  let opcodeOffset = start;

  const fail = (message: string): never => {
    throw new Error(`${file}: pickle byte ${opcodeOffset}: ${message}`);
  };
  const need = (count: number): void => {
    if (count < 0 || offset + count > bytes.length)
      fail(`truncated pickle (needs ${count} more bytes, ${bytes.length - offset} left)`);
  };
  const u8 = (): number => {
    need(1);
    return bytes[offset++]!;
  };
  const u16 = (): number => {
    need(2);
    const value = view.getUint16(offset, true);
    offset += 2;
    return value;
  };
  const u32 = (): number => {
    need(4);
    const value = view.getUint32(offset, true);
    offset += 4;
    return value;
  };
  const u64 = (): number => {
    need(8);
    const value = view.getBigUint64(offset, true);
    offset += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`length ${value} is too large`);
    return Number(value);
  };
  const take = (count: number): Uint8Array => {
    need(count);
    const slice = bytes.subarray(offset, offset + count);
    offset += count;
    return slice;
  };
  const utf8 = (count: number): string => new TextDecoder('utf-8').decode(take(count));
  const line = (): string => {
    const end = bytes.indexOf(0x0a, offset);
    if (end < 0) fail('truncated pickle (unterminated GLOBAL line)');
    const text = new TextDecoder('utf-8').decode(bytes.subarray(offset, end));
    offset = end + 1;
    return text;
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!))
      fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const mark = marks.pop();
    if (mark === undefined) fail('MARK expected');
    return stack.splice(mark!);
  };
  const resolveGlobal = (module: string, name: string): PickleGlobal => {
    const qualified = `${module}.${name}`;
    if (!options.globals.has(qualified)) {
      fail(
        `global '${qualified}' is not allowed (allowed: ${[...options.globals.keys()].join(', ')}); ` +
          'refusing to load this pickle, nothing was executed',
      );
    }
    return { kind: 'global', module, name };
  };
  const signedLittleEndian = (raw: Uint8Array): number | bigint => {
    if (raw.length === 0) return 0;
    let value = 0n;
    for (let i = raw.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]!);
    if (raw[raw.length - 1]! & 0x80) value -= 1n << BigInt(8 * raw.length);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Map)) fail('SETITEM(S) on something that is not a dict');
    if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) (target as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const append = (target: unknown, items: unknown[]): void => {
    if (!Array.isArray(target) || isPickleTuple(target)) fail('APPEND(S) on something that is not a list');
    (target as unknown[]).push(...items);
  };

  for (;;) {
    opcodeOffset = offset;
    const opcode = u8();
    switch (opcode) {
      case 0x80: // PROTO
        if (u8() > 5) fail('unsupported pickle protocol');
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length !== 0) fail(`STOP with ${stack.length} values on the stack`);
        return { value: stack[0], end: offset };
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(offset, true));
        offset += 4;
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(signedLittleEndian(take(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(signedLittleEndian(take(u32())));
        break;
      case 0x47: // BINFLOAT (big-endian double)
        need(8);
        stack.push(view.getFloat64(offset, false));
        offset += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(u64()));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(new TextDecoder('latin1').decode(take(u8())));
        break;
      case 0x54: // BINSTRING
        stack.push(new TextDecoder('latin1').decode(take(u32())));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(tuple([]));
        break;
      case 0x64: {
        // DICT
        const map = new Map();
        setItems(map, popMark());
        stack.push(map);
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x74: // TUPLE
        stack.push(tuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(tuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const second = pop();
        stack.push(tuple([pop(), second]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const third = pop();
        const second = pop();
        stack.push(tuple([pop(), second, third]));
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const key = opcode === 0x68 ? u8() : u32();
        if (!memo.has(key)) fail(`memo key ${key} was never stored`);
        stack.push(memo.get(key));
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(resolveGlobal(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL expects two strings');
        stack.push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x51: {
        // BINPERSID
        if (!options.persistentLoad) fail('persistent id found but no persistent loader was given');
        stack.push(options.persistentLoad!(pop()));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop() as PickleGlobal;
        if (!callable || (callable as { kind?: string }).kind !== 'global')
          fail('REDUCE on something that is not a global');
        const implementation = options.globals.get(`${callable.module}.${callable.name}`);
        if (!implementation) fail(`global '${callable.module}.${callable.name}' may not be called`);
        if (!Array.isArray(args)) fail('REDUCE arguments are not a tuple');
        stack.push(implementation!(args as unknown[]));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const target = pop();
        if (!options.build) fail('BUILD (object state) is not supported in this file');
        stack.push(options.build!(target, state));
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        // APPEND
        const value = pop();
        append(top(), [value]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      default:
        fail(
          `unsupported pickle opcode 0x${opcode.toString(16).padStart(2, '0')} ('${String.fromCharCode(opcode)}')`,
        );
    }
  }
}
