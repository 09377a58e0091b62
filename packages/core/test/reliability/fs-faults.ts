// Shared by the reliability tests of core, models and train (they import it by relative path).
// Fault injection into node:fs for tests: patches the mutating calls of the builtin module (and, through
// syncBuiltinESMExports, every ESM named import of them). `crashAt(k)` makes the k-th mutating call and every call
// after it throw without touching the disk: the files are left exactly as a process killed before that call.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const mutating = [
  'openSync',
  'writeSync',
  'writeFileSync',
  'fsyncSync',
  'renameSync',
  'rmSync',
  'mkdirSync',
  'unlinkSync',
  'rmdirSync',
] as const;
type MutatingName = (typeof mutating)[number];

export class InjectedCrash extends Error {
  constructor(readonly call: string) {
    super(`injected crash at ${call}`);
    this.name = 'InjectedCrash';
  }
}

const writeFlags = /[wa+]/;

function isMutation(name: MutatingName, args: unknown[]): boolean {
  if (name !== 'openSync') return true;
  const flags = args[1];
  return typeof flags === 'string'
    ? writeFlags.test(flags)
    : typeof flags === 'number'
      ? (flags & 3) !== 0
      : false;
}

export interface FsFaults {
  /** Mutating calls seen since `install`. */
  readonly calls: string[];
  restore(): void;
}

/**
 * Installs a hook on fs's mutating calls. `decide(index, name, args)` returns an Error to throw instead of the
 * call (the call is not made), or undefined to let it run.
 */
export function installFsFaults(
  decide: (index: number, name: string, args: unknown[]) => Error | undefined,
): FsFaults {
  const originals = new Map<MutatingName, unknown>();
  const calls: string[] = [];
  const target = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of mutating) {
    const original = target[name]!;
    originals.set(name, original);
    target[name] = (...args: unknown[]) => {
      if (isMutation(name, args)) {
        const index = calls.length;
        calls.push(name);
        const error = decide(index, name, args);
        if (error) throw error;
      }
      return original.apply(fs, args);
    };
  }
  syncBuiltinESMExports();
  return {
    calls,
    restore() {
      for (const [name, original] of originals) target[name] = original as (...args: unknown[]) => unknown;
      syncBuiltinESMExports();
    },
  };
}

/** The world stops before mutating call `k` (0-based): it and every later one throw InjectedCrash. */
export function crashAt(k: number): FsFaults {
  return installFsFaults((index, name) => (index >= k ? new InjectedCrash(`${name} #${index}`) : undefined));
}

/** The `k`-th write (writeSync) fails with ENOSPC, as on a full disk; later calls run normally. */
export function diskFullAtWrite(k: number): FsFaults {
  let writes = 0;
  return installFsFaults((_index, name) => {
    if (name !== 'writeSync' && name !== 'writeFileSync') return undefined;
    writes += 1;
    if (writes - 1 !== k) return undefined;
    return Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      errno: -28,
      syscall: 'write',
    });
  });
}
