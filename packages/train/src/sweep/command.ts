// The four sweep subcommands of the `partial-mtl` CLI: plan (with --emit slurm|k8s), run (one index, for job
// arrays), sweep (local pool) and collect. `runSweepCommand(argv)` takes argv without the node and script paths
// and returns the exit code: 0 success, 1 some entry failed or is busy, 2 usage or plan conflict.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, parseRunConfig } from '../config-schema.js';
import { writeResultTables } from './collect.js';
import { type EmitOptions, kubernetesIndexedJobYaml, slurmArrayScript } from './emit.js';
import { EntryBusyError } from './entry-state.js';
import { loadGrid } from './grid.js';
import {
  type ConfigResolver,
  describeChanges,
  type Plan,
  PlanConflictError,
  readPlan,
  writePlan,
} from './plan.js';
import { runSweep } from './pool.js';
import { createProgressPrinter } from './progress.js';
import { runEntry } from './run-entry.js';

export const SWEEP_COMMANDS = ['plan', 'run', 'sweep', 'collect'] as const;
export const SLURM_SCRIPT_FILE = 'sweep.sbatch';
export const KUBERNETES_JOB_FILE = 'sweep-job.yaml';

export const sweepUsage = `Sweeps:
  partial-mtl plan <grid.yaml> [--out runs] [--update] [--raw] [--emit slurm|k8s]...
      expand a grid into runs/plan.json and runs/<index>/config.json (re-planning keeps indices);
      configs are resolved with the train config schema (defaults filled) unless --raw
      emit options: --runs-path P --launcher CMD --parallelism N --retries N --cpus N --memory 4G
                    --time 04:00:00 --partition NAME --image IMAGE --claim PVC
  partial-mtl plan --out runs --emit slurm|k8s       templates for an existing plan
  partial-mtl run <runs> [--index I] [--retries N] [--runner CMD]
      run one entry (index from --index, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX); idempotent
  partial-mtl sweep <runs> [--workers N] [--retries N] [--runner CMD]
      run every unfinished entry with a local pool, then write results.{md,csv,json}
  partial-mtl collect <runs>
      write results.{md,csv,json} from whatever has finished`;

export interface SweepCommandContext {
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
  /** Resolves each merged config before hashing; default: the train config schema (defaults filled). */
  resolveConfig?: ConfigResolver;
}

class UsageError extends Error {}

function parseRunner(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  const parts = trimmed.startsWith('[') ? (JSON.parse(trimmed) as unknown) : trimmed.split(/\s+/);
  if (
    !Array.isArray(parts) ||
    parts.length === 0 ||
    parts.some((part) => typeof part !== 'string' || !part)
  ) {
    throw new UsageError('--runner must be a command line or a JSON array of strings');
  }
  return parts as string[];
}

function parseCount(text: string | undefined, flag: string, fallback: number, minimum = 0): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum)
    throw new UsageError(`${flag} must be an integer >= ${minimum}`);
  return value;
}

function onlyPositional(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one ${what}`);
  return positionals[0]!;
}

function emitTemplates(
  plan: Plan,
  runsDirectory: string,
  kinds: string[],
  values: Record<string, unknown>,
): string[] {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const options: EmitOptions = {
    count: plan.entries.length,
    name: plan.name,
    runsPath: text('runs-path') ?? resolve(runsDirectory),
    launcher: text('launcher'),
    parallelism:
      text('parallelism') === undefined ? undefined : parseCount(text('parallelism'), '--parallelism', 1, 1),
    retries: text('retries') === undefined ? undefined : parseCount(text('retries'), '--retries', 0),
    cpus: text('cpus') === undefined ? undefined : parseCount(text('cpus'), '--cpus', 1, 1),
    memory: text('memory'),
    time: text('time'),
    partition: text('partition'),
    image: text('image'),
    claimName: text('claim'),
  };
  const written: string[] = [];
  for (const kind of kinds.flatMap((item) => item.split(','))) {
    if (kind === 'slurm') {
      const path = join(runsDirectory, SLURM_SCRIPT_FILE);
      writeFileSync(path, slurmArrayScript(options), { mode: 0o755 });
      written.push(path);
    } else if (kind === 'k8s' || kind === 'kubernetes') {
      const path = join(runsDirectory, KUBERNETES_JOB_FILE);
      writeFileSync(path, kubernetesIndexedJobYaml(options));
      written.push(path);
    } else throw new UsageError(`--emit takes slurm or k8s, not "${kind}"`);
  }
  return written;
}

/** The train config schema with its defaults: what `train --config` will run, as plain JSON. */
const trainConfigResolver: ConfigResolver = (config) =>
  JSON.parse(JSON.stringify(parseRunConfig(config))) as Record<string, unknown>;

function planCommand(
  argv: string[],
  context: Required<Pick<SweepCommandContext, 'stdout'>> & SweepCommandContext,
): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', default: 'runs' },
      update: { type: 'boolean', default: false },
      raw: { type: 'boolean', default: false },
      emit: { type: 'string', multiple: true },
      'runs-path': { type: 'string' },
      launcher: { type: 'string' },
      parallelism: { type: 'string' },
      retries: { type: 'string' },
      cpus: { type: 'string' },
      memory: { type: 'string' },
      time: { type: 'string' },
      partition: { type: 'string' },
      image: { type: 'string' },
      claim: { type: 'string' },
    },
  });
  const runsDirectory = values.out;
  let plan: Plan;
  if (positionals.length === 0) {
    if (!values.emit) throw new UsageError('plan needs a grid file (or --emit for an existing plan)');
    plan = readPlan(runsDirectory);
  } else {
    const grid = loadGrid(onlyPositional(positionals, 'grid file'));
    mkdirSync(runsDirectory, { recursive: true });
    const resolveConfig = values.raw ? undefined : (context.resolveConfig ?? trainConfigResolver);
    const written = writePlan(runsDirectory, grid, { update: values.update, resolveConfig });
    plan = written.plan;
    const changeLines = written.changes ? describeChanges(written.changes) : [];
    context.stdout.write(
      `planned ${plan.entries.length} entries into ${join(runsDirectory, 'plan.json')}` +
        `${written.changes ? (changeLines.length ? ` (${changeLines.length} change(s))` : ' (unchanged)') : ''}\n`,
    );
    for (const line of changeLines) context.stdout.write(`  ${line}\n`);
    for (const path of written.superseded) context.stdout.write(`  old outputs moved to ${path}\n`);
  }
  for (const path of emitTemplates(plan, runsDirectory, values.emit ?? [], values)) {
    context.stdout.write(`wrote ${path}\n`);
  }
  return 0;
}

function indexFrom(text: string | undefined, env: NodeJS.ProcessEnv): number {
  const source = text ?? env['SLURM_ARRAY_TASK_ID'] ?? env['JOB_COMPLETION_INDEX'];
  if (source === undefined)
    throw new UsageError('run needs --index, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX');
  return parseCount(source, '--index', 0);
}

async function runCommand(
  argv: string[],
  context: Required<Pick<SweepCommandContext, 'stdout' | 'stderr' | 'env'>>,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { index: { type: 'string' }, retries: { type: 'string' }, runner: { type: 'string' } },
  });
  const runsDirectory = onlyPositional(positionals, 'runs directory');
  const plan = readPlan(runsDirectory);
  const index = indexFrom(values.index, context.env);
  const entry = plan.entries[index];
  if (!entry) throw new UsageError(`index ${index} is outside the plan (0-${plan.entries.length - 1})`);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    const outcome = await runEntry(runsDirectory, entry, {
      command: parseRunner(values.runner),
      retries: parseCount(values.retries, '--retries', 0),
      output: 'inherit',
      signal: abort.signal,
    });
    if (outcome.state === 'done') {
      context.stderr.write(`${entry.id} ${entry.key}: ${outcome.cached ? 'already finished' : 'finished'}\n`);
      context.stdout.write(`${JSON.stringify(outcome.result ?? {}, null, 2)}\n`);
      return 0;
    }
    context.stderr.write(`${entry.id} ${entry.key}: failed (${outcome.status?.reason ?? 'unknown'})\n`);
    return 1;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}

async function sweepCommand(
  argv: string[],
  context: Required<Pick<SweepCommandContext, 'stdout' | 'stderr'>>,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { workers: { type: 'string' }, retries: { type: 'string' }, runner: { type: 'string' } },
  });
  const runsDirectory = onlyPositional(positionals, 'runs directory');
  const plan = readPlan(runsDirectory);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    const summary = await runSweep(runsDirectory, {
      workers: parseCount(values.workers, '--workers', 1, 1),
      retries: parseCount(values.retries, '--retries', 1),
      command: parseRunner(values.runner),
      signal: abort.signal,
      onEvent: createProgressPrinter(context.stdout, plan.entries),
    });
    const { markdown } = writeResultTables(runsDirectory);
    context.stdout.write(`\n${markdown}`);
    context.stdout.write(`results: ${join(runsDirectory, 'results.md')}, results.csv, results.json\n`);
    return summary.failed === 0 && !abort.signal.aborted ? 0 : 1;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}

function collectCommand(argv: string[], context: Required<Pick<SweepCommandContext, 'stdout'>>): number {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const runsDirectory = onlyPositional(positionals, 'runs directory');
  const { markdown } = writeResultTables(runsDirectory);
  context.stdout.write(markdown);
  return 0;
}

/** Runs `plan`, `run`, `sweep` or `collect` (argv[0]) and returns the process exit code. */
export async function runSweepCommand(argv: string[], context: SweepCommandContext = {}): Promise<number> {
  const full = {
    stdout: context.stdout ?? process.stdout,
    stderr: context.stderr ?? process.stderr,
    env: context.env ?? process.env,
    resolveConfig: context.resolveConfig,
  };
  const [command, ...rest] = argv;
  if (rest.includes('--help') || rest.includes('-h')) {
    full.stdout.write(`${sweepUsage}\n`);
    return 0;
  }
  try {
    if (command === 'plan') return planCommand(rest, full);
    if (command === 'run') return await runCommand(rest, full);
    if (command === 'sweep') return await sweepCommand(rest, full);
    if (command === 'collect') return collectCommand(rest, full);
    throw new UsageError(`unknown sweep command "${command ?? ''}"`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    full.stderr.write(`partial-mtl ${command ?? ''}: ${message}\n`);
    if (error instanceof UsageError) full.stderr.write(`${sweepUsage}\n`);
    if (error instanceof ConfigError)
      full.stderr.write('(plan --raw skips the train config schema, for other runners)\n');
    if (error instanceof EntryBusyError) return 1;
    return error instanceof UsageError ||
      error instanceof PlanConflictError ||
      error instanceof ConfigError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
      ? 2
      : 1;
  }
}
