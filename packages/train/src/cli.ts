#!/usr/bin/env node
// The `partial-mtl` command: train, eval, report, bench, demo, splits and the sweep commands (plan, run, sweep,
// collect), each with --help. Usage and config errors print one clear message (no stack trace) and exit with
// status 2; failures during a run exit with 1.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchCommand, benchHelp } from './commands/bench-command.js';
import { type CommandContext, UsageError } from './commands/command-support.js';
import { demoCommand, demoHelp } from './commands/demo-command.js';
import { evalCommand, evalHelp } from './commands/eval-command.js';
import { reportCommand, reportHelp } from './commands/report-command.js';
import { splitsCommand, splitsHelp } from './commands/splits-command.js';
import { trainCommand, trainHelp } from './commands/train-command.js';
import { ConfigError } from './config-schema.js';
import { sweepCliCommands } from './sweep/cli-commands.js';

const commands = {
  train: { run: trainCommand, help: trainHelp, summary: 'train from a config file, or resume a run' },
  eval: { run: evalCommand, help: evalHelp, summary: "evaluate a run's best or last checkpoint" },
  report: { run: reportCommand, help: reportHelp, summary: "write report.html and plots from a run's logs" },
  bench: { run: benchCommand, help: benchHelp, summary: 'run the repository benchmarks (scripts/bench.mjs)' },
  demo: {
    run: demoCommand,
    help: demoHelp,
    summary: 'compare supervised MTL, pairwise and JTR on synthetic scenes',
  },
  splits: { run: splitsCommand, help: splitsHelp, summary: 'inspect a split table (splits show FILE)' },
  ...sweepCliCommands,
} as const;

export const mainHelp = `Usage: partial-mtl <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, command]) => `  ${name.padEnd(8)} ${command.summary}`)
  .join('\n')}

Every command accepts --help. Common option: --backend auto|tensorflow-gpu|tensorflow|wasm|cpu.`;

export async function main(argv: readonly string[], context: CommandContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context.print(mainHelp);
    return name === undefined ? 2 : 0;
  }
  const command = (commands as Record<string, (typeof commands)[keyof typeof commands]>)[name];
  if (!command) {
    context.error(
      `partial-mtl: unknown command '${name}' (expected one of: ${Object.keys(commands).join(', ')})\n\n${mainHelp}`,
    );
    return 2;
  }
  try {
    return await command.run(rest, context);
  } catch (error) {
    if (error instanceof UsageError) {
      context.error(`partial-mtl ${name}: ${error.message}\n\n${error.help}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      context.error(`partial-mtl ${name}: ${error.message}`);
      return 2;
    }
    context.error(`partial-mtl ${name}: ${(error as Error).message ?? String(error)}`);
    if (process.env.PARTIAL_MTL_DEBUG) context.error(String((error as Error).stack));
    return 1;
  }
}

function invokedAsScript(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

/**
 * A console that goes away (a sweep runner that died, `| head`, a closed terminal) must not end a training run: a
 * broken pipe on stdout or stderr is ignored and that stream's later output dropped; the run's files are its record.
 */
function surviveClosedConsole(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
}

if (invokedAsScript()) {
  surviveClosedConsole(process.stdout);
  surviveClosedConsole(process.stderr);
  const context: CommandContext = {
    print: (text) => process.stdout.write(`${text}\n`),
    error: (text) => process.stderr.write(`${text}\n`),
  };
  main(process.argv.slice(2), context).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`partial-mtl: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
