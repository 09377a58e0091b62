// Options of the Fashion-MNIST case study (issue 11) and their command-line flags: label split, which methods and
// seeds, network size, steps and batch composition, distribution-matching weights, evaluation set, output folder.
// DM weights and steps were tuned on the validation part (README); every flag is `--kebab-case value`.

export type MethodName = 'stl' | 'mtl' | 'dm';
export const methodNames: readonly MethodName[] = ['stl', 'mtl', 'dm'];

export interface StudyOptions {
  /** Folder with the four IDX files (default: the Debian package's folder). */
  readonly dataFolder: string;
  /** Fraction (≤ 1) or count of training images labelled for the class only. */
  readonly classPart: number;
  /** Fraction (≤ 1) or count of training images labelled for the attributes only. */
  readonly attributePart: number;
  /** Images carved from the unlabelled rest as a validation set (class and attribute labels) for tuning. */
  readonly validationSize: number;
  /** Seed of the label split and of the derived attributes (fixed across training seeds). */
  readonly splitSeed: number;
  readonly methods: readonly MethodName[];
  readonly seeds: readonly number[];
  /** Training steps per run (the same for every method). */
  readonly steps: number;
  /** Images per step from each part: class-labelled, attribute-labelled, unlabelled (STL uses the first only). */
  readonly classBatch: number;
  readonly attributeBatch: number;
  readonly unlabelledBatch: number;
  readonly learningRate: number;
  /** Small CNN size: width multiplier and conv-pool stages. */
  readonly width: number;
  readonly stages: number;
  /** Random horizontal flips of training images. */
  readonly flip: boolean;
  /** Distribution matching: weights and soft co-annotation. */
  readonly lambdaDm: number;
  readonly lambdaSca: number;
  readonly coannotation: 'soft' | 'hard' | 'off';
  readonly direction: 'both' | 'expToAu' | 'auToExp' | 'off';
  /** Attribute → class matching form, and whether matching acts on every sample or only where the other label is missing. */
  readonly auToExpForm: 'perAu' | 'naiveBayes';
  readonly dmOn: 'all' | 'missingOther';
  /** Steps over which the regularizer's weight ramps linearly from 0 to 1 (0 = full weight from the start). */
  readonly dmWarmup: number;
  /** 'test' (the 10,000 test images) or 'validation' (for tuning; never look at test while tuning). */
  readonly evaluateOn: 'test' | 'validation';
  /** Evaluate on the first N images of the evaluation set only (0 = all). */
  readonly evaluationLimit: number;
  /** Write results (JSON and markdown) into this folder; nothing is written without it. */
  readonly out: string | undefined;
}

export const studyDefaults: StudyOptions = {
  dataFolder: '/usr/share/datasets/fashion-mnist',
  classPart: 0.01,
  attributePart: 0.5,
  validationSize: 1000,
  splitSeed: 11,
  methods: methodNames,
  seeds: [0, 1, 2],
  steps: 200,
  classBatch: 32,
  attributeBatch: 32,
  unlabelledBatch: 0,
  learningRate: 0.002,
  width: 0.25,
  stages: 4,
  flip: true,
  lambdaDm: 0.3,
  lambdaSca: 0.3,
  coannotation: 'soft',
  direction: 'both',
  auToExpForm: 'perAu',
  dmOn: 'all',
  dmWarmup: 100,
  evaluateOn: 'test',
  evaluationLimit: 0,
  out: undefined,
};

type Parser = (value: string, flag: string) => unknown;

function numberParser(check: (value: number) => boolean, expected: string): Parser {
  return (value, flag) => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || !check(parsed)) {
      throw new Error(`${flag}: expected ${expected}, got '${value}'`);
    }
    return parsed;
  };
}

function choiceParser(choices: readonly string[]): Parser {
  return (value, flag) => {
    if (!choices.includes(value))
      throw new Error(`${flag}: expected one of ${choices.join(', ')}, got '${value}'`);
    return value;
  };
}

const nonNegative = numberParser((v) => v >= 0, 'a non-negative number');
const positive = numberParser((v) => v > 0, 'a positive number');
const count = numberParser((v) => Number.isInteger(v) && v >= 0, 'a non-negative integer');
const positiveCount = numberParser((v) => Number.isInteger(v) && v > 0, 'a positive integer');
const part = numberParser(
  (v) => v >= 0 && (v <= 1 || Number.isInteger(v)),
  'a fraction in [0, 1] or a row count',
);

const parsers: { readonly [Key in keyof StudyOptions]: Parser } = {
  dataFolder: (value) => value,
  classPart: part,
  attributePart: part,
  validationSize: count,
  splitSeed: count,
  methods: (value, flag) =>
    value.split(',').map((name) => choiceParser(methodNames)(name.trim(), flag) as MethodName),
  seeds: (value, flag) => value.split(',').map((seed) => count(seed.trim(), flag) as number),
  steps: positiveCount,
  classBatch: positiveCount,
  attributeBatch: count,
  unlabelledBatch: count,
  learningRate: positive,
  width: positive,
  stages: positiveCount,
  flip: choiceParser(['true', 'false']),
  lambdaDm: nonNegative,
  lambdaSca: nonNegative,
  coannotation: choiceParser(['soft', 'hard', 'off']),
  direction: choiceParser(['both', 'expToAu', 'auToExp', 'off']),
  auToExpForm: choiceParser(['perAu', 'naiveBayes']),
  dmOn: choiceParser(['all', 'missingOther']),
  dmWarmup: count,
  evaluateOn: choiceParser(['test', 'validation']),
  evaluationLimit: count,
  out: (value) => value,
};

function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** Flag name → option key, e.g. '--lambda-dm' → 'lambdaDm'. */
const keyByFlag = new Map(Object.keys(parsers).map((key) => [flagOf(key), key as keyof StudyOptions]));

/** Every flag with its default, for `--help`. */
export function describeFlags(): string {
  return [...keyByFlag.entries()]
    .map(([flag, key]) => `  ${flag} <${String(studyDefaults[key] ?? '') || 'value'}>`)
    .join('\n');
}

/** Parses `--flag value` pairs (or `--flag=value`) over the defaults; throws naming the bad flag. */
export function parseStudyArguments(
  argv: readonly string[],
  base: StudyOptions = studyDefaults,
): StudyOptions {
  const options: Record<string, unknown> = { ...base };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    const [flag = '', inline] = argument.split(/=(.*)/s, 2);
    const key = keyByFlag.get(flag);
    if (!key) throw new Error(`unknown argument '${argument}'; valid flags:\n${describeFlags()}`);
    const value = inline ?? argv[++index];
    if (value === undefined) throw new Error(`${flag}: missing value`);
    const parsed = parsers[key](value, flag);
    options[key] = key === 'flip' ? parsed === 'true' : parsed;
  }
  const resolved = options as unknown as StudyOptions;
  if (resolved.methods.length === 0) throw new Error('--methods: expected at least one method');
  if (resolved.seeds.length === 0) throw new Error('--seeds: expected at least one seed');
  if (resolved.methods.some((method) => method !== 'stl') && resolved.attributeBatch === 0) {
    throw new Error('--attribute-batch: MTL and DM need attribute-labelled images in each batch (> 0)');
  }
  return resolved;
}
