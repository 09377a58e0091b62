// Progress display for the local pool: a table redrawn in place on a TTY, plain timestamped lines otherwise
// (CI logs, `| tee`). Both are driven by the pool's events and write to the given stream only.
import type { PlanEntry } from './plan.js';
import type { PoolEvent } from './pool.js';

type Row = { entry: PlanEntry; state: string; attempt: number; since: number };

function clock(): string {
  return new Date().toISOString().slice(11, 19);
}

function seconds(since: number): string {
  return `${Math.round((Date.now() - since) / 1000)}s`;
}

/** Returns an event handler that prints progress to `stream` (a TTY gets a live table). */
export function createProgressPrinter(
  stream: NodeJS.WriteStream,
  entries: PlanEntry[],
): (event: PoolEvent) => void {
  const rows = new Map<number, Row>(
    entries.map((entry) => [entry.index, { entry, state: 'pending', attempt: 0, since: Date.now() }]),
  );
  let drawnLines = 0;
  const keyWidth = Math.min(60, Math.max(...entries.map((entry) => entry.key.length), 3));

  const redraw = () => {
    const counts = new Map<string, number>();
    for (const row of rows.values()) counts.set(row.state, (counts.get(row.state) ?? 0) + 1);
    const lines = [...rows.values()].map(
      (row) =>
        `${row.entry.id}  ${row.entry.key.slice(0, keyWidth).padEnd(keyWidth)}  ${row.state.padEnd(9)}` +
        `${row.attempt > 0 ? `  attempt ${row.attempt}` : ''}${row.state === 'running' ? `  ${seconds(row.since)}` : ''}`,
    );
    lines.push([...counts].map(([state, count]) => `${state} ${count}`).join(', '));
    if (drawnLines > 0) stream.write(`\x1b[${drawnLines}A`);
    stream.write(lines.map((line) => `\x1b[2K${line}\n`).join(''));
    drawnLines = lines.length;
  };

  return (event) => {
    const row = rows.get(event.entry.index);
    if (!row) return;
    let line: string;
    if (event.kind === 'queued') {
      row.state = 'queued';
      line = 'queued';
    } else if (event.kind === 'cached') {
      row.state = 'done';
      line = 'already done';
    } else if (event.kind === 'started') {
      row.state = 'running';
      row.attempt = event.attempt;
      row.since = Date.now();
      line = `started attempt ${event.attempt}${event.resumed ? ' (resuming from checkpoint)' : ''} pid ${event.pid}`;
    } else if (event.kind === 'finished') {
      row.state = event.outcome.state;
      line = `${event.outcome.state}${event.outcome.status?.reason ? ` (${event.outcome.status.reason})` : ''}`;
    } else {
      row.state = 'error';
      line = `error: ${event.message}`;
    }
    if (stream.isTTY) redraw();
    else stream.write(`[${clock()}] ${event.entry.id} ${event.entry.key}: ${line}\n`);
  };
}
