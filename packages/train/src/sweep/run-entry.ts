// Runs one plan entry idempotently: a finished entry returns its stored result at once; otherwise the trainer
// runs as a child process (`train --config <entry>/config.json --out <entry>`, or `train --resume <entry>` once
// a checkpoint exists), retried on crash. A trainer that writes no result.json gets one from metrics.jsonl.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configHash } from './canonical-json.js';
import {
  acquireEntryLock,
  hasCheckpoint,
  lastMetricsLine,
  LOG_FILE,
  METRICS_FILE,
  readResult,
  RESULT_FILE,
  STATUS_FILE,
  type EntryLock,
  type EntryStatus,
} from './entry-state.js';
import { readJsonIfPresent, writeJsonAtomic } from './files.js';
import { CONFIG_FILE, entryDirectory, type PlanEntry } from './plan.js';

/** The train CLI shipped next to this module (dist/cli.js). */
export function defaultTrainCommand(): string[] {
  return [process.execPath, fileURLToPath(new URL('../cli.js', import.meta.url))];
}

/** Arguments appended to the command: a fresh run, or a resume from the entry folder's checkpoint. */
export function trainArguments(directory: string, resume: boolean): string[] {
  return resume
    ? ['train', '--resume', directory]
    : ['train', '--config', join(directory, CONFIG_FILE), '--out', directory];
}

export interface RunEntryOptions {
  /** Command prefix that runs the trainer; defaults to `node <dist/cli.js>`. */
  command?: string[];
  /** Extra attempts after a crash (each resumes from the last checkpoint when there is one). */
  retries?: number;
  /** `inherit` streams the trainer's output (Slurm logs); `file` appends it to <entry>/train.log. */
  output?: 'inherit' | 'file';
  /** Aborting kills the running trainer with SIGTERM. */
  signal?: AbortSignal;
  onAttempt?: (event: { entry: PlanEntry; attempt: number; resumed: boolean; pid: number | undefined }) => void;
}

export interface EntryOutcome {
  entry: PlanEntry;
  state: 'done' | 'failed';
  /** True when the entry was already finished and nothing ran. */
  cached: boolean;
  attempts: number;
  result: Record<string, unknown> | undefined;
  status: EntryStatus | undefined;
}

function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolvePromise) => {
    child.once('error', () => resolvePromise({ code: null, signal: null }));
    child.once('exit', (code, signal) => resolvePromise({ code, signal }));
  });
}

/** Fails early when the entry's config.json is not the config the plan hashed. */
export function verifyEntryConfig(runsDirectory: string, entry: PlanEntry): void {
  const config = readJsonIfPresent(join(entryDirectory(runsDirectory, entry), CONFIG_FILE));
  if (config === undefined) throw new Error(`entry ${entry.id} has no readable ${CONFIG_FILE}: re-run plan`);
  if (configHash(config) !== entry.hash) {
    throw new Error(`entry ${entry.id}: ${CONFIG_FILE} does not match plan.json (edited by hand?); re-run plan`);
  }
}

async function runAttempt(
  directory: string,
  entry: PlanEntry,
  attempt: number,
  lock: EntryLock,
  options: RunEntryOptions,
): Promise<EntryStatus> {
  const resumed = hasCheckpoint(directory);
  const [executable, ...prefix] = options.command ?? defaultTrainCommand();
  if (!executable) throw new Error('empty runner command');
  const logFd = options.output === 'inherit' ? undefined : openSync(join(directory, LOG_FILE), 'a');
  const status: EntryStatus = {
    state: 'running',
    attempt,
    resumed,
    host: hostname(),
    startedAt: new Date().toISOString(),
  };
  let child: ChildProcess;
  try {
    child = spawn(executable, [...prefix, ...trainArguments(directory, resumed)], {
      stdio: logFd === undefined ? 'inherit' : ['ignore', logFd, logFd],
      env: { ...process.env, PARTIAL_MTL_SWEEP_ENTRY: entry.id },
    });
  } finally {
    if (logFd !== undefined) closeSync(logFd);
  }
  const stop = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', stop, { once: true });
  status.pid = child.pid;
  lock.setChild(child.pid);
  writeJsonAtomic(join(directory, STATUS_FILE), status);
  options.onAttempt?.({ entry, attempt, resumed, pid: child.pid });
  const exit = await waitForExit(child);
  options.signal?.removeEventListener('abort', stop);
  const finished: EntryStatus = {
    ...status,
    finishedAt: new Date().toISOString(),
    exitCode: exit.code,
    signal: exit.signal,
    state: 'failed',
  };
  if (exit.code === 0) {
    if (readResult(directory)) finished.state = 'done';
    else {
      const last = lastMetricsLine(directory);
      if (last) {
        writeJsonAtomic(join(directory, RESULT_FILE), last);
        finished.state = 'done';
        finished.resultSource = METRICS_FILE;
      } else finished.reason = `exit code 0 but no ${RESULT_FILE} and no ${METRICS_FILE}`;
    }
  } else finished.reason = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  writeJsonAtomic(join(directory, STATUS_FILE), finished);
  return finished;
}

/** Runs `entry` until it has a result or its retries are spent; never runs a finished entry again. */
export async function runEntry(
  runsDirectory: string,
  entry: PlanEntry,
  options: RunEntryOptions = {},
): Promise<EntryOutcome> {
  const directory = entryDirectory(runsDirectory, entry);
  const stored = readResult(directory);
  const previous = readJsonIfPresent(join(directory, STATUS_FILE)) as EntryStatus | undefined;
  if (stored) return { entry, state: 'done', cached: true, attempts: 0, result: stored, status: previous };
  verifyEntryConfig(runsDirectory, entry);
  const lock = acquireEntryLock(directory);
  try {
    const firstAttempt = (previous?.attempt ?? 0) + 1;
    const retries = Math.max(0, options.retries ?? 0);
    let status: EntryStatus | undefined;
    let attempts = 0;
    while (attempts <= retries && !options.signal?.aborted) {
      status = await runAttempt(directory, entry, firstAttempt + attempts, lock, options);
      attempts++;
      if (status.state === 'done') {
        return { entry, state: 'done', cached: false, attempts, result: readResult(directory), status };
      }
    }
    return { entry, state: 'failed', cached: false, attempts, result: undefined, status };
  } finally {
    lock.release();
  }
}
