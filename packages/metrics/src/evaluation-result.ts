// A tidy evaluation summary: metrics per task plus Δ against any number of baselines (presets or custom tables,
// every flavour reported in percent) and the negative-transfer findings against single-task baselines.
// `summarizeEvaluation` builds it from `collectResults(...)` output; format-table.ts prints it.
import { type BaselinePresetName, baselinePreset } from './baselines.js';
import { type DeltaFlavour, deltaPercent, type MetricTable } from './delta-m.js';
import { findNegativeTransfer, type NegativeTransferFinding } from './negative-transfer.js';

export interface DeltaSummary {
  readonly flavour: DeltaFlavour;
  /** Preset name or the custom baseline's name. */
  readonly baseline: string;
  /** Δ in percent for every flavour (JTR's and LibMTL's fractions ×100). */
  readonly percent: number;
}

export interface EvaluationResult {
  /** Metrics by task name, in result units (fractions for mIoU, pixAcc, accuracy, F1). */
  readonly tasks: MetricTable;
  readonly deltas: readonly DeltaSummary[];
  /** Tasks worse than their single-task baseline; empty when no single-task baseline was given. */
  readonly negativeTransfer: readonly NegativeTransferFinding[];
}

export interface CustomBaseline {
  readonly name: string;
  readonly flavour: DeltaFlavour;
  readonly metrics: MetricTable;
}

export interface EvaluationOptions {
  /** Baselines to score against: preset names ('jtr/nyuv2-randomlabels') or custom tables. */
  readonly baselines: readonly (BaselinePresetName | CustomBaseline)[];
  /**
   * Single-task references for the negative-transfer check; defaults to the first 'mtpsl' baseline listed
   * (MTPSL's references are single-task models). No check when neither exists.
   */
  readonly singleTaskBaseline?: BaselinePresetName | MetricTable;
}

export const evaluationDefaults: EvaluationOptions = { baselines: [] };

function resolveBaseline(baseline: BaselinePresetName | CustomBaseline): CustomBaseline {
  if (typeof baseline !== 'string') return baseline;
  const preset = baselinePreset(baseline);
  return { name: baseline, flavour: preset.flavour, metrics: preset.metrics };
}

export function summarizeEvaluation(
  tasks: MetricTable,
  options: Partial<EvaluationOptions> = {},
): EvaluationResult {
  const settings = { ...evaluationDefaults, ...options };
  const baselines = settings.baselines.map(resolveBaseline);
  const deltas = baselines.map((baseline) => ({
    flavour: baseline.flavour,
    baseline: baseline.name,
    percent: deltaPercent(baseline.flavour, tasks, baseline.metrics),
  }));
  const singleTask =
    typeof settings.singleTaskBaseline === 'string'
      ? baselinePreset(settings.singleTaskBaseline).metrics
      : (settings.singleTaskBaseline ?? baselines.find((baseline) => baseline.flavour === 'mtpsl')?.metrics);
  return {
    tasks,
    deltas,
    negativeTransfer: singleTask === undefined ? [] : findNegativeTransfer(tasks, singleTask),
  };
}
