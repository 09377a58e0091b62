// The sweep subcommands shaped like the CLI dispatcher's command table (run, help, summary), so src/cli.ts adds
// them with one spread. Output goes through the dispatcher's print (stdout) and error (stderr) channels, line by
// line; the progress table keeps its in-place redraw when stdout is a terminal.
import type { CommandContext } from '../commands/command-support.js';
import { runSweepCommand, sweepUsage } from './command.js';

/** A write stream that hands complete lines to `emit` (which appends the newline itself). */
function lineStream(emit: (line: string) => void, isTTY: boolean): NodeJS.WriteStream & { flush(): void } {
  let pending = '';
  const stream = {
    isTTY,
    write(chunk: string | Uint8Array): boolean {
      pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) emit(line);
      return true;
    },
    flush() {
      if (pending) emit(pending);
      pending = '';
    },
  };
  return stream as unknown as NodeJS.WriteStream & { flush(): void };
}

function sweepCliCommand(name: 'plan' | 'run' | 'sweep' | 'collect', summary: string) {
  return {
    summary,
    help: sweepUsage,
    async run(argv: readonly string[], context: CommandContext): Promise<number> {
      const stdout = lineStream((line) => context.print(line), process.stdout.isTTY === true);
      const stderr = lineStream((line) => context.error(line), false);
      try {
        return await runSweepCommand([name, ...argv], { stdout, stderr });
      } finally {
        stdout.flush();
        stderr.flush();
      }
    },
  };
}

/** `plan`, `run`, `sweep` and `collect` for the `partial-mtl` dispatcher. */
export const sweepCliCommands = {
  plan: sweepCliCommand('plan', 'expand a sweep grid into numbered runs (--emit slurm|k8s for cluster jobs)'),
  run: sweepCliCommand('run', 'run one planned entry (--index, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)'),
  sweep: sweepCliCommand('sweep', 'run every unfinished planned entry with a local worker pool'),
  collect: sweepCliCommand('collect', 'tabulate a sweep: mean ± std over seeds and Δm (Markdown, CSV, JSON)'),
} as const;
