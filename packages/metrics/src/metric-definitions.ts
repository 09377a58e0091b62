// Every metric name this package reports, declared once: whether higher or lower is better (used by every Δ and
// the negative-transfer check), its unit and how tables display it. Per-class names ('iou.sofa', 'f1.AU12')
// take the definition of their prefix. Fractions are shown ×100 as in the papers' tables.

export type MetricDirection = 'higher' | 'lower';
export type MetricUnit = 'fraction' | 'percent' | 'degrees' | 'value';

export interface MetricDefinition {
  readonly direction: MetricDirection;
  readonly unit: MetricUnit;
  readonly description: string;
}

export const metricDefinitions = {
  mIoU: { direction: 'higher', unit: 'fraction', description: 'mean intersection over union' },
  pixAcc: { direction: 'higher', unit: 'fraction', description: 'pixel accuracy' },
  iou: { direction: 'higher', unit: 'fraction', description: 'per-class intersection over union' },
  absErr: { direction: 'lower', unit: 'value', description: 'mean absolute error' },
  absRel: { direction: 'lower', unit: 'value', description: 'mean absolute relative error' },
  rmse: { direction: 'lower', unit: 'value', description: 'root mean squared error' },
  logRmse: { direction: 'lower', unit: 'value', description: 'root mean squared log error' },
  delta1: { direction: 'higher', unit: 'fraction', description: 'fraction with max(p/g, g/p) < 1.25' },
  delta2: { direction: 'higher', unit: 'fraction', description: 'fraction with max(p/g, g/p) < 1.25^2' },
  delta3: { direction: 'higher', unit: 'fraction', description: 'fraction with max(p/g, g/p) < 1.25^3' },
  meanDeg: { direction: 'lower', unit: 'degrees', description: 'mean angle error' },
  medianDeg: { direction: 'lower', unit: 'degrees', description: 'median angle error' },
  rmseDeg: { direction: 'lower', unit: 'degrees', description: 'root mean squared angle error' },
  within11_25: { direction: 'higher', unit: 'percent', description: '% of angles < 11.25°' },
  within22_5: { direction: 'higher', unit: 'percent', description: '% of angles < 22.5°' },
  within30: { direction: 'higher', unit: 'percent', description: '% of angles < 30°' },
  accuracy: { direction: 'higher', unit: 'fraction', description: 'classification accuracy' },
  macroF1: { direction: 'higher', unit: 'fraction', description: 'mean F1 over classes' },
  meanF1: { direction: 'higher', unit: 'fraction', description: 'mean F1 over labels' },
  f1: { direction: 'higher', unit: 'fraction', description: 'per-class or per-label F1' },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof metricDefinitions;

/** Direction of every metric, derived from `metricDefinitions`. */
export const metricDirections: Readonly<Record<MetricName, MetricDirection>> = Object.fromEntries(
  Object.entries(metricDefinitions).map(([name, definition]) => [name, definition.direction]),
) as Record<MetricName, MetricDirection>;

/** Definition of a metric name; 'iou.sofa' resolves to 'iou'. Throws for unknown names, listing known ones. */
export function metricDefinitionOf(metric: string): MetricDefinition {
  const base = metric.includes('.') ? metric.slice(0, metric.indexOf('.')) : metric;
  const definition = (metricDefinitions as Record<string, MetricDefinition>)[base];
  if (definition === undefined) {
    throw new Error(
      `unknown metric '${metric}'; known metrics: ${Object.keys(metricDefinitions).join(', ')}`,
    );
  }
  return definition;
}

export function directionOf(metric: string): MetricDirection {
  return metricDefinitionOf(metric).direction;
}

/** +1 when higher is better, −1 when lower is better (the `s` of every Δ formula). */
export function signOf(metric: string): 1 | -1 {
  return directionOf(metric) === 'higher' ? 1 : -1;
}

/** Factor applied for display: fractions ×100, everything else ×1. */
export function displayScaleOf(metric: string): number {
  return metricDefinitionOf(metric).unit === 'fraction' ? 100 : 1;
}

/** Decimals shown in tables: 2 for fractions (shown ×100), percentages and degrees, 4 for raw errors. */
export function displayDecimalsOf(metric: string): number {
  return metricDefinitionOf(metric).unit === 'value' ? 4 : 2;
}
