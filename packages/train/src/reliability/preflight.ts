// Preflight of a run's output directory, before any step runs: it must be creatable (no regular file in its
// path), writable (a probe file is written, fsynced and removed) and its file system must have room for the
// checkpoints (fs.statfs: last + best + the temporary copy of a save in flight, plus a margin).
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  rmSync,
  statfsSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Free space as `fs.statfsSync` reports it (tests inject a full disk). */
export interface FreeSpace {
  readonly bavail: number;
  readonly bsize: number;
}

export interface PreflightOptions {
  /** Bytes one checkpoint takes (see `estimateCheckpointBytes`); 0 skips the free-space check. */
  readonly checkpointBytes?: number;
  /** Checkpoint copies that may exist at once: last, best and one save in flight (default 3). */
  readonly copies?: number;
  /** Extra bytes for logs, config and report (default 16 MiB). */
  readonly marginBytes?: number;
  /** Free-space probe (default `fs.statfsSync`). */
  readonly statfs?: (path: string) => FreeSpace;
}

export const preflightDefaults = { copies: 3, marginBytes: 16 * 1024 * 1024 } as const;

/** Variables × (1 + optimizer slots per variable), as float32, plus 64 KiB of JSON state. */
export function estimateCheckpointBytes(variableElements: number, optimizerSlotsPerVariable: number): number {
  return variableElements * 4 * (1 + optimizerSlotsPerVariable) + 64 * 1024;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * Creates `path` and its missing parents one level at a time. Node's `mkdirSync(path, { recursive: true })` never
 * returns for a path under /proc (libuv retries ENOENT forever), so it must not see an unchecked outDir.
 */
function createDirectories(path: string): void {
  const missing: string[] = [];
  for (let current = path; !existsSync(current); current = dirname(current)) {
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const directory of missing) mkdirSync(directory);
}

/** The first existing ancestor of `path` (or `path` itself). */
function existingAncestor(path: string): string {
  let current = resolve(path);
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

/**
 * Checks that `outDir` can hold a run, creating `outDir/checkpoints`. Throws one clear error naming the directory,
 * the cause and the fix; returns the free bytes seen (Infinity when the free-space check was skipped).
 */
export function preflightOutputDirectory(outDir: string, options: PreflightOptions = {}): number {
  const target = resolve(outDir);
  const ancestor = existingAncestor(target);
  if (!statSync(ancestor).isDirectory()) {
    throw new Error(
      `outDir: ${outDir} cannot be created: ${ancestor} is a file, not a directory (ENOTDIR). Choose another outDir.`,
    );
  }
  const probe = join(target, 'checkpoints', `.preflight-${process.pid}`);
  try {
    createDirectories(join(target, 'checkpoints'));
    const fd = openSync(probe, 'w', 0o644);
    try {
      writeSync(fd, 'preflight');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(
      `outDir: ${outDir} is not writable (${code}: ${(error as Error).message}); nothing was trained. Choose a writable outDir.`,
    );
  } finally {
    rmSync(probe, { force: true });
  }
  const checkpointBytes = options.checkpointBytes ?? 0;
  if (checkpointBytes <= 0) return Number.POSITIVE_INFINITY;
  const statfs = options.statfs ?? ((path: string) => statfsSync(path));
  const space = statfs(target);
  const free = space.bavail * space.bsize;
  const needed =
    checkpointBytes * (options.copies ?? preflightDefaults.copies) +
    (options.marginBytes ?? preflightDefaults.marginBytes);
  if (free < needed) {
    throw new Error(
      `outDir: ${outDir} has ${megabytes(free)} free, a run needs about ${megabytes(needed)} ` +
        `(${options.copies ?? preflightDefaults.copies} checkpoints of ${megabytes(checkpointBytes)} plus logs); nothing was trained. Free space or choose another outDir.`,
    );
  }
  return free;
}

/**
 * The preflight of a run: `outDir` checked as above, with the checkpoint size estimated from the variables to save
 * (Adam keeps two slots per variable, SGD with momentum one; plain SGD none is still counted as one, to be safe).
 */
export function preflightRun(
  outDir: string,
  variableMaps: readonly ReadonlyMap<string, { readonly size: number }>[],
  optimizerKind: 'adam' | 'sgd',
  options: Omit<PreflightOptions, 'checkpointBytes'> = {},
): number {
  let elements = 0;
  for (const variables of variableMaps) for (const variable of variables.values()) elements += variable.size;
  return preflightOutputDirectory(outDir, {
    ...options,
    checkpointBytes: estimateCheckpointBytes(elements, optimizerKind === 'adam' ? 2 : 1),
  });
}
