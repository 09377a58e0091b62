// The run configuration (what `partial-mtl train --config` reads), as a zod 4 schema with defaults. Unknown keys
// are rejected; every error names the field (`training.epochs: expected a positive integer`). Names of datasets,
// backbones and regularizers are checked against the sibling packages' registries by `validateConfig`.
import { z } from 'zod';

const positiveInteger = z.number().int().positive();
const metricTable = z.record(z.string(), z.record(z.string(), z.number()));

export const datasetSchema = z.strictObject({
  /** Source name, e.g. 'synthetic-scenes', 'nyuv2', 'cityscapes', 'taskonomy', 'affect-union', 'synthetic-affect'. */
  name: z.string().min(1),
  /** Data root (required for real data sets; must exist). */
  path: z.string().min(1).optional(),
  /** Source-specific options (image size, sample count, task count, ...). */
  options: z.record(z.string(), z.unknown()).default({}),
  /** Task names to train (default: all of the source's tasks). */
  tasks: z.array(z.string().min(1)).min(1).optional(),
});

export const splitSchema = z.strictObject({
  scenario: z.enum(['full', 'onelabel', 'randomlabels', 'halflabels']).default('full'),
  /** A split table file (.pth from MTPSL/JTR, .json or .csv) instead of generating the scenario. */
  table: z.string().min(1).optional(),
  seed: z.number().int().optional(),
});

export const modelSchema = z.strictObject({
  backbone: z.string().min(1).default('segnet'),
  widthMultiplier: z.number().positive().max(4).default(1),
  backboneOptions: z.record(z.string(), z.unknown()).default({}),
});

export const regularizerSchema = z.strictObject({
  name: z.string().min(1).default('none'),
  options: z.record(z.string(), z.unknown()).default({}),
});

export const optimizerSchema = z.strictObject({
  kind: z.enum(['adam', 'sgd']).default('adam'),
  learningRate: z.number().positive().default(1e-4),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  epsilon: z.number().positive().default(1e-8),
  momentum: z.number().min(0).lt(1).default(0),
});

export const scheduleSchema = z.strictObject({
  kind: z.enum(['constant', 'step', 'plateau']).default('constant'),
  stepSize: positiveInteger.default(100),
  gamma: z.number().positive().max(1).default(0.5),
  patience: positiveInteger.default(3),
  factor: z.number().positive().max(1).default(0.5),
  minLearningRate: z.number().min(0).default(0),
});

export const dataSchema = z.strictObject({
  batchSize: positiveInteger.default(4),
  validationBatchSize: positiveInteger.optional(),
  /** Worker threads decoding samples (0 = main thread). */
  workers: z.number().int().min(0).default(0),
  /** Data augmentation (random scale-crop and flip, as MTAN/JTR). */
  augment: z.boolean().default(true),
  /** Invalid samples (non-finite values, class ids out of range, bad shapes): 'error' names the sample; 'skip' blanks and counts it. */
  onInvalidSample: z.enum(['error', 'skip']).optional(),
});

export const trainingSchema = z.strictObject({
  epochs: positiveInteger.optional(),
  maxSteps: positiveInteger.optional(),
  maxWallSeconds: z.number().positive().optional(),
  gradientClipNorm: z.number().positive().optional(),
  onNonFinite: z.enum(['stop', 'skip']).default('stop'),
  nonFiniteLearningRateFactor: z.number().positive().max(1).default(0.5),
  evaluateEvery: z
    .strictObject({ unit: z.enum(['epoch', 'step']).default('epoch'), every: positiveInteger.default(1) })
    .default({ unit: 'epoch', every: 1 }),
  checkpointEverySteps: positiveInteger.default(100),
  earlyStoppingPatience: positiveInteger.optional(),
  logEverySteps: positiveInteger.default(1),
});

export const evaluationSchema = z.strictObject({
  /** Δm baseline: metrics by task (fractions, e.g. mIoU 0.2575), or absent = this run's first evaluation. */
  baseline: metricTable.optional(),
});

export const diagnosticsSchema = z.strictObject({
  /**
   * Hidden-label alignment (a diagnostic of ours): on data whose every label exists, compare the regularizer's
   * weight gradient with the gradient the labels the split hides would give, before step 1 and every `every` steps,
   * on the first `batches` training batches; one line per measurement in `alignment.jsonl`.
   */
  hiddenLabelAlignment: z
    .strictObject({ every: positiveInteger.default(50), batches: positiveInteger.default(2) })
    .optional(),
});

export const runConfigSchema = z.strictObject({
  seed: z.number().int().default(0),
  outDir: z.string().min(1).default('runs/latest'),
  backend: z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).optional(),
  dataset: datasetSchema,
  split: splitSchema.default({ scenario: 'full' }),
  model: modelSchema.default({ backbone: 'segnet', widthMultiplier: 1, backboneOptions: {} }),
  regularizer: regularizerSchema.default({ name: 'none', options: {} }),
  optimizer: optimizerSchema.default(optimizerSchema.parse({})),
  schedule: scheduleSchema.default(scheduleSchema.parse({})),
  data: dataSchema.default(dataSchema.parse({})),
  training: trainingSchema.default(trainingSchema.parse({})),
  evaluation: evaluationSchema.default({}),
  diagnostics: diagnosticsSchema.default({}),
});

export type RunConfig = z.infer<typeof runConfigSchema>;
export type RunConfigInput = z.input<typeof runConfigSchema>;

/** A config error: one line per bad field, each starting with the field's dotted path. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`invalid config:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  if (issue.code === 'unrecognized_keys') {
    return `${path === '(root)' ? '' : `${path}.`}${issue.keys.join(', ')}: unknown field(s)`;
  }
  return `${path}: ${issue.message}`;
}

/** Parses a plain object into a full config (defaults filled); throws ConfigError naming each bad field. */
export function parseRunConfig(value: unknown): RunConfig {
  const result = runConfigSchema.safeParse(value);
  if (!result.success) throw new ConfigError(result.error.issues.map(describeIssue));
  return result.data;
}

/** The JSON Schema of the config (for editors and docs). */
export function runConfigJsonSchema(): unknown {
  return z.toJSONSchema(runConfigSchema, { io: 'input' });
}
