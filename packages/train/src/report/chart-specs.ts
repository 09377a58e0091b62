// Vega-Lite specifications of the report's plots: training loss per part over steps, and each evaluation metric
// over steps (one small panel per metric, independent y scales). Data comes from the run's JSONL logs.
import type { TopLevelSpec } from 'vega-lite';
import type { MetricsLine, TrainLogLine } from '../run-logs.js';

export const chartFont = 'DejaVu Sans';

const sharedConfig = {
  font: chartFont,
  background: 'white',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 10, titleFontSize: 11 },
  legend: { labelFontSize: 10, titleFontSize: 11, labelLimit: 400 },
} as const;

/** Loss parts over steps (the total and every logged part), log-free linear scale. */
export function lossChartSpec(lines: readonly TrainLogLine[]): TopLevelSpec {
  const values = lines.flatMap((line) => [
    { step: line.step, part: 'total', value: line.loss },
    ...Object.entries(line.parts).map(([part, value]) => ({ step: line.step, part, value })),
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Training loss by part',
    width: 520,
    height: 260,
    data: { values },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step', axis: { format: 'd' } },
      y: { field: 'value', type: 'quantitative', title: 'loss', axis: { format: '~r' } },
      color: { field: 'part', type: 'nominal', title: 'part' },
    },
    config: sharedConfig,
  };
}

/** One panel per task metric over steps (Δm included), points joined by lines. */
export function metricsChartSpec(lines: readonly MetricsLine[]): TopLevelSpec {
  const values = lines.flatMap((line) => [
    { step: line.step, metric: 'Δm (%)', value: line.deltaM * 100 },
    ...Object.entries(line.metrics).flatMap(([task, metrics]) =>
      Object.entries(metrics)
        .filter(([name, value]) => !name.includes('.') && Number.isFinite(value))
        .map(([name, value]) => ({ step: line.step, metric: `${task} ${name}`, value })),
    ),
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Validation metrics',
    data: { values },
    facet: { field: 'metric', type: 'nominal', title: null },
    columns: 3,
    spec: {
      width: 180,
      height: 110,
      mark: { type: 'line', point: true, strokeWidth: 1.5 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step', axis: { format: 'd' } },
        y: {
          field: 'value',
          type: 'quantitative',
          title: null,
          scale: { zero: false },
          axis: { format: '~r' },
        },
      },
    },
    resolve: { scale: { y: 'independent' } },
    config: sharedConfig,
  };
}
