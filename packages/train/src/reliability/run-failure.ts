// Turns an error thrown in the middle of a run (a backend that fails — device lost, out of memory, a missing
// kernel —, a full disk during a checkpoint write) into one message that says where the run stopped, which
// checkpoint is intact, and how to continue (resume, on another backend or after freeing space).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface RunFailureContext {
  /** Steps completed when the failure happened (the failing step is step + 1). */
  readonly step: number;
  readonly epoch: number;
  readonly outDir: string;
  /** outDir/checkpoints/last. */
  readonly lastCheckpoint: string;
}

/** An error from a run, with its cause and where it stopped. */
export class TrainingRunError extends Error {
  readonly step: number;
  constructor(message: string, step: number, cause: unknown) {
    super(message, { cause });
    this.name = 'TrainingRunError';
    this.step = step;
  }
}

/** Wraps `error` (once: a TrainingRunError is returned unchanged) with the step, the checkpoint and the way on. */
export function describeRunFailure(error: unknown, context: RunFailureContext): TrainingRunError {
  if (error instanceof TrainingRunError) return error;
  const original = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const hasCheckpoint = existsSync(join(context.lastCheckpoint, 'current.json'));
  const checkpoint = hasCheckpoint
    ? `The last good checkpoint, ${context.lastCheckpoint}, is intact (a save in progress is never made current).`
    : 'No checkpoint had been written yet.';
  const advice =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? `The file system of ${context.outDir} is full: free space, then continue with --resume ${context.outDir}.`
      : hasCheckpoint
        ? `Continue with --resume ${context.outDir}; if the backend failed, add --backend cpu (or wasm) to fall back.`
        : 'If the backend failed, rerun with --backend cpu (or wasm) to fall back.';
  return new TrainingRunError(
    `training stopped in step ${context.step + 1} (epoch ${context.epoch}): ${original}\n${checkpoint} ${advice}`,
    context.step,
    error,
  );
}
