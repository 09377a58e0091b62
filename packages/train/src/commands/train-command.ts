// `partial-mtl train --config FILE | --resume DIR`: validates the config completely (before the backend loads
// or anything trains), then trains with progress on stderr; SIGINT/SIGTERM finish the step and checkpoint.
import { loadRunConfig, resolveRunConfig } from '../config-load.js';
import { readRunConfig, train } from '../train.js';
import { activateBackend, type CommandContext, parseCommandArguments } from './command-support.js';

export const trainHelp = `Usage: partial-mtl train --config FILE [options]
       partial-mtl train --resume DIR [options]

Trains a multi-task network from a JSON or YAML config (see the README's config reference). The config is
validated completely before anything trains; errors name the field.

Options:
  --config FILE        run config (.json, .yaml, .yml)
  --resume DIR         continue the run in DIR from DIR/checkpoints/last (with --config: that config, outDir DIR)
  --out DIR            override the config's outDir
  --backend NAME       auto (default), tensorflow-gpu, tensorflow, wasm or cpu
  --progress MODE      auto (bar on a TTY, lines otherwise), bar, lines or none
  -h, --help           show this help`;

const progressModes = ['auto', 'bar', 'lines', 'none'] as const;

export async function trainCommand(argv: readonly string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArguments(
    argv,
    {
      config: { type: 'string' },
      resume: { type: 'string' },
      out: { type: 'string' },
      progress: { type: 'string' },
    },
    trainHelp,
  );
  if (values.help) {
    context.print(trainHelp);
    return 0;
  }
  if (positionals.length > 0) {
    context.error(`train: unexpected argument '${positionals[0]}'\n\n${trainHelp}`);
    return 2;
  }
  const progress = (values.progress ?? 'auto') as (typeof progressModes)[number];
  if (!progressModes.includes(progress)) {
    context.error(
      `--progress: expected one of ${progressModes.join(', ')}, got '${String(values.progress)}'`,
    );
    return 2;
  }
  if (typeof values.config !== 'string' && typeof values.resume !== 'string') {
    context.error(`train: --config FILE or --resume DIR is required\n\n${trainHelp}`);
    return 2;
  }
  let config =
    typeof values.config === 'string' ? loadRunConfig(values.config) : readRunConfig(String(values.resume));
  const outDir =
    typeof values.resume === 'string'
      ? values.resume
      : typeof values.out === 'string'
        ? values.out
        : undefined;
  if (outDir) config = resolveRunConfig({ ...config, outDir });
  const selection = await activateBackend(values.backend ?? config.backend, context);
  context.error(selection.report);
  const result = await train(config, {
    resume: typeof values.resume === 'string',
    progress,
    handleSignals: true,
    backend: selection.name,
    log: (line) => context.error(line),
  });
  context.error(result.message);
  if (result.reportPath) context.error(`report: ${result.reportPath}`);
  context.print(
    JSON.stringify({
      outDir: result.outDir,
      stopReason: result.stopReason,
      step: result.step,
      best: result.best ?? null,
    }),
  );
  return result.stopReason === 'non-finite' ? 1 : 0;
}
