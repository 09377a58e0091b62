// Local worker pool: runs every unfinished plan entry as its own trainer process, at most `workers` at a time,
// retrying crashes (resuming from checkpoints), and reports each state change to a progress callback.
// No scheduling beyond that: on a cluster, Slurm arrays or Kubernetes Indexed Jobs run `run --index` instead.
import { inspectEntry } from './entry-state.js';
import { entryDirectory, type Plan, type PlanEntry, readPlan } from './plan.js';
import { type EntryOutcome, type RunEntryOptions, runEntry } from './run-entry.js';

export type PoolEvent =
  | { kind: 'queued'; entry: PlanEntry }
  | { kind: 'cached'; entry: PlanEntry }
  | { kind: 'started'; entry: PlanEntry; attempt: number; resumed: boolean; pid: number | undefined }
  | { kind: 'finished'; entry: PlanEntry; outcome: EntryOutcome }
  | { kind: 'error'; entry: PlanEntry; message: string };

export interface SweepOptions extends Pick<RunEntryOptions, 'command' | 'retries' | 'signal'> {
  workers?: number;
  /** Only these indices (default: the whole plan). */
  indices?: number[];
  onEvent?: (event: PoolEvent) => void;
}

export interface SweepSummary {
  plan: Plan;
  outcomes: EntryOutcome[];
  /** Entries that could not start (busy elsewhere, config mismatch). */
  errors: { entry: PlanEntry; message: string }[];
  done: number;
  failed: number;
}

/** Runs the plan in `runsDirectory` with a local pool; resolves when every selected entry finished or failed. */
export async function runSweep(runsDirectory: string, options: SweepOptions = {}): Promise<SweepSummary> {
  const plan = readPlan(runsDirectory);
  const workers = Math.max(1, Math.floor(options.workers ?? 1));
  const selected = options.indices
    ? plan.entries.filter((entry) => options.indices!.includes(entry.index))
    : plan.entries;
  const queue: PlanEntry[] = [];
  const outcomes: EntryOutcome[] = [];
  const errors: SweepSummary['errors'] = [];
  for (const entry of selected) {
    const inspection = inspectEntry(entryDirectory(runsDirectory, entry));
    if (inspection.state === 'done') {
      outcomes.push({
        entry,
        state: 'done',
        cached: true,
        attempts: 0,
        result: inspection.result,
        status: inspection.status,
      });
      options.onEvent?.({ kind: 'cached', entry });
    } else {
      queue.push(entry);
      options.onEvent?.({ kind: 'queued', entry });
    }
  }
  const worker = async (): Promise<void> => {
    for (let entry = queue.shift(); entry; entry = queue.shift()) {
      if (options.signal?.aborted) return;
      try {
        const outcome = await runEntry(runsDirectory, entry, {
          command: options.command,
          retries: options.retries,
          signal: options.signal,
          output: 'file',
          onAttempt: (event) => options.onEvent?.({ kind: 'started', ...event }),
        });
        outcomes.push(outcome);
        options.onEvent?.({ kind: 'finished', entry, outcome });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        errors.push({ entry, message });
        options.onEvent?.({ kind: 'error', entry, message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, Math.max(1, queue.length)) }, () => worker()));
  outcomes.sort((a, b) => a.entry.index - b.entry.index);
  const done = outcomes.filter((outcome) => outcome.state === 'done').length;
  return { plan, outcomes, errors, done, failed: selected.length - done };
}
