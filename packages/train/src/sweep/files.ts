// Small file helpers for the sweep orchestrator: atomic JSON writes (temp file + rename) and tolerant reads.
// Kept local rather than importing @partial-mtl/core so planning and pooling never load TensorFlow.js.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Writes `text` to `target` through a temporary sibling and a rename, so readers never see a torn file. */
export function writeTextAtomic(target: string, text: string): void {
  const temporary = join(
    dirname(target),
    `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Writes pretty-printed JSON (two-space indent, trailing newline) atomically. */
export function writeJsonAtomic(target: string, value: unknown): void {
  writeTextAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/** Parses a JSON file, or returns undefined when it is missing or unreadable (e.g. mid-write by a crashed run). */
export function readJsonIfPresent(path: string): unknown {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}
