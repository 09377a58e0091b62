// Data sets a run config can name, opened through the datasets package: the training and validation sample
// sources, the partial-label split of the training rows (a generated scenario or a split table file), and the
// batch sources the loop iterates (the training loader's iteration state goes into checkpoints).

import { join } from 'node:path';
import { type LabelMaskTable, RandomSource, type SampleSource, type TaskSpec } from '@partial-mtl/core';
import {
  type BatchLoaderState,
  createAffectNetSource,
  createBatchLoader,
  createCityscapesMtanSource,
  createDisfaSource,
  createNyuv2Source,
  createSplit,
  createSyntheticAffect,
  createSyntheticScenes,
  createTaskonomySource,
  createUnionSource,
  evaluationBatches,
  loadSplitTable,
} from '@partial-mtl/datasets';
import type { RunConfig } from './config-schema.js';
import type { BatchSource } from './loop-options.js';
import { emptyTaskWarnings } from './reliability/split-checks.js';
import { guardSources } from './reliability/validated-source.js';

export interface OpenedDataset {
  readonly tasks: readonly TaskSpec[];
  readonly train: SampleSource;
  readonly validation: SampleSource;
  /** Which tasks each training row is labelled for. */
  readonly split: LabelMaskTable;
  /**
   * The data's own class → attribute relatedness, p(attribute | class), when it has one (synthetic-affect: its
   * generating matrix). The distribution-matching regularizer uses it unless its options name another.
   */
  readonly relatedness?: readonly (readonly number[])[];
}

/**
 * Sample sources a caller brings instead of a named data set (in-memory data, a loader of one's own): `train`'s
 * rows are split by `config.split` unless `naturalSplit` gives the labels the data has ('full' scenario).
 * `config.dataset.name` then only names the data in logs and reports.
 */
export interface DatasetSources {
  readonly train: SampleSource;
  readonly validation: SampleSource;
  readonly naturalSplit?: LabelMaskTable;
}

interface DatasetEntry {
  readonly needsPath: boolean;
  /** The sources; `naturalSplit` is the labels the data itself has (used for the 'full' scenario without a table). */
  open(config: RunConfig): Promise<DatasetSources>;
}

function sizeOption(options: Record<string, unknown>, key: string): readonly [number, number] | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !value.every((side) => Number.isInteger(side) && side > 0)
  ) {
    throw new Error(
      `dataset.options.${key}: expected [height, width] as two positive integers, got ${JSON.stringify(value)}`,
    );
  }
  return [value[0], value[1]];
}

function recordOption(options: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = options[key] ?? {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`dataset.options.${key}: expected an object`);
  return value as Record<string, unknown>;
}

function stringOption(options: Record<string, unknown>, key: string, context: string): string {
  const value = options[key];
  if (typeof value !== 'string' || value.length === 0)
    throw new Error(`${context}.${key}: expected a path string`);
  return value;
}

/** The MTAN .npy layouts (NYU-v2, Cityscapes): `path` holds train/ and val/. */
function mtanEntry(create: typeof createNyuv2Source | typeof createCityscapesMtanSource): DatasetEntry {
  return {
    needsPath: true,
    async open(config) {
      const imageSize = sizeOption(config.dataset.options, 'imageSize');
      const common = {
        root: config.dataset.path!,
        ...(config.dataset.tasks ? { tasks: config.dataset.tasks } : {}),
        ...(imageSize ? { imageSize } : {}),
      };
      return {
        train: await create({ ...common, split: 'train' }),
        validation: await create({ ...common, split: 'val' }),
      };
    },
  };
}

function numberOption(options: Record<string, unknown>, key: string, fallback: number): number {
  const value = options[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error(`dataset.options.${key}: expected a number, got ${JSON.stringify(value)}`);
  return value;
}

const datasetEntries: Readonly<Record<string, DatasetEntry>> = {
  'synthetic-scenes': {
    needsPath: false,
    async open(config) {
      const options = config.dataset.options;
      const common = {
        height: numberOption(options, 'height', 32),
        width: numberOption(options, 'width', 32),
        tasks: (config.dataset.tasks as never) ?? numberOption(options, 'taskCount', 3),
        ...(options.noise !== undefined ? { noise: numberOption(options, 'noise', 0.02) } : {}),
      };
      const dataSeed = numberOption(options, 'dataSeed', 1);
      return {
        train: createSyntheticScenes({
          ...common,
          count: numberOption(options, 'trainCount', 64),
          seed: dataSeed,
        }),
        validation: createSyntheticScenes({
          ...common,
          count: numberOption(options, 'validationCount', 32),
          seed: dataSeed + 7919,
        }),
      };
    },
  },
  'synthetic-affect': {
    needsPath: false,
    async open(config) {
      const options = config.dataset.options;
      const size = numberOption(options, 'size', 16);
      const dataSeed = numberOption(options, 'dataSeed', 1);
      // Rendering options of createSyntheticAffect, when given (defaults: syntheticAffectDefaults).
      const rendering = Object.fromEntries(
        (['attributeStrength', 'noise', 'attributeVisibility'] as const)
          .filter((key) => options[key] !== undefined)
          .map((key) => [key, numberOption(options, key, 0)]),
      );
      return {
        train: createSyntheticAffect({
          ...rendering,
          size,
          count: numberOption(options, 'trainCount', 64),
          seed: dataSeed,
        }),
        validation: createSyntheticAffect({
          ...rendering,
          size,
          count: numberOption(options, 'validationCount', 32),
          seed: dataSeed + 7919,
        }),
      };
    },
  },
  nyuv2: mtanEntry(createNyuv2Source),
  cityscapes: mtanEntry(createCityscapesMtanSource),
  taskonomy: {
    needsPath: true,
    async open(config) {
      const options = config.dataset.options;
      const size = sizeOption(options, 'size');
      const tasks = config.dataset.tasks ?? [
        'semseg',
        'depth',
        'normal',
        'edges',
        'reshading',
        'keypoints2d',
        'principal_curvature',
      ];
      const common = { tasks, ...(size ? { size } : {}) };
      return {
        train: await createTaskonomySource({ ...common, root: config.dataset.path! }),
        validation: await createTaskonomySource({
          ...common,
          root: stringOption(options, 'validationPath', 'dataset.options'),
        }),
      };
    },
  },
  'affect-union': {
    needsPath: true,
    async open(config) {
      const options = config.dataset.options;
      const size = sizeOption(options, 'size');
      const open = async (part: 'train' | 'validation') => {
        const affectNet = recordOption(recordOption(options, part), 'affectNet');
        const disfa = recordOption(recordOption(options, part), 'disfa');
        const context = `dataset.options.${part}`;
        return createUnionSource([
          await createAffectNetSource({
            ...affectNet,
            imageRoot: join(
              config.dataset.path!,
              stringOption(affectNet, 'imageRoot', `${context}.affectNet`),
            ),
            annotationFile: join(
              config.dataset.path!,
              stringOption(affectNet, 'annotationFile', `${context}.affectNet`),
            ),
            ...(size ? { size } : {}),
          }),
          await createDisfaSource({
            ...disfa,
            root: join(config.dataset.path!, stringOption(disfa, 'root', `${context}.disfa`)),
            ...(size ? { size } : {}),
          }),
        ]);
      };
      const train = await open('train');
      return { train, validation: await open('validation'), naturalSplit: train.declaredLabelMask() };
    },
  },
};

export const datasetNames: readonly string[] = Object.keys(datasetEntries);

export function datasetNeedsPath(name: string): boolean {
  return datasetEntries[name]?.needsPath ?? false;
}

/** Opens the sources and the training split of a config's data set. */
export async function openDataset(config: RunConfig, sources?: DatasetSources): Promise<OpenedDataset> {
  const entry = datasetEntries[config.dataset.name];
  if (!entry && !sources)
    throw new Error(
      `dataset.name: unknown dataset '${config.dataset.name}' (expected one of: ${datasetNames.join(', ')}, or pass your own sources)`,
    );
  const opened = sources ?? (await entry!.open(config));
  const { naturalSplit } = opened;
  const { train, validation } = guardSources(
    { train: opened.train, validation: opened.validation },
    config.dataset.name,
    {
      onInvalidSample: config.data.onInvalidSample,
      workers: config.data.workers,
    },
  );
  const taskNames = train.tasks.map((task) => task.name);
  const split = config.split.table
    ? await loadSplitTable(config.split.table, { taskNames })
    : naturalSplit && config.split.scenario === 'full'
      ? naturalSplit
      : createSplit(config.split.scenario, {
          rows: train.length,
          taskNames,
          seed: config.split.seed ?? config.seed,
        });
  if (split.rows !== train.length) {
    throw new Error(`split.table: ${split.rows} rows, but the training set has ${train.length} samples`);
  }
  for (const warning of emptyTaskWarnings(split)) process.stderr.write(`${warning}\n`);
  const { relatedness } = opened.train as { relatedness?: readonly (readonly number[])[] };
  return { tasks: train.tasks, train, validation, split, ...(relatedness ? { relatedness } : {}) };
}

/** The training batches (shuffled, augmented, `views` extra views) and the validation batches (in order). */
export function createBatchSources(
  dataset: OpenedDataset,
  config: RunConfig,
  views: number,
): { train: BatchSource; validation: BatchSource } {
  const loader = createBatchLoader({
    source: dataset.train,
    split: dataset.split,
    batchSize: config.data.batchSize,
    views,
    augment: config.data.augment,
    shuffle: true,
    seed: new RandomSource(config.seed).fork('loader').nextUint32(),
    dropLast: true,
    workers: config.data.workers,
  });
  if (loader.batchesPerEpoch < 1) {
    throw new Error(
      `data.batchSize: ${config.data.batchSize} is larger than the training set (${dataset.train.length} samples)`,
    );
  }
  const train: BatchSource = {
    batchesPerEpoch: loader.batchesPerEpoch,
    batches(epoch, startBatch) {
      const state = loader.getState();
      if (state.epoch !== epoch || state.position !== startBatch) {
        throw new Error(
          `batch loader is at epoch ${state.epoch} batch ${state.position}, the loop expected epoch ${epoch} batch ${startBatch}`,
        );
      }
      return loader;
    },
    getState: () => loader.getState(),
    setState: (state) => loader.setState(state as BatchLoaderState),
  };
  const validationBatchSize = config.data.validationBatchSize ?? config.data.batchSize;
  const validation: BatchSource = {
    batchesPerEpoch: Math.ceil(dataset.validation.length / validationBatchSize),
    batches: () => evaluationBatches(dataset.validation, { batchSize: validationBatchSize }),
  };
  return { train, validation };
}
