// The on-disk state of one sweep entry folder: result.json (finished), status.json (written by the runner),
// checkpoints/last/current.json (resumable) and a .lock naming the process that runs it. Readers never trust a lock whose
// process is gone on this host, so a SIGKILLed worker leaves an entry "interrupted", not "running".
import { existsSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readJsonIfPresent } from './files.js';

export const RESULT_FILE = 'result.json';
export const METRICS_FILE = 'metrics.jsonl';
export const STATUS_FILE = 'status.json';
export const LOG_FILE = 'train.log';
export const LOCK_FILE = '.lock';
/**
 * Present once the trainer has a checkpoint to resume from: the train package's checkpoint writer replaces
 * checkpoints/last/current.json atomically after each verified save (the bare folder may exist before that).
 */
export const CHECKPOINT_MARKER = join('checkpoints', 'last', 'current.json');

export type EntryState = 'done' | 'failed' | 'running' | 'interrupted' | 'pending';

/** What the runner records in status.json. */
export interface EntryStatus {
  state: 'running' | 'done' | 'failed';
  attempt: number;
  resumed: boolean;
  host: string;
  pid?: number;
  startedAt: string;
  finishedAt?: string;
  exitCode?: number | null;
  signal?: string | null;
  /** Why a finished process still counts as failed (e.g. it wrote no result). */
  reason?: string;
  /** Where result.json came from when the trainer did not write it. */
  resultSource?: string;
}

export interface EntryInspection {
  state: EntryState;
  result: Record<string, unknown> | undefined;
  status: EntryStatus | undefined;
}

export function hasCheckpoint(directory: string): boolean {
  return existsSync(join(directory, CHECKPOINT_MARKER));
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockOwner {
  pid: number;
  host: string;
}

function lockOwner(directory: string): LockOwner | undefined {
  const owner = readJsonIfPresent(join(directory, LOCK_FILE)) as LockOwner | undefined;
  return owner && typeof owner.pid === 'number' ? owner : undefined;
}

/** True when the lock's owner is alive, or lives on another host (which this host cannot check). */
function lockIsHeld(owner: LockOwner): boolean {
  return owner.host !== hostname() || processIsAlive(owner.pid);
}

export class EntryBusyError extends Error {
  constructor(directory: string, owner: LockOwner) {
    super(`${directory} is being run by pid ${owner.pid} on ${owner.host}`);
    this.name = 'EntryBusyError';
  }
}

/** Takes the entry's lock for this process; a lock left by a dead process on this host is taken over. */
export function acquireEntryLock(directory: string): () => void {
  const path = join(directory, LOCK_FILE);
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = lockOwner(directory);
      if (owner && lockIsHeld(owner)) throw new EntryBusyError(directory, owner);
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not lock ${directory}`);
}

export function readResult(directory: string): Record<string, unknown> | undefined {
  const result = readJsonIfPresent(join(directory, RESULT_FILE));
  return typeof result === 'object' && result !== null && !Array.isArray(result)
    ? (result as Record<string, unknown>)
    : undefined;
}

/** The last complete JSON object line of metrics.jsonl, or undefined. */
export function lastMetricsLine(directory: string): Record<string, unknown> | undefined {
  const path = join(directory, METRICS_FILE);
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // A torn last line from a killed trainer: look further up.
    }
  }
  return undefined;
}

export function inspectEntry(directory: string): EntryInspection {
  const result = readResult(directory);
  const status = readJsonIfPresent(join(directory, STATUS_FILE)) as EntryStatus | undefined;
  if (result) return { state: 'done', result, status };
  const owner = lockOwner(directory);
  if (owner && lockIsHeld(owner)) return { state: 'running', result, status };
  if (status?.state === 'failed') return { state: 'failed', result, status };
  if (hasCheckpoint(directory) || status?.state === 'running') return { state: 'interrupted', result, status };
  return { state: 'pending', result, status };
}
