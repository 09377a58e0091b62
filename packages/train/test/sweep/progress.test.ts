// The progress printer: plain timestamped lines without a TTY, a table redrawn in place (cursor up) on a TTY.
import { describe, expect, it } from 'vitest';
import type { PlanEntry } from '../../src/sweep/plan.js';
import { createProgressPrinter } from '../../src/sweep/progress.js';

const entries: PlanEntry[] = [
  { index: 0, id: '0000', key: 'seed=0,method=none', coordinates: { seed: '0', method: 'none' }, hash: 'a' },
  { index: 1, id: '0001', key: 'seed=0,method=jtr', coordinates: { seed: '0', method: 'jtr' }, hash: 'b' },
];

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return {
    chunks,
    stream: { isTTY, write: (chunk: string) => chunks.push(chunk) > 0 } as unknown as NodeJS.WriteStream,
  };
}

describe('createProgressPrinter', () => {
  it('prints one plain line per event when not a TTY', () => {
    const sink = stream(false);
    const print = createProgressPrinter(sink.stream, entries);
    print({ kind: 'cached', entry: entries[0]! });
    print({ kind: 'started', entry: entries[1]!, attempt: 2, resumed: true, pid: 42 });
    expect(sink.chunks).toHaveLength(2);
    expect(sink.chunks[0]).toMatch(/^\[\d\d:\d\d:\d\d\] 0000 seed=0,method=none: already done\n$/);
    expect(sink.chunks[1]).toContain(
      '0001 seed=0,method=jtr: started attempt 2 (resuming from checkpoint) pid 42',
    );
    expect(sink.chunks.join('')).not.toContain('\x1b[');
  });

  it('redraws a table with a state summary on a TTY', () => {
    const sink = stream(true);
    const print = createProgressPrinter(sink.stream, entries);
    print({ kind: 'queued', entry: entries[0]! });
    print({ kind: 'queued', entry: entries[1]! });
    const last = sink.chunks.at(-1)!;
    expect(sink.chunks.some((chunk) => chunk === '\x1b[3A')).toBe(true);
    expect(last).toContain('0000  seed=0,method=none');
    expect(last).toContain('queued 2');
  });
});
