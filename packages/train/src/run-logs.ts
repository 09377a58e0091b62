// Run logs in outDir: train-log.jsonl and train-log.csv (loss, its parts and every group's learning rate per
// logged step) and metrics.jsonl (one line per evaluation). On resume the lines after the checkpoint's step are
// dropped, so a resumed run's logs equal an uninterrupted run's.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricTable } from './loop-options.js';

export interface TrainLogLine {
  readonly step: number;
  readonly epoch: number;
  readonly loss: number;
  readonly parts: Readonly<Record<string, number>>;
  readonly learningRates: Readonly<Record<string, number>>;
  readonly gradientNorm: number;
  readonly seconds: number;
}

export interface MetricsLine {
  readonly step: number;
  readonly epoch: number;
  readonly deltaM: number;
  readonly best: boolean;
  readonly metrics: MetricTable;
}

export function readJsonLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as T];
      } catch {
        return []; // a line torn by a crash
      }
    });
}

function csvHeader(line: TrainLogLine): string[] {
  return [
    'step',
    'epoch',
    'loss',
    ...Object.keys(line.parts),
    ...Object.keys(line.learningRates).map((group) => `lr/${group}`),
    'gradientNorm',
    'seconds',
  ];
}

function csvRow(header: readonly string[], line: TrainLogLine): string {
  return header
    .map((column) => {
      if (
        column === 'step' ||
        column === 'epoch' ||
        column === 'loss' ||
        column === 'gradientNorm' ||
        column === 'seconds'
      ) {
        return String(line[column]);
      }
      if (column.startsWith('lr/')) return String(line.learningRates[column.slice(3)] ?? '');
      return String(line.parts[column] ?? '');
    })
    .join(',');
}

export class RunLogs {
  private readonly trainJsonPath: string;
  private readonly trainCsvPath: string;
  private readonly metricsPath: string;
  private csvColumns: string[] | undefined;

  constructor(readonly outDir: string) {
    this.trainJsonPath = join(outDir, 'train-log.jsonl');
    this.trainCsvPath = join(outDir, 'train-log.csv');
    this.metricsPath = join(outDir, 'metrics.jsonl');
  }

  /** Starts fresh logs, or (resuming) keeps only the lines up to `resumedStep` and rewrites the CSV from them. */
  start(resumedStep: number | undefined): void {
    if (resumedStep === undefined) {
      for (const path of [this.trainJsonPath, this.trainCsvPath, this.metricsPath]) writeFileSync(path, '');
      return;
    }
    const trainLines = readJsonLines<TrainLogLine>(this.trainJsonPath).filter(
      (line) => line.step <= resumedStep,
    );
    const metricLines = readJsonLines<MetricsLine>(this.metricsPath).filter(
      (line) => line.step <= resumedStep,
    );
    writeFileSync(this.trainJsonPath, trainLines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    writeFileSync(this.metricsPath, metricLines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    writeFileSync(this.trainCsvPath, '');
    this.csvColumns = undefined;
    for (const line of trainLines) this.appendCsv(line);
  }

  private appendCsv(line: TrainLogLine): void {
    if (!this.csvColumns) {
      this.csvColumns = csvHeader(line);
      appendFileSync(this.trainCsvPath, `${this.csvColumns.join(',')}\n`);
    }
    appendFileSync(this.trainCsvPath, `${csvRow(this.csvColumns, line)}\n`);
  }

  /**
   * A part first seen after the header was written (e.g. a diagnostic a regularizer reports only when the batch has
   * what it needs): the CSV is rewritten from the JSON lines with the new column; earlier rows leave it empty.
   */
  private widenCsv(line: TrainLogLine): boolean {
    const columns = this.csvColumns;
    if (!columns) return false;
    const added = Object.keys(line.parts).filter((part) => !columns.includes(part));
    if (added.length === 0) return false;
    const firstLearningRate = columns.findIndex(
      (column) => column.startsWith('lr/') || column === 'gradientNorm',
    );
    this.csvColumns = [...columns.slice(0, firstLearningRate), ...added, ...columns.slice(firstLearningRate)];
    const lines = readJsonLines<TrainLogLine>(this.trainJsonPath);
    writeFileSync(
      this.trainCsvPath,
      [this.csvColumns.join(','), ...lines.map((logged) => csvRow(this.csvColumns!, logged))]
        .map((row) => `${row}\n`)
        .join(''),
    );
    return true;
  }

  appendTrain(line: TrainLogLine): void {
    appendFileSync(this.trainJsonPath, `${JSON.stringify(line)}\n`);
    if (!this.widenCsv(line)) this.appendCsv(line);
  }

  appendMetrics(line: MetricsLine): void {
    appendFileSync(this.metricsPath, `${JSON.stringify(line)}\n`);
  }
}
