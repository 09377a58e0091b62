// Expands a grid into a numbered plan (runs/plan.json plus runs/<id>/config.json per entry) and re-plans
// safely: entries are compared index by index against an existing plan; appended entries are fine, changed or
// removed ones need `update` (their old outputs move to runs/superseded/), and renumbering is always refused.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { configHash } from './canonical-json.js';
import { cloneJson, setPath } from './dotted-path.js';
import { entryIsLocked } from './entry-state.js';
import { readJsonIfPresent, writeJsonAtomic } from './files.js';
import type { Grid, ReportMetric } from './grid.js';

export const PLAN_FILE = 'plan.json';
export const CONFIG_FILE = 'config.json';
export const SUPERSEDED_DIRECTORY = 'superseded';

export interface PlanEntry {
  index: number;
  /** Folder name under the runs directory: the index zero-padded to the plan's width. */
  id: string;
  /** Axis coordinates as `axis=label` joined by commas, e.g. `seed=0,method=jtr,labels=onelabel`. */
  key: string;
  coordinates: Record<string, string>;
  /** sha256 of the canonical JSON of the fully resolved config. */
  hash: string;
}

export interface Plan {
  version: 1;
  name: string;
  padWidth: number;
  axes: { name: string; values: string[] }[];
  seedAxis: string | undefined;
  baseline: { axis: string; value: string } | undefined;
  report: { metrics: ReportMetric[] };
  entries: PlanEntry[];
}

export interface ExpandedEntry {
  index: number;
  key: string;
  coordinates: Record<string, string>;
  config: Record<string, unknown>;
  hash: string;
}

/** Turns a merged config into the fully resolved one that is hashed and run (e.g. a schema applying defaults). */
export type ConfigResolver = (config: Record<string, unknown>) => Record<string, unknown>;

/** The cartesian product of the axes, first axis slowest, each entry's config resolved and hashed. */
export function expandGrid(grid: Grid, resolveConfig?: ConfigResolver): ExpandedEntry[] {
  const sizes = grid.axes.map((axis) => axis.values.length);
  const total = sizes.reduce((product, size) => product * size, 1);
  const entries: ExpandedEntry[] = [];
  const seenHashes = new Map<string, string>();
  for (let index = 0; index < total; index++) {
    const config = cloneJson(grid.base);
    for (const [path, value] of Object.entries(grid.set)) setPath(config, path, value);
    const coordinates: Record<string, string> = {};
    let remainder = index;
    const positions = sizes.map(() => 0);
    for (let axisIndex = sizes.length - 1; axisIndex >= 0; axisIndex--) {
      positions[axisIndex] = remainder % sizes[axisIndex]!;
      remainder = Math.floor(remainder / sizes[axisIndex]!);
    }
    grid.axes.forEach((axis, axisIndex) => {
      const value = axis.values[positions[axisIndex]!]!;
      coordinates[axis.name] = value.label;
      for (const [path, override] of Object.entries(value.overrides)) setPath(config, path, override);
    });
    const key = Object.entries(coordinates)
      .map(([axis, label]) => `${axis}=${label}`)
      .join(',');
    let resolved = config;
    if (resolveConfig) {
      try {
        resolved = resolveConfig(config);
      } catch (error) {
        if (error instanceof Error) error.message = `entry ${index} (${key || 'default'}): ${error.message}`;
        throw error;
      }
    }
    const hash = configHash(resolved);
    const twin = seenHashes.get(hash);
    if (twin !== undefined) throw new Error(`grid: entries ${twin} and ${key} resolve to the same config`);
    seenHashes.set(hash, key);
    entries.push({ index, key: key || 'default', coordinates, config: resolved, hash });
  }
  return entries;
}

export interface PlanChanges {
  unchanged: number[];
  /** Same index, different config (an axis value or the base changed). */
  changed: { index: number; oldKey: string; newKey: string; oldHash: string; newHash: string }[];
  added: number[];
  removed: PlanEntry[];
  /** Old entries whose coordinates or config now sit at another index: renumbering, always refused. */
  moved: { key: string; from: number; to: number }[];
}

/** Compares a new expansion with an existing plan, index by index. */
export function comparePlans(previous: Plan, next: ExpandedEntry[]): PlanChanges {
  const changes: PlanChanges = { unchanged: [], changed: [], added: [], removed: [], moved: [] };
  const nextIndexByKey = new Map(next.map((entry) => [entry.key, entry.index]));
  const nextIndexByHash = new Map(next.map((entry) => [entry.hash, entry.index]));
  for (const old of previous.entries) {
    const to = nextIndexByHash.get(old.hash) ?? nextIndexByKey.get(old.key);
    if (to !== undefined && to !== old.index) changes.moved.push({ key: old.key, from: old.index, to });
  }
  for (const entry of next) {
    const old = previous.entries[entry.index];
    if (!old) changes.added.push(entry.index);
    else if (old.hash === entry.hash) changes.unchanged.push(entry.index);
    else {
      changes.changed.push({
        index: entry.index,
        oldKey: old.key,
        newKey: entry.key,
        oldHash: old.hash,
        newHash: entry.hash,
      });
    }
  }
  changes.removed = previous.entries.slice(next.length);
  return changes;
}

/** One line per change, for the CLI and error messages. */
export function describeChanges(changes: PlanChanges): string[] {
  const lines: string[] = [];
  for (const move of changes.moved) lines.push(`moved    ${move.key}: index ${move.from} -> ${move.to}`);
  for (const change of changes.changed) {
    const what = change.oldKey === change.newKey ? change.newKey : `${change.oldKey} -> ${change.newKey}`;
    lines.push(
      `changed  #${change.index} ${what} (${change.oldHash.slice(0, 12)} -> ${change.newHash.slice(0, 12)})`,
    );
  }
  for (const index of changes.added) lines.push(`added    #${index}`);
  for (const entry of changes.removed) lines.push(`removed  #${entry.index} ${entry.key}`);
  return lines;
}

export class PlanConflictError extends Error {
  constructor(
    message: string,
    readonly changes: PlanChanges,
  ) {
    super(message);
    this.name = 'PlanConflictError';
  }
}

export function readPlan(runsDirectory: string): Plan {
  const path = join(runsDirectory, PLAN_FILE);
  if (!existsSync(path)) throw new Error(`no ${PLAN_FILE} in ${runsDirectory}: run "partial-mtl plan" first`);
  return JSON.parse(readFileSync(path, 'utf8')) as Plan;
}

export function entryDirectory(runsDirectory: string, entry: PlanEntry): string {
  return join(runsDirectory, entry.id);
}

export interface WritePlanOptions {
  /** Accept changed or removed entries, moving their old outputs to runs/superseded/. */
  update?: boolean;
  resolveConfig?: ConfigResolver;
}

export interface WritePlanResult {
  plan: Plan;
  changes: PlanChanges | undefined;
  /** Folders whose outputs were moved to runs/superseded/. */
  superseded: string[];
}

function supersede(runsDirectory: string, entry: PlanEntry): string | undefined {
  const directory = entryDirectory(runsDirectory, entry);
  if (!existsSync(directory)) return undefined;
  if (readdirSync(directory).every((name) => name === CONFIG_FILE)) return undefined;
  const archive = join(runsDirectory, SUPERSEDED_DIRECTORY);
  mkdirSync(archive, { recursive: true });
  const target = join(archive, `${entry.id}-${entry.hash.slice(0, 12)}`);
  renameSync(directory, target);
  return target;
}

/** Plans `grid` into `runsDirectory`; throws PlanConflictError instead of renumbering or silently changing. */
export function writePlan(
  runsDirectory: string,
  grid: Grid,
  options: WritePlanOptions = {},
): WritePlanResult {
  const expanded = expandGrid(grid, options.resolveConfig);
  const previous = existsSync(join(runsDirectory, PLAN_FILE)) ? readPlan(runsDirectory) : undefined;
  const digits = String(Math.max(0, expanded.length - 1)).length;
  const padWidth = previous ? previous.padWidth : Math.max(4, digits);
  if (digits > padWidth) {
    throw new Error(
      `the grid has ${expanded.length} entries, too many for ${padWidth}-digit folders: plan elsewhere`,
    );
  }
  let changes: PlanChanges | undefined;
  const superseded: string[] = [];
  if (previous) {
    changes = comparePlans(previous, expanded);
    const report = describeChanges(changes).join('\n');
    if (changes.moved.length > 0) {
      throw new PlanConflictError(
        `re-planning would renumber existing entries; refusing (add new values at the end of the first axis, ` +
          `or plan into a new directory):\n${report}`,
        changes,
      );
    }
    if ((changes.changed.length > 0 || changes.removed.length > 0) && !options.update) {
      throw new PlanConflictError(
        `the grid changed existing entries; pass --update to accept:\n${report}`,
        changes,
      );
    }
    const outdated = [
      ...changes.changed.map((change) => previous.entries[change.index]!),
      ...changes.removed,
    ];
    const running = outdated.filter((entry) => entryIsLocked(entryDirectory(runsDirectory, entry)));
    if (running.length > 0) {
      throw new Error(
        `cannot replace entries that are running: ${running.map((entry) => entry.id).join(', ')}; stop them first`,
      );
    }
    for (const old of outdated) {
      const moved = supersede(runsDirectory, old);
      if (moved) superseded.push(moved);
    }
  }
  const entries: PlanEntry[] = expanded.map((entry) => ({
    index: entry.index,
    id: String(entry.index).padStart(padWidth, '0'),
    key: entry.key,
    coordinates: entry.coordinates,
    hash: entry.hash,
  }));
  mkdirSync(runsDirectory, { recursive: true });
  expanded.forEach((entry, position) => {
    const directory = entryDirectory(runsDirectory, entries[position]!);
    mkdirSync(directory, { recursive: true });
    const configPath = join(directory, CONFIG_FILE);
    const existing = readJsonIfPresent(configPath);
    if (existing === undefined || configHash(existing) !== entry.hash)
      writeJsonAtomic(configPath, entry.config);
  });
  const plan: Plan = {
    version: 1,
    name: grid.name,
    padWidth,
    axes: grid.axes.map((axis) => ({ name: axis.name, values: axis.values.map((value) => value.label) })),
    seedAxis: grid.seedAxis,
    baseline: grid.baseline,
    report: grid.report,
    entries,
  };
  writeJsonAtomic(join(runsDirectory, PLAN_FILE), plan);
  return { plan, changes, superseded };
}
