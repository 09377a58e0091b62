// The on-disk state of one sweep entry folder: config.json (planned), run/ (the trainer's outDir, holding its own
// config record, checkpoints/last and metrics.jsonl), result.json and status.json (written by the runner) and a
// .lock naming the runner and trainer. A lock whose processes are gone (this host) or whose heartbeat stopped
// (other hosts) is stale: the entry is then "interrupted" or "failed", never "running".
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readJsonIfPresent, writeTextAtomic } from './files.js';

export const RESULT_FILE = 'result.json';
/**
 * The trainer's outDir inside the entry folder. Not the entry folder itself: `partial-mtl train` writes its own
 * config.json record there (read back by `--resume`), which must not replace the planned, hashed config.json.
 */
export const TRAIN_OUT_DIRECTORY = 'run';
export const METRICS_FILE = 'metrics.jsonl';
export const STATUS_FILE = 'status.json';
export const LOG_FILE = 'train.log';
export const LOCK_FILE = '.lock';
/**
 * Present once the trainer has a checkpoint to resume from: the train package's checkpoint writer replaces
 * checkpoints/last/current.json atomically after each verified save (the bare folder may exist before that).
 */
export const CHECKPOINT_MARKER = join(TRAIN_OUT_DIRECTORY, 'checkpoints', 'last', 'current.json');

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
  /** Where result.json came from (run/metrics.jsonl: its last line). */
  resultSource?: string;
  /** The trainer's stop reason from its final summary line, when it printed one. */
  stopReason?: string;
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
  /** The trainer process, which outlives a SIGKILLed runner. */
  childPid?: number;
}

/** A lock on another host counts as held while its runner refreshes it (every LOCK_HEARTBEAT_MS). */
export const LOCK_HEARTBEAT_MS = 30_000;
export const LOCK_STALE_MS = 4 * LOCK_HEARTBEAT_MS;

function lockOwner(directory: string): LockOwner | undefined {
  const owner = readJsonIfPresent(join(directory, LOCK_FILE)) as LockOwner | undefined;
  return owner && typeof owner.pid === 'number' ? owner : undefined;
}

/**
 * On this host: held while the runner or its trainer is alive. On another host (a requeued Slurm task, a new
 * Kubernetes pod) the process cannot be checked, so the lock is held while its heartbeat is fresh.
 */
function lockIsHeld(directory: string, owner: LockOwner): boolean {
  if (owner.host === hostname()) {
    return processIsAlive(owner.pid) || (owner.childPid !== undefined && processIsAlive(owner.childPid));
  }
  return lockAgeMs(join(directory, LOCK_FILE)) < LOCK_STALE_MS;
}

function lockAgeMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** True while a live runner (or its trainer) holds the entry's lock, whatever the entry's files say. */
export function entryIsLocked(directory: string): boolean {
  const owner = lockOwner(directory);
  return owner !== undefined && lockIsHeld(directory, owner);
}

export class EntryBusyError extends Error {
  constructor(directory: string, owner: LockOwner) {
    super(`${directory} is being run by pid ${owner.childPid ?? owner.pid} on ${owner.host}`);
    this.name = 'EntryBusyError';
  }
}

export interface EntryLock {
  /** Records the trainer's pid, so a runner killed without cleanup still guards the entry. */
  setChild(pid: number | undefined): void;
  release(): void;
}

/** Takes the entry's lock for this process; a stale lock (dead owner, old heartbeat) is taken over. */
export function acquireEntryLock(directory: string): EntryLock {
  const path = join(directory, LOCK_FILE);
  for (let tries = 0; tries < 3; tries++) {
    // Write the owner to a temporary file and hard-link it into place: the link fails atomically when a lock
    // exists, and a lock is never visible half-written.
    const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}`;
    writeFileSync(temporary, JSON.stringify({ pid: process.pid, host: hostname() }));
    try {
      linkSync(temporary, path);
      const heartbeat = setInterval(() => {
        const now = new Date();
        try {
          utimesSync(path, now, now);
        } catch {
          // The folder was moved away by a re-plan: nothing left to refresh.
        }
      }, LOCK_HEARTBEAT_MS);
      heartbeat.unref();
      return {
        setChild(pid) {
          const owner: LockOwner = {
            pid: process.pid,
            host: hostname(),
            ...(pid === undefined ? {} : { childPid: pid }),
          };
          writeTextAtomic(path, JSON.stringify(owner));
        },
        release() {
          clearInterval(heartbeat);
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = lockOwner(directory);
      if (!owner && lockAgeMs(path) < LOCK_STALE_MS)
        throw new Error(`${directory} has an unreadable, recent ${LOCK_FILE}`);
      if (owner && lockIsHeld(directory, owner)) throw new EntryBusyError(directory, owner);
      rmSync(path, { force: true });
    } finally {
      rmSync(temporary, { force: true });
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

/** The last complete JSON object line of the trainer's metrics.jsonl, or undefined. */
export function lastMetricsLine(directory: string): Record<string, unknown> | undefined {
  const path = join(directory, TRAIN_OUT_DIRECTORY, METRICS_FILE);
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value))
        return value as Record<string, unknown>;
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
  if (owner && lockIsHeld(directory, owner)) return { state: 'running', result, status };
  if (status?.state === 'failed') return { state: 'failed', result, status };
  if (hasCheckpoint(directory) || status?.state === 'running')
    return { state: 'interrupted', result, status };
  return { state: 'pending', result, status };
}
