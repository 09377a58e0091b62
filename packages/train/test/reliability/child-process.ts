// Helpers for reliability tests that run code in child processes: locating the workspace's esbuild and tsx
// binaries, bundling a child entry, and spawning children that are always killed when a test ends.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDirectory = fileURLToPath(new URL('../..', import.meta.url));
const repositoryRoot = join(packageDirectory, '..', '..');

/** A binary of the workspace (`node_modules/.bin/NAME` of this package, else of the repository root). */
export function workspaceBinary(name: string): string {
  for (const directory of [packageDirectory, repositoryRoot]) {
    const path = join(directory, 'node_modules', '.bin', name);
    if (existsSync(path)) return path;
  }
  throw new Error(
    `${name} not found in node_modules/.bin of ${packageDirectory} or ${repositoryRoot}; run pnpm install`,
  );
}

/**
 * Bundles `entry` (a path relative to this package) into an ESM file under this package's node_modules/.cache, so
 * external packages still resolve. `aliases` maps package names to stand-in files; `allPackagesExternal` leaves every package to run-time resolution.
 */
export function bundleChild(
  entry: string,
  outName: string,
  options: { aliases?: Record<string, string>; allPackagesExternal?: boolean } = {},
): string {
  // Two levels below the package root, like src/report/*.ts, so paths the sources resolve relative to their own
  // module (the shipped font: ../../fonts) still point into this package.
  const outDirectory = join(packageDirectory, 'node_modules', '.cache');
  mkdirSync(outDirectory, { recursive: true });
  const outfile = join(outDirectory, `reliability-${outName}-${process.pid}.mjs`);
  const args = [
    entry,
    '--bundle',
    '--platform=node',
    '--format=esm',
    `--outfile=${outfile}`,
    '--log-level=error',
  ];
  for (const [name, path] of Object.entries(options.aliases ?? {})) args.push(`--alias:${name}=${path}`);
  if (options.allPackagesExternal) args.push('--packages=external');
  const result = spawnSync(workspaceBinary('esbuild'), args, { cwd: packageDirectory, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`esbuild failed:\n${result.stdout}${result.stderr}`);
  return outfile;
}

const running = new Set<ChildProcess>();

/** Spawns a child whose stdout/stderr are collected; `killAllChildren` ends any still running. */
export function startChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(command, [...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const listeners: ((text: string) => void)[] = [];
  child.stdout!.on('data', (chunk) => {
    stdout += String(chunk);
    for (const listener of listeners) listener(stdout);
  });
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    /** Resolves once stdout matches `pattern` (rejects if the child exits first). */
    waitFor(pattern: RegExp): Promise<RegExpExecArray> {
      return new Promise((resolve, reject) => {
        const check = (text: string) => {
          const match = pattern.exec(text);
          if (match) resolve(match);
          return match;
        };
        if (check(stdout)) return;
        listeners.push((text) => void check(text));
        void exited.then(({ code, signal }) =>
          reject(new Error(`child exited (${code ?? signal}) before printing ${pattern}:\n${stderr}`)),
        );
      });
    },
  };
}

export function killAllChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
