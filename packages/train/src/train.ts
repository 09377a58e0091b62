// `train(config)`: the library entry point. Validates the config completely, builds the components from the
// sibling packages, runs (or resumes) the loop, writes report.html, and disposes everything it created.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskSpec } from '@partial-mtl/core';
import { buildComponents, disposeComponents } from './build-components.js';
import { resolveRunConfig } from './config-load.js';
import type { RunConfig } from './config-schema.js';
import type { DatasetSources } from './dataset-sources.js';
import { type AlignmentProbe, createAlignmentProbe } from './diagnostics/alignment-probe.js';
import type { LoopOptions } from './loop-options.js';
import { preflightRun } from './reliability/preflight.js';
import { writeReport } from './report/write-report.js';
import { runTraining, type TrainingResult } from './training-loop.js';

export interface TrainRuntimeOptions {
  /** Continue from `outDir/checkpoints/last`. */
  readonly resume?: boolean;
  readonly progress?: LoopOptions['progress'];
  readonly log?: (line: string) => void;
  /** Finish the step and checkpoint on SIGINT/SIGTERM (the CLI sets this). */
  readonly handleSignals?: boolean;
  /** Write report.html at the end (default true). */
  readonly report?: boolean;
  readonly onStep?: LoopOptions['onStep'];
  /** Backend name recorded in config.json. */
  readonly backend?: string;
  /**
   * Your own sample sources instead of the data set `config.dataset.name` names (which then only labels the run).
   * A resumed run needs the same sources again: the CLI cannot resume it.
   */
  readonly sources?: DatasetSources;
}

export interface TrainResult extends TrainingResult {
  readonly config: RunConfig;
  readonly tasks: readonly TaskSpec[];
  readonly reportPath: string | undefined;
}

/** The loop options a run config asks for. */
export function loopOptionsOf(
  config: RunConfig,
  runtime: TrainRuntimeOptions,
): Parameters<typeof runTraining>[1] {
  const training = config.training;
  return {
    outDir: config.outDir,
    seed: config.seed,
    ...(training.epochs !== undefined ? { epochs: training.epochs } : {}),
    ...(training.maxSteps !== undefined ? { maxSteps: training.maxSteps } : {}),
    ...(training.maxWallSeconds !== undefined ? { maxWallSeconds: training.maxWallSeconds } : {}),
    ...(training.gradientClipNorm !== undefined ? { gradientClipNorm: training.gradientClipNorm } : {}),
    ...(training.earlyStoppingPatience !== undefined
      ? { earlyStoppingPatience: training.earlyStoppingPatience }
      : {}),
    ...(config.evaluation.baseline !== undefined ? { baseline: config.evaluation.baseline } : {}),
    optimizer: config.optimizer,
    schedule: config.schedule,
    onNonFinite: training.onNonFinite,
    nonFiniteLearningRateFactor: training.nonFiniteLearningRateFactor,
    evaluateEvery: training.evaluateEvery,
    checkpointEverySteps: training.checkpointEverySteps,
    logEverySteps: training.logEverySteps,
    progress: runtime.progress ?? 'auto',
    resume: runtime.resume ?? false,
    handleSignals: runtime.handleSignals ?? false,
    configRecord: { config, ...(runtime.backend ? { backend: runtime.backend } : {}) },
    ...(runtime.log ? { log: runtime.log } : {}),
    ...(runtime.onStep ? { onStep: runtime.onStep } : {}),
  };
}

/** The config a run was started with (from its outDir/config.json), for `--resume` and `eval`. */
export function readRunConfig(outDir: string): RunConfig {
  const path = join(outDir, 'config.json');
  if (!existsSync(path))
    throw new Error(`--resume: ${path} does not exist (is '${outDir}' a run directory?)`);
  const record = JSON.parse(readFileSync(path, 'utf8')) as { config?: unknown };
  return resolveRunConfig({ ...(record.config as object), outDir });
}

/** Trains one model as the config says. Throws (before training) on any config problem. */
export async function train(configInput: unknown, runtime: TrainRuntimeOptions = {}): Promise<TrainResult> {
  const config = resolveRunConfig(configInput, { ownSources: runtime.sources !== undefined });
  const components = await buildComponents(config, runtime.sources);
  try {
    if (!runtime.resume) {
      preflightRun(
        config.outDir,
        [components.network.namedVariables(), components.regularizer.namedVariables()],
        config.optimizer.kind,
      );
    }
    const every = config.diagnostics.hiddenLabelAlignment?.every;
    let probe: AlignmentProbe | undefined;
    if (every !== undefined) {
      probe = await createAlignmentProbe(config, components, runtime.resume ?? false);
      if (!runtime.resume) probe.measure(0);
    }
    let result: TrainingResult;
    try {
      const loopOptions = loopOptionsOf(config, runtime);
      result = await runTraining(
        components,
        probe
          ? {
              ...loopOptions,
              onStep: (step, loss) => {
                loopOptions.onStep?.(step, loss);
                if (step % every! === 0) probe!.measure(step);
              },
            }
          : loopOptions,
      );
    } finally {
      probe?.dispose();
    }
    let reportPath: string | undefined;
    if (runtime.report ?? true) {
      const deltaM =
        result.lastMetrics && result.baseline
          ? components.deltaM(result.lastMetrics, result.baseline)
          : undefined;
      reportPath = await writeReport(config.outDir, {
        title: `partial-mtl run: ${config.dataset.name}, regularizer ${config.regularizer.name}`,
        rows: [
          ...(result.lastMetrics
            ? [
                {
                  name: `last (step ${result.step})`,
                  metrics: result.lastMetrics,
                  ...(deltaM !== undefined ? { deltaM: deltaM * 100 } : {}),
                },
              ]
            : []),
          ...(result.best
            ? [
                {
                  name: `best (step ${result.best.step})`,
                  metrics: result.best.metrics,
                  deltaM: result.best.deltaM * 100,
                },
              ]
            : []),
        ],
        runs: [{ name: config.regularizer.name, outDir: config.outDir }],
        notes: [result.message, ...(runtime.backend ? [`backend: ${runtime.backend}`] : [])],
      });
    }
    return { ...result, config, tasks: components.tasks, reportPath };
  } finally {
    disposeComponents(components);
  }
}
