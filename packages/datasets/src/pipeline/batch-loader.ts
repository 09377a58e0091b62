// Epoch-based batch loader over a SampleSource and a partial-label split table (MTPSL/JTR `labels_weights`,
// data-formats.md §4): seeded shuffling, multi-view augmentation (augment/multi-view.ts), prefetch and an optional
// worker-thread pool. Each epoch position gets its own augmentation seed, so batches are identical for any worker
// count; the iteration state (epoch, position, RNG state at the epoch's start) can be saved and restored mid-epoch.
import {
  LabelMaskTable,
  RandomSource,
  type RandomState,
  type SampleSource,
  type TaskBatch,
  type TaskSpec,
} from '@partial-mtl/core';
import { type AugmentationOptions, resolveAugmentation } from '../augment/multi-view.js';
import { batchTensors } from './assemble-batch.js';
import { type PackedBatch, prepareBatch } from './pack-batch.js';
import type { SampleJob } from './prepare-sample.js';
import { descriptorOf } from './source-registry.js';
import { SampleWorkerPool } from './worker-pool.js';

/** Where a loader stands: `position` batches of `epoch` are delivered; `randomState` is the RNG at the epoch's start. */
export interface BatchLoaderState {
  readonly epoch: number;
  readonly position: number;
  readonly randomState: RandomState;
}

export interface BatchProgress {
  readonly epoch: number;
  /** Batches delivered so far in this epoch (1 after the first). */
  readonly batch: number;
  readonly batchesPerEpoch: number;
  /** Samples delivered so far in this epoch. */
  readonly samples: number;
  readonly samplesPerEpoch: number;
}

export interface BatchLoaderOptions {
  readonly source: SampleSource;
  /**
   * Which tasks each sample is labelled for (rows = source samples, columns matched by task name). Default: the
   * source's own `labelMask` table if it has one (the `.npy` loaders), else every task.
   */
  readonly split?: LabelMaskTable;
  /** Rows of the source this loader iterates (e.g. a training subset). Default: all. */
  readonly indices?: readonly number[];
  readonly batchSize: number;
  /** Extra augmented views per batch: 0 (supervised only), 1 (MTPSL) or 2 (JTR). */
  readonly views: number;
  /** Augmentation: false (none), true (random scale crop + JTR photometric on view 2), or overrides. */
  readonly augment: boolean | Partial<AugmentationOptions>;
  readonly shuffle: boolean;
  readonly seed: number;
  /** Drop the last incomplete batch of each epoch. */
  readonly dropLast: boolean;
  /** Worker threads preparing samples (0 = on the main thread). */
  readonly workers: number;
  /** Batches prepared ahead of the one being consumed. */
  readonly prefetch: number;
  readonly onProgress?: (progress: BatchProgress) => void;
  /** Resume from a saved state (`loader.getState()`). */
  readonly state?: BatchLoaderState;
  /** Node flags for worker threads (see SampleWorkerPool). */
  readonly workerExecArgv?: readonly string[];
}

export const batchLoaderDefaults = Object.freeze({
  views: 0,
  augment: false,
  shuffle: true,
  seed: 0,
  dropLast: false,
  workers: 0,
  prefetch: 2,
} satisfies Partial<BatchLoaderOptions>);

interface EpochPlan {
  readonly order: readonly number[];
  readonly seeds: Uint32Array;
  readonly nextRandomState: RandomState;
}

/** Async iterable of batches; one `for await` runs the rest of the current epoch, the next one the next epoch. */
export class BatchLoader implements AsyncIterable<TaskBatch> {
  readonly tasks: readonly TaskSpec[];
  readonly batchesPerEpoch: number;
  readonly samplesPerEpoch: number;
  private readonly options: BatchLoaderOptions;
  private readonly indices: readonly number[];
  private readonly augmentation: AugmentationOptions | undefined;
  private state: BatchLoaderState;
  private pool: SampleWorkerPool | undefined;
  private iterating = false;

  constructor(options: Pick<BatchLoaderOptions, 'source' | 'batchSize'> & Partial<BatchLoaderOptions>) {
    const sourceMask = (options.source as { labelMask?: unknown }).labelMask;
    const resolved: BatchLoaderOptions = {
      ...batchLoaderDefaults,
      ...(sourceMask instanceof LabelMaskTable ? { split: sourceMask } : {}),
      ...options,
    };
    const { source, batchSize } = resolved;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`batch loader: batchSize must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(resolved.views) || resolved.views < 0)
      throw new Error(`batch loader: views must be 0, 1 or 2, got ${resolved.views}`);
    if (!Number.isInteger(resolved.workers) || resolved.workers < 0)
      throw new Error(`batch loader: workers must be an integer ≥ 0, got ${resolved.workers}`);
    if (!Number.isInteger(resolved.prefetch) || resolved.prefetch < 0)
      throw new Error(`batch loader: prefetch must be an integer ≥ 0, got ${resolved.prefetch}`);
    this.tasks = source.tasks;
    if (resolved.split) {
      if (resolved.split.rows !== source.length) {
        throw new Error(
          `batch loader: split table has ${resolved.split.rows} rows but the source has ${source.length} samples`,
        );
      }
      for (const task of source.tasks) resolved.split.taskIndex(task.name);
    }
    this.indices = resolved.indices
      ? [...resolved.indices]
      : Array.from({ length: source.length }, (_, i) => i);
    for (const index of this.indices) {
      if (!Number.isInteger(index) || index < 0 || index >= source.length) {
        throw new Error(`batch loader: index ${index} out of range 0..${source.length - 1}`);
      }
    }
    this.options = resolved;
    this.augmentation = resolveAugmentation(resolved.augment);
    const count = this.indices.length;
    this.batchesPerEpoch = resolved.dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
    this.samplesPerEpoch = resolved.dropLast ? this.batchesPerEpoch * batchSize : count;
    this.state = { epoch: 0, position: 0, randomState: new RandomSource(resolved.seed).getState() };
    if (resolved.state) this.setState(resolved.state);
  }

  getState(): BatchLoaderState {
    return { ...this.state, randomState: [...this.state.randomState] as unknown as RandomState };
  }

  /** Restores a saved state; the next iteration continues exactly where that state stood. */
  setState(state: BatchLoaderState): void {
    if (this.iterating)
      throw new Error('batch loader: cannot set the state while an epoch is being iterated');
    if (
      !Number.isInteger(state.epoch) ||
      state.epoch < 0 ||
      !Number.isInteger(state.position) ||
      state.position < 0 ||
      state.position > this.batchesPerEpoch
    ) {
      throw new Error(
        `batch loader: invalid state ${JSON.stringify(state)} (${this.batchesPerEpoch} batches per epoch)`,
      );
    }
    RandomSource.fromState(state.randomState);
    this.state = {
      epoch: state.epoch,
      position: state.position,
      randomState: [...state.randomState] as unknown as RandomState,
    };
  }

  private plan(randomState: RandomState): EpochPlan {
    const random = RandomSource.fromState(randomState);
    const order = this.options.shuffle ? random.shuffle([...this.indices]) : [...this.indices];
    const seeds = new Uint32Array(order.length);
    for (let i = 0; i < seeds.length; i++) seeds[i] = random.nextUint32();
    return { order, seeds, nextRandomState: random.getState() };
  }

  private labelledFlags(index: number): boolean[] {
    const split = this.options.split;
    return this.tasks.map((task) => (split ? split.isLabelled(index, split.taskIndex(task.name)) : true));
  }

  private workerPool(): SampleWorkerPool {
    this.pool ??= new SampleWorkerPool({
      workers: this.options.workers,
      descriptor: descriptorOf(this.options.source),
      tasks: this.tasks,
      ...(this.options.workerExecArgv ? { execArgv: this.options.workerExecArgv } : {}),
    });
    return this.pool;
  }

  /** Prepares batch `batch` of an epoch: on the main thread, or packed by a worker. */
  private async prepareBatch(plan: EpochPlan, batch: number): Promise<PackedBatch> {
    const start = batch * this.options.batchSize;
    const end = Math.min(start + this.options.batchSize, plan.order.length);
    const jobs: SampleJob[] = [];
    for (let position = start; position < end; position++) {
      const index = plan.order[position]!;
      jobs.push({
        index,
        seed: plan.seeds[position]!,
        labelled: this.labelledFlags(index),
        extraViews: this.options.views,
        augmentation: this.augmentation,
      });
    }
    const { source } = this.options;
    if (this.options.workers === 0) {
      const samples = await Promise.all(jobs.map((job) => source.read(job.index)));
      return prepareBatch(samples, this.tasks, jobs);
    }
    if (descriptorOf(source)) return this.workerPool().run(jobs);
    // Sources without a descriptor are read here and their decoded samples sent to a worker to augment and pack.
    const samples = await Promise.all(jobs.map((job) => source.read(job.index)));
    return this.workerPool().run(jobs.map((job, i) => ({ ...job, sample: samples[i]! })));
  }

  private startBatch(plan: EpochPlan, batch: number): Promise<PackedBatch> {
    const pending = this.prepareBatch(plan, batch);
    // Prefetched batches may fail before they are awaited; the failure surfaces when they are.
    pending.catch(() => undefined);
    return pending;
  }

  /** The rest of the current epoch. Batches are owned by the caller (`disposeBatch`). */
  async *[Symbol.asyncIterator](): AsyncGenerator<TaskBatch, void, undefined> {
    if (this.iterating) throw new Error('batch loader: an epoch is already being iterated');
    this.iterating = true;
    const { epoch, randomState } = this.state;
    const plan = this.plan(randomState);
    const pending: Promise<PackedBatch>[] = [];
    let next = this.state.position;
    let scheduled = next;
    try {
      while (next < this.batchesPerEpoch) {
        while (scheduled < this.batchesPerEpoch && scheduled <= next + this.options.prefetch) {
          pending.push(this.startBatch(plan, scheduled++));
        }
        const batch = batchTensors(await pending.shift()!, this.tasks);
        next++;
        this.state =
          next === this.batchesPerEpoch
            ? { epoch: epoch + 1, position: 0, randomState: plan.nextRandomState }
            : { epoch, position: next, randomState };
        this.options.onProgress?.({
          epoch,
          batch: next,
          batchesPerEpoch: this.batchesPerEpoch,
          samples: Math.min(next * this.options.batchSize, this.samplesPerEpoch),
          samplesPerEpoch: this.samplesPerEpoch,
        });
        yield batch;
      }
      if (this.batchesPerEpoch === 0 || this.state.epoch === epoch) {
        this.state = { epoch: epoch + 1, position: 0, randomState: plan.nextRandomState };
      }
    } finally {
      this.iterating = false;
    }
  }

  /** Terminates the worker threads (if any). The loader can still iterate afterwards (it starts new ones). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }
}

/** Creates a batch loader (see BatchLoaderOptions for defaults: no augmentation, no views, shuffled, seed 0). */
export function createBatchLoader(
  options: Pick<BatchLoaderOptions, 'source' | 'batchSize'> & Partial<BatchLoaderOptions>,
): BatchLoader {
  return new BatchLoader(options);
}

export interface EvaluationBatchOptions {
  readonly batchSize: number;
  readonly split?: LabelMaskTable;
  readonly indices?: readonly number[];
  readonly workers?: number;
  readonly prefetch?: number;
}

/** Every sample once, in order, without augmentation or views, for validation. Batches are owned by the caller. */
export async function* evaluationBatches(
  source: SampleSource,
  options: EvaluationBatchOptions,
): AsyncGenerator<TaskBatch, void, undefined> {
  const loader = createBatchLoader({
    source,
    ...options,
    shuffle: false,
    augment: false,
    views: 0,
    dropLast: false,
  });
  try {
    yield* loader;
  } finally {
    await loader.close();
  }
}
