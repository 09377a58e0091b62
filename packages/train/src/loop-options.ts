// Options of the training loop (optimizer, schedules, evaluation, checkpoints, limits) with their defaults.
// The loop itself never sees a method name: everything method-specific arrives through the core contracts
// (MultiTaskNetwork, Regularizer) and the components built by `build-components.ts`.
import type {
  LossWithParts,
  MultiTaskNetwork,
  NetworkOutput,
  Regularizer,
  TaskBatch,
  TaskSpec,
} from '@partial-mtl/core';

export type OptimizerKind = 'adam' | 'sgd';

export interface OptimizerOptions {
  readonly kind: OptimizerKind;
  /** Learning rate of the network group (and of any regularizer group that does not set its own). */
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** SGD momentum (0 = plain SGD). */
  readonly momentum: number;
}

export interface ScheduleOptions {
  /** 'step': multiply by `gamma` every `stepSize` epochs; 'plateau': multiply by `factor` after `patience` evals without a better Δm. */
  readonly kind: 'constant' | 'step' | 'plateau';
  readonly stepSize: number;
  readonly gamma: number;
  readonly patience: number;
  readonly factor: number;
  readonly minLearningRate: number;
}

export interface LoopOptions {
  readonly outDir: string;
  readonly seed: number;
  /** Stop after this many epochs (default 1 when neither epochs nor maxSteps is set). */
  readonly epochs?: number;
  readonly maxSteps?: number;
  /** Stop (with a checkpoint) once this many seconds of wall time have passed. */
  readonly maxWallSeconds?: number;
  readonly optimizer: OptimizerOptions;
  readonly schedule: ScheduleOptions;
  /** Clip the global gradient norm over every trainable variable to this value (0 or absent = off). */
  readonly gradientClipNorm?: number;
  /** On a NaN/Inf loss or gradient: 'stop' the run (default) or 'skip' the batch and lower the learning rates. */
  readonly onNonFinite: 'stop' | 'skip';
  /** Factor applied to every learning rate after a skipped non-finite batch. */
  readonly nonFiniteLearningRateFactor: number;
  /** Evaluate on the validation batches every N units. */
  readonly evaluateEvery: { readonly unit: 'epoch' | 'step'; readonly every: number };
  /** Write `checkpoints/last` every N steps (it is also written at each evaluation and at the end). */
  readonly checkpointEverySteps: number;
  /** Stop after this many evaluations without a better Δm, restoring the best weights (absent = off). */
  readonly earlyStoppingPatience?: number;
  /** Δm baseline metrics by task; absent = the first evaluation of this run. */
  readonly baseline?: MetricTable;
  /** Write one train-log line every N steps. */
  readonly logEverySteps: number;
  readonly progress: 'auto' | 'bar' | 'lines' | 'none';
  /** Continue from `outDir/checkpoints/last`. */
  readonly resume: boolean;
  /** Install SIGINT/SIGTERM handlers that finish the step, write a checkpoint and stop. */
  readonly handleSignals: boolean;
  /** Extra JSON stored in `config.json` (the user's config, backend, ...). */
  readonly configRecord?: Readonly<Record<string, unknown>>;
  /** Called after every step (tests use it to watch tensor counts; tools to stream metrics). */
  readonly onStep?: (step: number, loss: number) => void;
  /** Where progress lines and notices go (default: process.stderr). */
  readonly log?: (line: string) => void;
}

export const defaultOptimizerOptions: OptimizerOptions = {
  kind: 'adam',
  learningRate: 1e-4,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  momentum: 0,
};

export const defaultScheduleOptions: ScheduleOptions = {
  kind: 'constant',
  stepSize: 100,
  gamma: 0.5,
  patience: 3,
  factor: 0.5,
  minLearningRate: 0,
};

export const defaultLoopOptions = {
  seed: 0,
  optimizer: defaultOptimizerOptions,
  schedule: defaultScheduleOptions,
  onNonFinite: 'stop',
  nonFiniteLearningRateFactor: 0.5,
  evaluateEvery: { unit: 'epoch', every: 1 },
  checkpointEverySteps: 100,
  logEverySteps: 1,
  progress: 'auto',
  resume: false,
  handleSignals: false,
} as const satisfies Partial<LoopOptions>;

/** Metric values by task, then by metric name, e.g. { semseg: { mIoU: 0.3 }, depth: { absErr: 0.6 } }. */
export type MetricTable = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** A source of training or validation batches whose order is a pure function of (epoch, position). */
export interface BatchSource {
  readonly batchesPerEpoch: number;
  /** Batches of `epoch` from position `startBatch` on. The consumer disposes each batch. */
  batches(epoch: number, startBatch: number): AsyncIterable<TaskBatch>;
  /** Iteration state to store in checkpoints (plain JSON), for sources whose order is not a pure function. */
  getState?(): unknown;
  setState?(state: unknown): void;
}

/** Accumulates predictions over a validation pass and returns the metric table. */
export interface MetricAccumulator {
  update(output: NetworkOutput, batch: TaskBatch): void;
  result(): MetricTable;
}

/** Everything the loop needs, built from a config (see `build-components.ts`) or injected by a caller. */
export interface TrainingComponents {
  readonly tasks: readonly TaskSpec[];
  readonly network: MultiTaskNetwork;
  readonly regularizer: Regularizer;
  /** The supervised loss over the labelled entries of view 0 (caller-owned tensors). */
  supervisedLoss(tasks: readonly TaskSpec[], output: NetworkOutput, batch: TaskBatch): LossWithParts;
  readonly trainBatches: BatchSource;
  readonly validationBatches?: BatchSource;
  createMetrics(): MetricAccumulator;
  /** Δm of `results` against `baseline` (a fraction; higher is better). */
  deltaM(results: MetricTable, baseline: MetricTable): number;
}
