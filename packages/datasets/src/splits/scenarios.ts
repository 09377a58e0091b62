// Seeded partial-label scenarios (data-formats.md §5; MTPSL arXiv 2111.14893, JTR arXiv 2404.01976): `full`,
// `onelabel` (one task per sample, balanced across tasks), `randomlabels` (1..T−1 tasks per sample), `halflabels`
// (about half the tasks, at least one; no reference file exists) and per-task `ratios`. How the released tables
// were generated is unknown: these generators match their definitions, not their bytes.
import { LabelMaskTable, RandomSource } from '@partial-mtl/core';

export type SplitScenario = 'full' | 'onelabel' | 'randomlabels' | 'halflabels' | 'ratios';

export const splitScenarios: readonly SplitScenario[] = [
  'full',
  'onelabel',
  'randomlabels',
  'halflabels',
  'ratios',
];

export interface CreateSplitOptions {
  /** Number of samples (rows). */
  readonly rows: number;
  /** Task names, in column order. */
  readonly taskNames: readonly string[];
  readonly seed: number;
  /** For `ratios`: the labelled fraction per task (array in task order, or by name), each in [0, 1]. */
  readonly ratios?: readonly number[] | Readonly<Record<string, number>>;
}

function chooseTasks(random: RandomSource, taskCount: number, count: number): number[] {
  return random.permutation(taskCount).slice(0, count);
}

function resolveRatios(options: CreateSplitOptions): number[] {
  const { ratios, taskNames } = options;
  if (ratios === undefined) throw new Error(`createSplit('ratios'): options.ratios is required`);
  const values = Array.isArray(ratios)
    ? (ratios as readonly number[])
    : taskNames.map((name) => {
        const value = (ratios as Record<string, number>)[name];
        if (value === undefined)
          throw new Error(`createSplit('ratios'): options.ratios lacks task '${name}'`);
        return value;
      });
  if (values.length !== taskNames.length) {
    throw new Error(`createSplit('ratios'): expected ${taskNames.length} ratios, got ${values.length}`);
  }
  for (const [t, value] of values.entries()) {
    if (!(value >= 0 && value <= 1))
      throw new Error(`createSplit('ratios'): ratio of '${taskNames[t]}' must be in [0, 1], got ${value}`);
  }
  return [...values];
}

/**
 * Generates a label-mask table for a scenario, deterministically from `seed`.
 * - `onelabel`: a random permutation of rows is dealt to tasks in turn, so counts differ by at most one.
 * - `randomlabels`: per row, k uniform in 1..T−1, then k distinct tasks uniformly (needs T ≥ 2).
 * - `halflabels`: per row, k = T/2 (odd T: ⌊T/2⌋ or ⌈T/2⌉ with equal odds), at least 1, tasks uniform.
 * - `ratios`: per task independently, exactly round(ratio·N) rows chosen uniformly (rows may end with no label).
 */
export function createSplit(scenario: SplitScenario, options: CreateSplitOptions): LabelMaskTable {
  const { rows, taskNames } = options;
  if (!Number.isInteger(rows) || rows < 1)
    throw new Error(`createSplit: rows must be a positive integer, got ${rows}`);
  const taskCount = taskNames.length;
  if (taskCount < 1) throw new Error('createSplit: taskNames must not be empty');
  const random = new RandomSource(options.seed).fork(`split:${scenario}`);
  const flags = new Uint8Array(rows * taskCount);
  const set = (row: number, task: number): void => {
    flags[row * taskCount + task] = 1;
  };
  switch (scenario) {
    case 'full':
      flags.fill(1);
      break;
    case 'onelabel': {
      const order = random.permutation(rows);
      const taskOrder = random.permutation(taskCount);
      for (const [i, row] of order.entries()) set(row, taskOrder[i % taskCount]!);
      break;
    }
    case 'randomlabels':
      if (taskCount < 2)
        throw new Error(`createSplit('randomlabels'): needs at least 2 tasks, got ${taskCount}`);
      for (let row = 0; row < rows; row++) {
        for (const task of chooseTasks(random, taskCount, random.intBetween(1, taskCount - 1)))
          set(row, task);
      }
      break;
    case 'halflabels':
      for (let row = 0; row < rows; row++) {
        const half =
          taskCount % 2 === 0 ? taskCount / 2 : Math.floor(taskCount / 2) + (random.bernoulli(0.5) ? 1 : 0);
        for (const task of chooseTasks(random, taskCount, Math.max(1, half))) set(row, task);
      }
      break;
    case 'ratios':
      resolveRatios(options).forEach((ratio, task) => {
        for (const row of random.permutation(rows).slice(0, Math.round(ratio * rows))) set(row, task);
      });
      break;
    default:
      throw new Error(
        `createSplit: unknown scenario '${String(scenario)}' (valid: ${splitScenarios.join(', ')})`,
      );
  }
  return new LabelMaskTable(taskNames, flags, rows);
}
