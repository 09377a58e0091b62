// A small pool of worker threads (node:worker_threads) that prepare batches in parallel (sample-worker.ts). Jobs go
// to the least busy worker, at most `jobsPerWorker` in flight each; batches come back as transferred buffers.
// Idle workers are unref'd, so a forgotten pool does not keep the process alive; `close()` terminates them.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TaskSpec } from '@partial-mtl/core';
import type { PackedBatch } from './pack-batch.js';
import type { SampleJob } from './prepare-sample.js';
import type { SourceDescriptor } from './source-registry.js';

export interface WorkerPoolOptions {
  readonly workers: number;
  readonly descriptor: SourceDescriptor | undefined;
  readonly tasks: readonly TaskSpec[];
  /** Node flags for the workers (default: the main thread's). */
  readonly execArgv?: readonly string[];
  readonly jobsPerWorker?: number;
}

interface PendingJob {
  readonly id: number;
  readonly jobs: readonly SampleJob[];
  readonly resolve: (batch: PackedBatch) => void;
  readonly reject: (error: Error) => void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly inFlight: Map<number, PendingJob>;
}

const runningFromSources = import.meta.url.endsWith('.ts');

/**
 * How to start a worker. Compiled code runs `sample-worker.js`. When this module runs from its TypeScript sources
 * (tests, tsx), the worker first registers tsx's ESM hooks (a dev dependency) and then imports `sample-worker.ts`.
 */
function workerEntry(): { script: string | URL; eval: boolean } {
  if (!runningFromSources) return { script: new URL('./sample-worker.js', import.meta.url), eval: false };
  const tsxApi = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const worker = new URL('./sample-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(pathToFileURL(tsxApi).href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}); })`;
  return { script: code, eval: true };
}

export class SampleWorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: PendingJob[] = [];
  private readonly jobsPerWorker: number;
  private nextId = 0;
  private failure: Error | undefined;
  private closed = false;

  constructor(options: WorkerPoolOptions) {
    this.jobsPerWorker = options.jobsPerWorker ?? 2;
    const start = workerEntry();
    for (let i = 0; i < options.workers; i++) {
      const worker = new Worker(start.script, {
        eval: start.eval,
        workerData: { descriptor: options.descriptor, tasks: options.tasks },
        ...(options.execArgv ? { execArgv: [...options.execArgv] } : {}),
      });
      const entry: PoolWorker = { worker, inFlight: new Map() };
      worker.unref();
      worker.on('message', (message: { id: number; batch?: PackedBatch; error?: string }) => {
        const pending = entry.inFlight.get(message.id);
        if (!pending) return;
        entry.inFlight.delete(message.id);
        if (entry.inFlight.size === 0) worker.unref();
        if (message.error !== undefined) {
          const indices = pending.jobs.map((job) => job.index).join(', ');
          pending.reject(new Error(`batch of samples ${indices}: ${message.error}`));
        } else {
          pending.resolve(message.batch!);
        }
        this.dispatch();
      });
      worker.on('error', (error) => this.fail(entry, error));
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(entry, new Error(`sample worker exited with code ${code}`));
      });
      this.workers.push(entry);
    }
  }

  /** Prepares and packs one batch in a worker. */
  run(jobs: readonly SampleJob[]): Promise<PackedBatch> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('sample worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, jobs, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let best: PoolWorker | undefined;
      for (const entry of this.workers) {
        if (entry.inFlight.size < this.jobsPerWorker && (!best || entry.inFlight.size < best.inFlight.size))
          best = entry;
      }
      if (!best) return;
      const pending = this.queue.shift()!;
      best.inFlight.set(pending.id, pending);
      best.worker.ref();
      best.worker.postMessage({ id: pending.id, jobs: pending.jobs });
    }
  }

  private fail(entry: PoolWorker, error: Error): void {
    this.failure ??= error;
    for (const pending of entry.inFlight.values()) pending.reject(error);
    entry.inFlight.clear();
    for (const pending of this.queue.splice(0)) pending.reject(error);
  }

  /** Terminates every worker; pending jobs are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new Error('sample worker pool closed');
    for (const entry of this.workers) {
      for (const pending of entry.inFlight.values()) pending.reject(error);
      entry.inFlight.clear();
    }
    for (const pending of this.queue.splice(0)) pending.reject(error);
    await Promise.all(this.workers.map((entry) => entry.worker.terminate()));
  }
}
