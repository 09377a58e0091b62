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

/**
 * The CSV columns of some log lines: the first line's, plus every part a later line adds (after the first line's
 * parts, in order of appearance). Earlier rows leave a later part's column empty.
 */
function csvHeader(lines: readonly TrainLogLine[]): string[] {
  const first = lines[0];
  if (!first) return [];
  const parts: string[] = [];
  for (const line of lines)
    for (const part of Object.keys(line.parts)) if (!parts.includes(part)) parts.push(part);
  return [
    'step',
    'epoch',
    'loss',
    ...parts,
    ...Object.keys(first.learningRates).map((group) => `lr/${group}`),
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
    this.writeCsv(trainLines);
  }

  /** Rewrites the whole CSV from `lines`, with a column for every part any of them has. */
  private writeCsv(lines: readonly TrainLogLine[]): void {
    const columns = csvHeader(lines);
    this.csvColumns = lines.length > 0 ? columns : undefined;
    const rows = lines.length > 0 ? [columns.join(','), ...lines.map((line) => csvRow(columns, line))] : [];
    writeFileSync(this.trainCsvPath, rows.map((row) => `${row}\n`).join(''));
  }

  /**
   * Appends a line's CSV row. A part first seen after the header was written (a diagnostic a regularizer reports only
   * when the batch has what it needs) rewrites the file from the JSON lines, with the new column.
   */
  private appendCsv(line: TrainLogLine): void {
    const columns = this.csvColumns;
    if (!columns || Object.keys(line.parts).some((part) => !columns.includes(part))) {
      this.writeCsv(readJsonLines<TrainLogLine>(this.trainJsonPath));
      return;
    }
    appendFileSync(this.trainCsvPath, `${csvRow(columns, line)}\n`);
  }

  appendTrain(line: TrainLogLine): void {
    appendFileSync(this.trainJsonPath, `${JSON.stringify(line)}\n`);
    this.appendCsv(line);
  }

  appendMetrics(line: MetricsLine): void {
    appendFileSync(this.metricsPath, `${JSON.stringify(line)}\n`);
  }
}
