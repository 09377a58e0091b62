// The custom training loop: steps over the batch source, evaluates every N steps or epochs, keeps the best
// checkpoint by Δm and the last one every N steps, stops on max steps / wall time / early stopping / signals /
// non-finite values, and resumes from checkpoints/last. Method-agnostic: it only sees the core contracts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { disposeBatch, RandomSource } from '@partial-mtl/core';
import { evaluateNetwork } from './evaluate.js';
import { describeNonFinite, trainingStep } from './gradient-step.js';
import { defaultLoopOptions, type LoopOptions, type TrainingComponents } from './loop-options.js';
import {
  type BestSoFar,
  initialLoopState,
  type LoopState,
  readLoopCheckpoint,
  writeLoopCheckpoint,
} from './loop-state.js';
import {
  applyLearningRates,
  collectVariableGroups,
  createOptimizerGroups,
  disposeOptimizerGroups,
} from './optimizer-groups.js';
import { createProgress } from './progress.js';
import { preflightOutputDirectory } from './reliability/preflight.js';
import { describeRunFailure } from './reliability/run-failure.js';
import { RunLogs } from './run-logs.js';

export type StopReason = 'completed' | 'max-wall-time' | 'early-stopping' | 'signal' | 'non-finite';

export interface TrainingResult {
  readonly outDir: string;
  readonly stopReason: StopReason;
  readonly message: string;
  readonly step: number;
  readonly epoch: number;
  readonly best: BestSoFar | undefined;
  readonly lastMetrics: LoopState['lastMetrics'];
  readonly baseline: LoopState['baseline'];
  readonly skippedBatches: number;
}

export type LoopOptionsInput = Partial<LoopOptions> & Pick<LoopOptions, 'outDir'>;

export function resolveLoopOptions(input: LoopOptionsInput): LoopOptions {
  const options: LoopOptions = {
    ...defaultLoopOptions,
    ...input,
    optimizer: { ...defaultLoopOptions.optimizer, ...input.optimizer },
    schedule: { ...defaultLoopOptions.schedule, ...input.schedule },
  };
  const positiveInteger = (value: number | undefined, field: string) => {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new Error(`${field}: expected a positive integer, got ${value}`);
    }
  };
  positiveInteger(options.epochs, 'epochs');
  positiveInteger(options.maxSteps, 'maxSteps');
  positiveInteger(options.evaluateEvery.every, 'evaluateEvery.every');
  positiveInteger(options.checkpointEverySteps, 'checkpointEverySteps');
  positiveInteger(options.logEverySteps, 'logEverySteps');
  positiveInteger(options.earlyStoppingPatience, 'earlyStoppingPatience');
  if (!Number.isFinite(options.seed)) throw new Error(`seed: expected a finite number, got ${options.seed}`);
  if (!(options.optimizer.learningRate > 0))
    throw new Error(`optimizer.learningRate: expected > 0, got ${options.optimizer.learningRate}`);
  return options;
}

/** Runs (or resumes) training. The caller owns and disposes the components. */
export async function runTraining(
  components: TrainingComponents,
  input: LoopOptionsInput,
): Promise<TrainingResult> {
  const options = resolveLoopOptions(input);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { network, regularizer, trainBatches } = components;
  if (trainBatches.batchesPerEpoch < 1) throw new Error('dataset: the training split has no batches');
  preflightOutputDirectory(options.outDir);
  const lastDirectory = join(options.outDir, 'checkpoints', 'last');
  const bestDirectory = join(options.outDir, 'checkpoints', 'best');
  const groups = createOptimizerGroups(collectVariableGroups(network, regularizer), options.optimizer);
  const parts = { network, regularizer, groups };
  let state = initialLoopState(options.seed);
  if (options.resume) {
    state = await readLoopCheckpoint(lastDirectory, parts);
    if (state.loaderState !== undefined) trainBatches.setState?.(state.loaderState);
    log(`resumed from ${lastDirectory} at step ${state.step} (epoch ${state.epoch})`);
  } else {
    writeFileSync(
      join(options.outDir, 'config.json'),
      `${JSON.stringify({ ...options.configRecord, loop: { ...options, log: undefined, onStep: undefined } }, null, 2)}\n`,
    );
  }
  const logs = new RunLogs(options.outDir);
  logs.start(options.resume ? state.step : undefined);
  const regularizerRandom = RandomSource.fromState(state.random).fork('regularizer');
  const epochSteps = options.epochs !== undefined ? options.epochs * trainBatches.batchesPerEpoch : undefined;
  const totalSteps =
    options.maxSteps !== undefined || epochSteps !== undefined
      ? Math.min(options.maxSteps ?? Number.POSITIVE_INFINITY, epochSteps ?? Number.POSITIVE_INFINITY)
      : trainBatches.batchesPerEpoch;
  const progress = createProgress(options.progress, totalSteps, state.step, regularizer.name, log);
  const started = Date.now();
  let stopSignal: string | undefined;
  const onSignal = (signal: string) => {
    if (stopSignal) process.exit(130);
    stopSignal = signal;
    log(`${signal} received: finishing the current step, then writing a checkpoint`);
  };
  if (options.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  let stopReason: StopReason = 'completed';
  let message = '';

  const evaluate = async (): Promise<boolean> => {
    if (!components.validationBatches) return false;
    const metrics = await evaluateNetwork(network, components.validationBatches, components.createMetrics());
    state.baseline ??= metrics;
    const deltaM = components.deltaM(metrics, state.baseline);
    const improved = state.best === undefined || deltaM > state.best.deltaM;
    state.lastMetrics = metrics;
    if (improved) {
      state.best = { deltaM, step: state.step, epoch: state.epoch, metrics };
      state.evaluationsWithoutImprovement = 0;
      await writeLoopCheckpoint(bestDirectory, parts, state);
    } else {
      state.evaluationsWithoutImprovement += 1;
      if (
        options.schedule.kind === 'plateau' &&
        state.evaluationsWithoutImprovement % options.schedule.patience === 0
      ) {
        state.learningRate.multiplier *= options.schedule.factor;
        log(
          `plateau: no better Δm for ${state.evaluationsWithoutImprovement} evaluations, learning rates ×${options.schedule.factor}`,
        );
      }
    }
    logs.appendMetrics({ step: state.step, epoch: state.epoch, deltaM, best: improved, metrics });
    return (
      options.earlyStoppingPatience !== undefined &&
      state.evaluationsWithoutImprovement >= options.earlyStoppingPatience
    );
  };

  try {
    outer: while (state.step < totalSteps) {
      let sawBatch = false;
      for await (const batch of trainBatches.batches(state.epoch, state.batchInEpoch)) {
        sawBatch = true;
        let result: ReturnType<typeof trainingStep>;
        let rates: Record<string, number>;
        try {
          rates = applyLearningRates(groups, state.epoch, options.schedule, state.learningRate);
          const random = regularizerRandom.fork(`step:${state.step}`);
          result = trainingStep(
            {
              tasks: components.tasks,
              network,
              regularizer,
              supervisedLoss: components.supervisedLoss,
              batch,
              random,
              step: state.step,
              epoch: state.epoch,
            },
            groups,
            options.gradientClipNorm,
          );
        } finally {
          disposeBatch(batch);
        }
        if (result.status === 'non-finite') {
          const what = Number.isFinite(result.loss)
            ? `gradient norm ${result.gradientNorm}`
            : `loss ${result.loss}`;
          const where = result.nonFinite ? describeNonFinite(result.nonFinite) : 'not located';
          if (options.onNonFinite === 'stop') {
            stopReason = 'non-finite';
            message = `non-finite ${what} at step ${state.step} (epoch ${state.epoch}), in ${where}; stopped before updating the weights. The last good checkpoint is ${lastDirectory}. Lower the learning rate, enable gradientClipNorm, or set onNonFinite: 'skip'.`;
            break outer;
          }
          state.learningRate.multiplier *= options.nonFiniteLearningRateFactor;
          state.skippedBatches += 1;
          log(
            `non-finite ${what} at step ${state.step}: batch skipped, learning rates ×${options.nonFiniteLearningRateFactor} (in ${where})`,
          );
        }
        state.step += 1;
        state.batchInEpoch += 1;
        if (trainBatches.getState) state.loaderState = trainBatches.getState();
        if (state.step % options.logEverySteps === 0 && result.status === 'applied') {
          logs.appendTrain({
            step: state.step,
            epoch: state.epoch,
            loss: result.loss,
            parts: result.parts,
            learningRates: rates,
            gradientNorm: result.gradientNorm,
            seconds: (Date.now() - started) / 1000,
          });
        }
        progress.update(state.step, result.loss);
        options.onStep?.(state.step, result.loss);
        // Let the event loop run (signal handlers, progress timers): batches arrive as microtasks only.
        await new Promise((resolve) => setImmediate(resolve));
        let epochEnded = false;
        if (state.batchInEpoch >= trainBatches.batchesPerEpoch) {
          state.epoch += 1;
          state.batchInEpoch = 0;
          epochEnded = true;
        }
        const every = options.evaluateEvery.every;
        const due =
          options.evaluateEvery.unit === 'step'
            ? state.step % every === 0
            : epochEnded && state.epoch % every === 0;
        const finalStep = state.step >= totalSteps;
        let earlyStop = false;
        if (due || (finalStep && components.validationBatches && state.lastMetrics === undefined))
          earlyStop = await evaluate();
        if (due || finalStep || state.step % options.checkpointEverySteps === 0)
          await writeLoopCheckpoint(lastDirectory, parts, state);
        if (earlyStop) {
          stopReason = 'early-stopping';
          message = `early stopping: no better Δm in ${state.evaluationsWithoutImprovement} evaluations; restored the best weights (step ${state.best?.step})`;
          break outer;
        }
        if (
          stopSignal ||
          (options.maxWallSeconds !== undefined && (Date.now() - started) / 1000 >= options.maxWallSeconds)
        ) {
          stopReason = stopSignal ? 'signal' : 'max-wall-time';
          if (!(due || finalStep || state.step % options.checkpointEverySteps === 0))
            await writeLoopCheckpoint(lastDirectory, parts, state);
          message = stopSignal
            ? `stopped by ${stopSignal} after step ${state.step}; checkpoint written to ${lastDirectory} (continue with --resume ${options.outDir})`
            : `max wall time of ${options.maxWallSeconds}s reached after step ${state.step}; checkpoint written (continue with --resume ${options.outDir})`;
          break outer;
        }
        if (finalStep || epochEnded) break;
      }
      if (!sawBatch)
        throw new Error(`dataset: epoch ${state.epoch} of the training split yielded no batches`);
      if (state.batchInEpoch !== 0 && state.step < totalSteps) {
        throw new Error(
          `dataset: the training loader ended after ${state.batchInEpoch} batches; it promised ${trainBatches.batchesPerEpoch} per epoch`,
        );
      }
    }
    if (stopReason === 'early-stopping')
      await readLoopCheckpoint(bestDirectory, parts, { weightsOnly: true });
    if (stopReason === 'completed') message = `completed ${state.step} steps (${state.epoch} epochs)`;
  } catch (error) {
    throw describeRunFailure(error, {
      step: state.step,
      epoch: state.epoch,
      outDir: options.outDir,
      lastCheckpoint: lastDirectory,
    });
  } finally {
    progress.stop();
    if (options.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    disposeOptimizerGroups(groups);
  }
  return {
    outDir: options.outDir,
    stopReason,
    message,
    step: state.step,
    epoch: state.epoch,
    best: state.best,
    lastMetrics: state.lastMetrics,
    baseline: state.baseline,
    skippedBatches: state.skippedBatches,
  };
}
