// The whole case study: load the data, train (a) STL, (b) MTL and (c) MTL + distribution matching for every seed,
// evaluate each on the test set (or the validation part, for tuning), then print the per-run lines, the
// mean ± std table with negative transfer against STL, and one JSON line. Writes files only with `out`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LabelledImages, loadStudyData, type StudyData, selectImages } from './fashion-data.js';
import type { StudyOptions } from './study-options.js';
import {
  describeRun,
  formatSummaryTable,
  type MethodSummary,
  resultJsonLine,
  summarizeRuns,
} from './study-summary.js';
import { type RunOutcome, trainAndEvaluate } from './train-run.js';

export interface StudyResult {
  readonly outcomes: readonly RunOutcome[];
  readonly summaries: ReturnType<typeof summarizeRuns>;
  readonly table: string;
  readonly jsonLine: string;
  readonly evaluationCount: number;
}

/** The evaluation images: the test set or the validation part, optionally only the first `evaluationLimit`. */
export function evaluationSetOf(
  data: StudyData,
  options: Pick<StudyOptions, 'evaluateOn' | 'evaluationLimit'>,
): LabelledImages {
  const full = options.evaluateOn === 'test' ? data.test : selectImages(data.train, data.validationRows);
  if (options.evaluationLimit <= 0 || options.evaluationLimit >= full.count) return full;
  return selectImages(
    full,
    Array.from({ length: options.evaluationLimit }, (_, row) => row),
  );
}

function describeSetup(data: StudyData, options: StudyOptions, evaluationCount: number): string[] {
  const perRun = (batch: number) => Math.min(batch * options.steps, Number.MAX_SAFE_INTEGER);
  const share = (seen: number, size: number) =>
    size === 0 ? '0' : `${Math.min(100, (100 * seen) / size).toFixed(0)} %`;
  return [
    `Fashion-MNIST: ${data.train.count} training images, split seed ${options.splitSeed}: ${data.classRows.length} class-labelled only, ` +
      `${data.attributeRows.length} attribute-labelled only, ${data.unlabelledRows.length} unlabelled, ${data.validationRows.length} held out for validation.`,
    `Small CNN (width ×${options.width}, ${options.stages} stages, 1-channel 28×28 input), Adam lr ${options.learningRate}, ${options.steps} steps per run, ` +
      `batches of ${options.classBatch} class + ${options.attributeBatch} attribute + ${options.unlabelledBatch} unlabelled images (STL: class only)` +
      `${options.flip ? ', random horizontal flips' : ''}.`,
    `Subsampling: each MTL/DM run draws ${perRun(options.attributeBatch)} attribute-labelled images ` +
      `(${share(perRun(options.attributeBatch), data.attributeRows.length)} of that part, without replacement) and ` +
      `${perRun(options.unlabelledBatch)} unlabelled images (${share(perRun(options.unlabelledBatch), data.unlabelledRows.length)}); ` +
      `the class-labelled part is seen ${((options.classBatch * options.steps) / data.classRows.length).toFixed(1)} times.`,
    `DM: distribution-matching regularizer, relatedness = datasets' fashionAttributeRelatedness, coannotation ${options.coannotation}, ` +
      `direction ${options.direction} (${options.auToExpForm}, on ${options.dmOn}), lambdaDm ${options.lambdaDm}, lambdaSca ${options.lambdaSca}${options.dmWarmup > 0 ? `, linear warm-up over ${options.dmWarmup} steps` : ''}.`,
    `Evaluation: ${evaluationCount} ${options.evaluateOn === 'test' ? 'test' : 'validation'} images.`,
  ];
}

export async function runStudy(
  options: StudyOptions,
  log: (line: string) => void = console.log,
): Promise<StudyResult> {
  const data = await loadStudyData(options);
  const evaluationSet = evaluationSetOf(data, options);
  for (const line of describeSetup(data, options, evaluationSet.count)) log(line);
  const outcomes: RunOutcome[] = [];
  for (const method of options.methods) {
    for (const seed of options.seeds) {
      const outcome = trainAndEvaluate(data, evaluationSet, method, seed, options, log);
      log(describeRun(outcome));
      outcomes.push(outcome);
    }
  }
  const summaries = summarizeRuns(outcomes);
  const table = formatSummaryTable(summaries);
  const jsonLine = resultJsonLine(summaries);
  if (options.out !== undefined) writeResults(options, summaries, outcomes, table);
  return { outcomes, summaries, table, jsonLine, evaluationCount: evaluationSet.count };
}

function writeResults(
  options: StudyOptions,
  summaries: Partial<Record<string, MethodSummary>>,
  outcomes: readonly RunOutcome[],
  table: string,
): void {
  const folder = options.out!;
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, 'results.json'),
    `${JSON.stringify({ case: 'fashion-mnist', options, results: summaries, runs: outcomes }, null, 2)}\n`,
  );
  writeFileSync(join(folder, 'results.md'), `${table}\n`);
}
