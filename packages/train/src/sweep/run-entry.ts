// Runs one plan entry idempotently: a finished entry returns its stored result at once; otherwise the trainer
// runs as a child process (`train --config <entry>/config.json --out <entry>/run`, or `train --resume
// <entry>/run` once a checkpoint exists), retried on crash. The train CLI writes no result.json, so the runner
// writes <entry>/result.json from the last line of run/metrics.jsonl (or copies run/result.json if present).
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configHash } from './canonical-json.js';
import {
  acquireEntryLock,
  type EntryLock,
  type EntryStatus,
  hasCheckpoint,
  LOG_FILE,
  lastMetricsLine,
  METRICS_FILE,
  RESULT_FILE,
  readResult,
  STATUS_FILE,
  TRAIN_OUT_DIRECTORY,
} from './entry-state.js';
import { readJsonIfPresent, writeJsonAtomic } from './files.js';
import { CONFIG_FILE, entryDirectory, type PlanEntry } from './plan.js';

/** The train CLI shipped next to this module (dist/cli.js). */
export function defaultTrainCommand(): string[] {
  return [process.execPath, fileURLToPath(new URL('../cli.js', import.meta.url))];
}

/** Arguments appended to the command: a fresh run, or a resume from the checkpoint in <entry>/run. */
export function trainArguments(directory: string, resume: boolean): string[] {
  const outDirectory = join(directory, TRAIN_OUT_DIRECTORY);
  return resume
    ? ['train', '--resume', outDirectory]
    : ['train', '--config', join(directory, CONFIG_FILE), '--out', outDirectory];
}

export interface RunEntryOptions {
  /** Command prefix that runs the trainer; defaults to `node <dist/cli.js>`. */
  command?: string[];
  /** Extra attempts after a crash (each resumes from the last checkpoint when there is one). */
  retries?: number;
  /**
   * `inherit` streams all trainer output to our stderr (Slurm logs), leaving stdout to the caller's result;
   * `file` appends it to <entry>/train.log.
   */
  output?: 'inherit' | 'file';
  /** Aborting sends SIGTERM to the trainer (it checkpoints and stops); the entry stays unfinished. */
  signal?: AbortSignal;
  onAttempt?: (event: {
    entry: PlanEntry;
    attempt: number;
    resumed: boolean;
    pid: number | undefined;
  }) => void;
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

interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The trainer's final JSON summary line on stdout (`{ outDir, stopReason, step, best }`), if any. */
  summary: Record<string, unknown> | undefined;
}

const SUMMARY_TAIL_BYTES = 64 * 1024;

function lastJsonObjectLine(text: string): Record<string, unknown> | undefined {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value))
        return value as Record<string, unknown>;
    } catch {
      // Not the summary.
    }
  }
  return undefined;
}

/** Forwards the child's stdout (to the log or our stderr) while keeping its tail, and waits for the exit. */
function waitForExit(child: ChildProcess, logFd: number | undefined): Promise<ChildExit> {
  let tail = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    if (logFd === undefined) process.stderr.write(chunk);
    else writeSync(logFd, chunk);
    tail = (tail + chunk.toString('utf8')).slice(-SUMMARY_TAIL_BYTES);
  });
  return new Promise((resolvePromise) => {
    child.once('error', () => resolvePromise({ code: null, signal: null, summary: undefined }));
    child.once('close', (code, signal) =>
      resolvePromise({ code, signal, summary: lastJsonObjectLine(tail) }),
    );
  });
}

/** Fails early when the entry's config.json is not the config the plan hashed. */
export function verifyEntryConfig(runsDirectory: string, entry: PlanEntry): void {
  const config = readJsonIfPresent(join(entryDirectory(runsDirectory, entry), CONFIG_FILE));
  if (config === undefined) throw new Error(`entry ${entry.id} has no readable ${CONFIG_FILE}: re-run plan`);
  if (configHash(config) !== entry.hash) {
    throw new Error(
      `entry ${entry.id}: ${CONFIG_FILE} does not match plan.json (edited by hand?); re-run plan`,
    );
  }
}

/** Decides whether a finished process produced a result, writing <entry>/result.json when it did. */
function settle(directory: string, exit: ChildExit, aborted: boolean, status: EntryStatus): void {
  if (exit.code !== 0) {
    status.reason = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
    return;
  }
  if (aborted || exit.summary?.['stopReason'] === 'signal') {
    status.reason = 'stopped by a signal (checkpointed; run again to resume)';
    return;
  }
  const trainerResult = readJsonIfPresent(join(directory, TRAIN_OUT_DIRECTORY, RESULT_FILE));
  const result =
    typeof trainerResult === 'object' && trainerResult !== null && !Array.isArray(trainerResult)
      ? (trainerResult as Record<string, unknown>)
      : lastMetricsLine(directory);
  if (!result) {
    status.reason = `exit code 0 but no ${TRAIN_OUT_DIRECTORY}/${RESULT_FILE} and no ${TRAIN_OUT_DIRECTORY}/${METRICS_FILE}`;
    return;
  }
  writeJsonAtomic(join(directory, RESULT_FILE), result);
  status.state = 'done';
  status.resultSource = `${TRAIN_OUT_DIRECTORY}/${trainerResult === result ? RESULT_FILE : METRICS_FILE}`;
  if (exit.summary?.['stopReason'] !== undefined) status.stopReason = String(exit.summary['stopReason']);
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
  try {
    const status: EntryStatus = {
      state: 'running',
      attempt,
      resumed,
      host: hostname(),
      startedAt: new Date().toISOString(),
    };
    const child = spawn(executable, [...prefix, ...trainArguments(directory, resumed)], {
      stdio: ['ignore', 'pipe', logFd === undefined ? 'inherit' : logFd],
      env: { ...process.env, PARTIAL_MTL_SWEEP_ENTRY: entry.id },
    });
    const exited = waitForExit(child, logFd);
    const stop = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', stop, { once: true });
    status.pid = child.pid;
    lock.setChild(child.pid);
    writeJsonAtomic(join(directory, STATUS_FILE), status);
    options.onAttempt?.({ entry, attempt, resumed, pid: child.pid });
    const exit = await exited;
    options.signal?.removeEventListener('abort', stop);
    const finished: EntryStatus = {
      ...status,
      state: 'failed',
      finishedAt: new Date().toISOString(),
      exitCode: exit.code,
      signal: exit.signal,
    };
    settle(directory, exit, options.signal?.aborted ?? false, finished);
    writeJsonAtomic(join(directory, STATUS_FILE), finished);
    return finished;
  } finally {
    if (logFd !== undefined) closeSync(logFd);
  }
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
