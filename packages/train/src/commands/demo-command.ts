// `partial-mtl demo`: trains supervised MTL, pairwise and JTR on synthetic scenes with a onelabel split, prints
// the metrics table with Δm against supervised MTL, the report's path and, as the last line, one JSON object.
import { resolve } from 'node:path';
import { demoDefaults, runDemo } from '../demo.js';
import { activateBackend, type CommandContext, parseCommandArguments } from './command-support.js';

export const demoHelp = `Usage: partial-mtl demo [options]

Trains supervised MTL ('none'), 'pairwise' and 'jtr' on synthetic dense scenes (semantic segmentation, depth,
surface normals) where each training scene is labelled for one task only, then prints the metrics table with
Δm against supervised MTL, where report.html was written, and one JSON line:
{"demo":"synthetic-onelabel","backend":…,"seconds":…,"results":{"none":{"delta_m":0,…},…}}

Options:
  --out DIR          output directory (default: runs/demo)
  --epochs N         epochs per method (default ${demoDefaults.epochs})
  --methods LIST     comma-separated regularizers, the first is the baseline (default ${demoDefaults.methods.join(',')})
  --seed N           global seed (default ${demoDefaults.seed})
  --backend NAME     auto (default), tensorflow-gpu, tensorflow, wasm or cpu
  --progress MODE    auto, bar, lines or none
  -h, --help         show this help`;

function positiveInteger(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new Error(`${flag}: expected a non-negative integer, got '${String(value)}'`);
  return number;
}

export async function demoCommand(argv: readonly string[], context: CommandContext): Promise<number> {
  const { values } = parseCommandArguments(
    argv,
    {
      out: { type: 'string' },
      epochs: { type: 'string' },
      methods: { type: 'string' },
      seed: { type: 'string' },
      progress: { type: 'string' },
    },
    demoHelp,
  );
  if (values.help) {
    context.print(demoHelp);
    return 0;
  }
  const epochs = positiveInteger(values.epochs, '--epochs');
  const seed = positiveInteger(values.seed, '--seed');
  const progress = (values.progress ?? 'auto') as 'auto';
  if (!['auto', 'bar', 'lines', 'none'].includes(progress))
    throw new Error(`--progress: expected auto, bar, lines or none, got '${progress}'`);
  const selection = await activateBackend(values.backend, context);
  context.error(selection.report);
  const result = await runDemo({
    outDir: resolve(typeof values.out === 'string' ? values.out : 'runs/demo'),
    backend: selection.name,
    progress,
    log: (line) => context.error(line),
    ...(epochs !== undefined ? { epochs } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(typeof values.methods === 'string' ? { methods: values.methods.split(',').filter(Boolean) } : {}),
  });
  context.print(result.table);
  for (const [method, message] of Object.entries(result.failures))
    context.print(`${method}: failed (${message})`);
  context.print(`report: ${result.reportPath}`);
  context.print(JSON.stringify(result.summary));
  return Object.keys(result.failures).length > 0 ? 1 : 0;
}
