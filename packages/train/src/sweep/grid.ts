// Sweep grid files (YAML or JSON): a base train config, named axes whose values override dotted config keys,
// shorthand `grid` axes (any config key with a list of values), seeds, the baseline method for Δm and the
// metrics the results table reports. Axes keep file order; the seed axis always comes first (slowest).
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';

const overridesSchema = z.record(z.string(), z.unknown());

const keyedAxisSchema = z.strictObject({ key: z.string().min(1), values: z.array(z.unknown()).min(1) });

const reportMetricSchema = z.strictObject({
  /** Column title; defaults to `path`. */
  name: z.string().optional(),
  /** Dotted path of the value inside the entry's result.json. */
  path: z.string().min(1),
  /** Task the metric belongs to (default: the path's second-to-last segment, e.g. `metrics.semseg.mIoU`). */
  task: z.string().optional(),
  /** Default: the direction @partial-mtl/metrics defines for the path's last segment (mIoU, absErr, ...). */
  higherIsBetter: z.boolean().optional(),
  /** Display factor (100 shows a fraction as a percentage); Δm is scale-free. */
  scale: z.number().positive().default(1),
  /** Decimal places shown. */
  digits: z.number().int().min(0).max(8).default(4),
});

export const gridFileSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
    .default('sweep'),
  /** Base train config: inline, or a JSON/YAML file path relative to the grid file. */
  base: z.union([z.string(), overridesSchema]).default({}),
  /** Dotted-key overrides applied to every entry before the axes. */
  set: overridesSchema.default({}),
  /** Named axes: `{ key, values }`, or a record of named variants, each a record of dotted-key overrides. */
  axes: z.record(z.string(), z.union([keyedAxisSchema, z.record(z.string(), overridesSchema)])).default({}),
  /** Shorthand axes: a dotted config key and its list of values; the axis is named by the key. */
  grid: z.record(z.string(), z.array(z.unknown()).min(1)).default({}),
  /** Seed list, or a count n meaning seeds 0..n-1. */
  seeds: z.union([z.number().int().positive(), z.array(z.number().int()).min(1)]).optional(),
  /** Config key receiving the seed. */
  seedKey: z.string().min(1).default('seed'),
  /** Baseline method for Δm: a value of the `method` axis, or `{ axis, value }`. */
  baseline: z.union([z.string(), z.strictObject({ axis: z.string(), value: z.string() })]).optional(),
  report: z.strictObject({ metrics: z.array(reportMetricSchema).default([]) }).default({ metrics: [] }),
});

export type GridFile = z.output<typeof gridFileSchema>;
export type ReportMetric = z.output<typeof reportMetricSchema>;

/** One value of an axis: the label shown in tables and keys, and the dotted-key overrides it applies. */
export interface AxisValue {
  label: string;
  overrides: Record<string, unknown>;
}

export interface Axis {
  name: string;
  values: AxisValue[];
}

/** A grid with its base config loaded and its axes in expansion order (first = slowest varying). */
export interface Grid {
  name: string;
  base: Record<string, unknown>;
  set: Record<string, unknown>;
  axes: Axis[];
  seedAxis: string | undefined;
  baseline: { axis: string; value: string } | undefined;
  report: { metrics: ReportMetric[] };
}

export const SEED_AXIS = 'seed';

function labelOf(value: unknown): string {
  return typeof value === 'string' ? value : canonicalJson(value);
}

function readStructuredFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  return extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a parsed grid document; `baseDirectory` resolves a `base` given as a path. */
export function parseGrid(document: unknown, baseDirectory: string): Grid {
  const parsed = gridFileSchema.safeParse(document);
  if (!parsed.success) throw new Error(`invalid grid file:\n${z.prettifyError(parsed.error)}`);
  const file = parsed.data;
  let base: unknown = file.base;
  if (typeof base === 'string') base = readStructuredFile(resolve(baseDirectory, base));
  if (!isRecord(base)) throw new Error('grid: the base config must be an object');

  const axes: Axis[] = [];
  let seedAxis: string | undefined;
  if (file.seeds !== undefined) {
    const seeds = typeof file.seeds === 'number' ? [...Array(file.seeds).keys()] : file.seeds;
    seedAxis = SEED_AXIS;
    axes.push({
      name: SEED_AXIS,
      values: seeds.map((seed) => ({ label: String(seed), overrides: { [file.seedKey]: seed } })),
    });
  }
  for (const [name, axis] of Object.entries(file.axes)) {
    if ('key' in axis && 'values' in axis && typeof axis.key === 'string' && Array.isArray(axis.values)) {
      const key = axis.key;
      axes.push({
        name,
        values: axis.values.map((value) => ({ label: labelOf(value), overrides: { [key]: value } })),
      });
    } else {
      const variants = Object.entries(axis as Record<string, Record<string, unknown>>);
      if (variants.length === 0) throw new Error(`grid: axis "${name}" has no values`);
      axes.push({ name, values: variants.map(([label, overrides]) => ({ label, overrides })) });
    }
  }
  for (const [key, values] of Object.entries(file.grid)) {
    axes.push({
      name: key,
      values: values.map((value) => ({ label: labelOf(value), overrides: { [key]: value } })),
    });
  }

  const names = new Set<string>();
  for (const axis of axes) {
    if (names.has(axis.name)) throw new Error(`grid: axis "${axis.name}" is declared twice`);
    names.add(axis.name);
    const labels = new Set<string>();
    for (const value of axis.values) {
      if (labels.has(value.label)) throw new Error(`grid: axis "${axis.name}" lists "${value.label}" twice`);
      labels.add(value.label);
    }
  }

  let baseline: Grid['baseline'];
  if (file.baseline !== undefined) {
    baseline = typeof file.baseline === 'string' ? { axis: 'method', value: file.baseline } : file.baseline;
    const axis = axes.find((candidate) => candidate.name === baseline!.axis);
    if (!axis)
      throw new Error(`grid: baseline axis "${baseline.axis}" is not an axis (${[...names].join(', ')})`);
    if (!axis.values.some((value) => value.label === baseline!.value)) {
      throw new Error(`grid: baseline "${baseline.value}" is not a value of axis "${baseline.axis}"`);
    }
  }
  return { name: file.name, base, set: file.set, axes, seedAxis, baseline, report: file.report };
}

/** Reads and validates a grid file (.yaml, .yml or .json). */
export function loadGrid(path: string): Grid {
  const absolute = resolve(path);
  return parseGrid(readStructuredFile(absolute), dirname(absolute));
}
