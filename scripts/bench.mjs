#!/usr/bin/env node
// `pnpm bench <name> [flags]`: builds what the benchmark needs (turbo, errors only), then runs it with the remaining
// flags from the repository root. Add a benchmark by adding an entry to the table below: `build` is the turbo
// filter of the package whose dependencies must be built (its `...` closure), `command` what to run.
import { spawnSync } from 'node:child_process';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** Benchmark name → turbo build filter and command. */
const benchmarks = {
  step: { build: '@partial-mtl/benchmarks', command: ['node', 'benchmarks/dist/step.js'] },
  conv: { build: '@partial-mtl/benchmarks', command: ['node', 'benchmarks/dist/conv.js'] },
  load: {
    build: '@partial-mtl/datasets',
    command: ['node', '--import', 'tsx', 'packages/datasets/bench/load.ts'],
    cwd: 'packages/datasets',
  },
  regularizers: {
    build: '@partial-mtl/regularizers',
    command: ['node', 'packages/regularizers/bench/regularizers.mjs'],
  },
};

const root = new URL('..', import.meta.url).pathname;
const [name, ...flags] = process.argv.slice(2);
const entry = name ? benchmarks[name] : undefined;
if (!entry) {
  console.error(`usage: pnpm bench <name> [flags]; benchmarks: ${Object.keys(benchmarks).join(', ')}`);
  process.exit(2);
}
const filter = entry.build ? [`--filter=${entry.build}...`] : [];
// pnpm and npx may put a relative `./node_modules/.bin` on PATH, which breaks turbo's spawning: make it absolute.
const path = [join(root, 'node_modules', '.bin'), ...(process.env.PATH ?? '').split(delimiter)]
  .map((part) => (part && !isAbsolute(part) ? resolve(root, part) : part))
  .join(delimiter);
const env = { ...process.env, PATH: path };
const turbo = join(root, 'node_modules', '.bin', 'turbo');
const build = spawnSync(turbo, ['run', 'build', '--output-logs=errors-only', ...filter], {
  cwd: root,
  stdio: 'inherit',
  env,
});
if (build.status !== 0) process.exit(build.status ?? 1);
const [program, ...args] = entry.command;
const cwd = entry.cwd ? join(root, entry.cwd) : root;
const script = entry.cwd
  ? args.map((arg) => (arg.startsWith(`${entry.cwd}/`) ? arg.slice(entry.cwd.length + 1) : arg))
  : args;
const run = spawnSync(program, [...script, ...flags], { cwd, stdio: 'inherit', env });
process.exit(run.status ?? 1);
