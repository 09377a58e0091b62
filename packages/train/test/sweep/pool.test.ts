// Acceptance of the local pool: 6 entries, 2 workers, one trainer SIGKILLed mid-run; a second sweep finishes
// everything and the killed entry resumes from its checkpoint (the fake trainer logs its start step). Also:
// crash retries inside one sweep, and a trainer that writes only metrics.jsonl.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectResults, formatMarkdown, writeResultTables } from '../../src/sweep/collect.js';
import { inspectEntry } from '../../src/sweep/entry-state.js';
import { loadGrid } from '../../src/sweep/grid.js';
import { writePlan } from '../../src/sweep/plan.js';
import { type PoolEvent, runSweep } from '../../src/sweep/pool.js';
import { loggedStarts, readFakeLog, writeFakeTrainer } from './fake-trainer.js';
import { tinyMethods, writeTinyGrid } from './tiny-grid.js';

const directories: string[] = [];
const spawnedPids: number[] = [];

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'sweep-pool-'));
  directories.push(directory);
  return directory;
}

afterEach(() => {
  for (const pid of spawnedPids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already exited
    }
  }
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const readLog = readFakeLog;

describe('runSweep (local pool)', () => {
  it('survives a SIGKILLed worker: re-running finishes every entry and the killed one resumes', async () => {
    const root = temporaryDirectory();
    const command = writeFakeTrainer(root);
    const runs = join(root, 'runs');
    // The victim's method trains slowly, so the kill lands well before it could finish even on a loaded machine.
    const methods = { ...tinyMethods, jtr: { bonus: 2, stepMs: 250 } };
    writePlan(runs, loadGrid(writeTinyGrid(root, { methods, steps: 8, stepMs: 40 })));
    const victim = '0002';
    let killedPid: number | undefined;
    let poll: NodeJS.Timeout | undefined;
    const onEvent = (event: PoolEvent) => {
      if (event.kind !== 'started' || event.pid === undefined) return;
      spawnedPids.push(event.pid);
      if (event.entry.id !== victim || killedPid !== undefined) return;
      const pid = event.pid;
      poll = setInterval(() => {
        if (/^step 2$/m.test(readLog(runs, victim))) {
          clearInterval(poll);
          killedPid = pid;
          process.kill(pid, 'SIGKILL');
        }
      }, 5);
    };
    const first = await runSweep(runs, { workers: 2, retries: 0, command, onEvent });
    clearInterval(poll);
    expect(killedPid).toBeDefined();
    expect(first.done).toBe(5);
    expect(first.failed).toBe(1);
    const killed = first.outcomes.find((outcome) => outcome.entry.id === victim)!;
    expect(killed.state).toBe('failed');
    expect(killed.status?.signal).toBe('SIGKILL');
    expect(inspectEntry(join(runs, victim)).state).toBe('failed');
    const partial = collectResults(runs);
    expect(partial.entries.filter((entry) => entry.state === 'done')).toHaveLength(5);
    expect(formatMarkdown(partial)).toMatch(/0002 seed=0,method=jtr: failed \(killed by SIGKILL\)/);

    const events: PoolEvent[] = [];
    const second = await runSweep(runs, {
      workers: 2,
      retries: 0,
      command,
      onEvent: (event) => events.push(event),
    });
    expect(second.done).toBe(6);
    expect(second.failed).toBe(0);
    expect(events.filter((event) => event.kind === 'cached')).toHaveLength(5);
    const restarted = events.filter((event) => event.kind === 'started');
    expect(restarted.map((event) => event.entry.id)).toEqual([victim]);
    expect(restarted[0]).toMatchObject({ resumed: true, attempt: 2 });
    const starts = loggedStarts(readLog(runs, victim));
    expect(starts).toHaveLength(2);
    expect(starts[0]!.step).toBe(0);
    expect(starts[1]!.step).toBeGreaterThanOrEqual(2);
    // Every other entry ran exactly once, from step 0.
    for (const id of ['0000', '0001', '0003', '0004', '0005']) {
      expect(loggedStarts(readLog(runs, id)).map((start) => start.step)).toEqual([0]);
    }

    const { table, markdown } = writeResultTables(runs);
    expect(table.entries.every((entry) => entry.state === 'done')).toBe(true);
    expect(table.rows.map((row) => [row.coordinates['method'], row.done, row.total])).toEqual([
      ['none', 2, 2],
      ['pairwise', 2, 2],
      ['jtr', 2, 2],
    ]);
    expect(markdown).toContain('All 6 entries finished.');
    // JTR's Δ by hand: baseline none has mIoU 0.3005 (mean of seeds), absErr 0.6; jtr adds 0.02 and removes 0.02.
    const jtr = table.rows.find((row) => row.coordinates['method'] === 'jtr')!;
    const expected = ((0.3205 - 0.3005) / 0.3005 + (0.6 - 0.58) / 0.6) / 2;
    expect(jtr.deltaM!.mean).toBeCloseTo(expected, 10);
    expect(table.rows.find((row) => row.coordinates['method'] === 'none')!.deltaM!.mean).toBeCloseTo(0, 12);
    expect(readFileSync(join(runs, 'results.csv'), 'utf8').split('\n')[0]).toBe(
      'method,done,total,failed,mIoU_mean,mIoU_std,absErr_mean,absErr_std,deltaM_mean,deltaM_std',
    );
  });

  it('retries a crashed entry within one sweep, resuming from its checkpoint', async () => {
    const root = temporaryDirectory();
    const command = writeFakeTrainer(root);
    const runs = join(root, 'runs');
    const methods = { ...tinyMethods, pairwise: { bonus: 1, crashAtStep: 3 } };
    writePlan(runs, loadGrid(writeTinyGrid(root, { methods, steps: 4, stepMs: 5 })));
    const summary = await runSweep(runs, { workers: 2, retries: 1, command });
    expect(summary.done).toBe(6);
    for (const id of ['0001', '0004']) {
      const outcome = summary.outcomes.find((candidate) => candidate.entry.id === id)!;
      expect(outcome.attempts).toBe(2);
      expect(outcome.status).toMatchObject({ state: 'done', attempt: 2, resumed: true });
      expect(loggedStarts(readLog(runs, id)).map((start) => start.step)).toEqual([0, 2]);
    }
    const untouched = summary.outcomes.find((candidate) => candidate.entry.id === '0000')!;
    expect(untouched.attempts).toBe(1);
  });

  it('marks an entry failed after its retries are spent', async () => {
    const root = temporaryDirectory();
    const command = writeFakeTrainer(root);
    const runs = join(root, 'runs');
    writePlan(
      runs,
      loadGrid(writeTinyGrid(root, { seeds: [0], methods: { none: { crashAtStep: 1 } }, stepMs: 1 })),
    );
    const summary = await runSweep(runs, { workers: 1, retries: 0, command });
    expect(summary.failed).toBe(1);
    expect(summary.outcomes[0]!.status).toMatchObject({
      state: 'failed',
      exitCode: 3,
      reason: 'exit code 3',
    });
    expect(collectResults(runs).entries[0]!.state).toBe('failed');
  });

  it("writes result.json from the last metrics.jsonl line, or copies the trainer's own result.json", async () => {
    const root = temporaryDirectory();
    const command = writeFakeTrainer(root);
    const runs = join(root, 'runs');
    const methods = { none: {}, jtr: { bonus: 2, resultFile: true } };
    writePlan(runs, loadGrid(writeTinyGrid(root, { seeds: [1], methods, stepMs: 1 })));
    const summary = await runSweep(runs, { command });
    expect(summary.done).toBe(2);
    expect(summary.outcomes[0]!.status).toMatchObject({
      resultSource: 'run/metrics.jsonl',
      stopReason: 'completed',
    });
    const derived = JSON.parse(readFileSync(join(runs, '0000', 'result.json'), 'utf8'));
    expect(derived).toMatchObject({ step: 4, best: true });
    expect(derived.metrics.segmentation.mIoU).toBeCloseTo(0.301, 12);
    expect(summary.outcomes[1]!.status?.resultSource).toBe('run/result.json');
    expect(JSON.parse(readFileSync(join(runs, '0001', 'result.json'), 'utf8')).fromResultFile).toBe(true);
    expect(readFileSync(join(runs, '0000', 'train.log'), 'utf8')).toContain('progress noise');
  });

  it('aborting a sweep stops trainers with SIGTERM; the next sweep resumes them', async () => {
    const root = temporaryDirectory();
    const command = writeFakeTrainer(root);
    const runs = join(root, 'runs');
    writePlan(
      runs,
      loadGrid(writeTinyGrid(root, { seeds: [0], methods: { none: {} }, steps: 30, stepMs: 60 })),
    );
    const abort = new AbortController();
    const poll = setInterval(() => {
      if (/^step 2$/m.test(readLog(runs, '0000'))) abort.abort();
    }, 5);
    const first = await runSweep(runs, { command, retries: 3, signal: abort.signal });
    clearInterval(poll);
    expect(first.failed).toBe(1);
    expect(first.outcomes[0]).toMatchObject({ state: 'failed', attempts: 1 });
    expect(first.outcomes[0]!.status).toMatchObject({
      exitCode: 0,
      reason: 'stopped by a signal (checkpointed; run again to resume)',
    });
    expect(readLog(runs, '0000')).toContain('stopped by signal');
    expect(inspectEntry(join(runs, '0000')).state).toBe('failed');
    const second = await runSweep(runs, { command });
    expect(second.done).toBe(1);
    expect(loggedStarts(readLog(runs, '0000'))[1]!.step).toBeGreaterThanOrEqual(2);
  });
});
