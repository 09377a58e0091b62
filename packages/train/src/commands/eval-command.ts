// `partial-mtl eval --run DIR`: rebuilds a run's network from DIR/config.json, loads checkpoints/best (or last)
// and evaluates it on the validation split, printing the metrics table with Δm against the run's baseline.
import { join } from 'node:path';
import { formatResultsTable } from '@partial-mtl/metrics';
import { buildComponents, disposeComponents } from '../build-components.js';
import { evaluateNetwork } from '../evaluate.js';
import { readLoopCheckpoint } from '../loop-state.js';
import { readRunConfig } from '../train.js';
import { activateBackend, type CommandContext, parseCommandArguments } from './command-support.js';

export const evalHelp = `Usage: partial-mtl eval --run DIR [options]

Evaluates a trained run on its validation split.

Options:
  --run DIR             the run's outDir
  --checkpoint WHICH    best (default) or last
  --json                print the result as one JSON object
  --backend NAME        auto (default), tensorflow-gpu, tensorflow, wasm or cpu
  -h, --help            show this help`;

export async function evalCommand(argv: readonly string[], context: CommandContext): Promise<number> {
  const { values } = parseCommandArguments(
    argv,
    { run: { type: 'string' }, checkpoint: { type: 'string' }, json: { type: 'boolean' } },
    evalHelp,
  );
  if (values.help) {
    context.print(evalHelp);
    return 0;
  }
  if (typeof values.run !== 'string') {
    context.error(`eval: --run DIR is required\n\n${evalHelp}`);
    return 2;
  }
  const which = values.checkpoint ?? 'best';
  if (which !== 'best' && which !== 'last') {
    context.error(`--checkpoint: expected best or last, got '${String(which)}'`);
    return 2;
  }
  const config = readRunConfig(values.run);
  await activateBackend(values.backend ?? config.backend, context);
  const components = await buildComponents(config);
  try {
    const state = await readLoopCheckpoint(
      join(values.run, 'checkpoints', which),
      { network: components.network, regularizer: components.regularizer, groups: [] },
      { weightsOnly: true },
    );
    if (!components.validationBatches) throw new Error('eval: the data set has no validation split');
    const metrics = await evaluateNetwork(
      components.network,
      components.validationBatches,
      components.createMetrics(),
    );
    const baseline = config.evaluation.baseline ?? state.baseline;
    const deltaM = baseline ? components.deltaM(metrics, baseline) * 100 : undefined;
    if (values.json)
      context.print(
        JSON.stringify({
          run: values.run,
          checkpoint: which,
          step: state.step,
          deltaM: deltaM ?? null,
          metrics,
        }),
      );
    else
      context.print(
        formatResultsTable([
          { name: `${which} (step ${state.step})`, metrics, ...(deltaM !== undefined ? { deltaM } : {}) },
        ]),
      );
    return 0;
  } finally {
    disposeComponents(components);
  }
}
