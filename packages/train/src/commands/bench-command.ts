// `partial-mtl bench [ARGS…]`: runs the repository's benchmark dispatcher (scripts/bench.mjs, found by walking
// up from the working directory) with the remaining arguments.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CommandContext } from './command-support.js';

export const benchHelp = `Usage: partial-mtl bench [ARGS...]

Runs the repository's benchmark dispatcher scripts/bench.mjs (training step vs PyTorch, regularizer overhead,
loader throughput) with ARGS. Needs a checkout of the partial-mtl repository.

Options:
  -h, --help    show this help`;

export function findBenchScript(start: string): string | undefined {
  let directory = resolve(start);
  for (;;) {
    const candidate = join(directory, 'scripts', 'bench.mjs');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

export async function benchCommand(argv: readonly string[], context: CommandContext): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    context.print(benchHelp);
    return 0;
  }
  const script = findBenchScript(process.cwd());
  if (!script) {
    context.error(
      'bench: scripts/bench.mjs not found in this directory or above (run it inside a partial-mtl checkout)',
    );
    return 2;
  }
  const result = spawnSync(process.execPath, [script, ...argv], { stdio: 'inherit' });
  return result.status ?? 1;
}
