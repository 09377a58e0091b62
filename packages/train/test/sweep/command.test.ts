// The CLI subcommands through runSweepCommand: plan --emit slurm|k8s (validated with `bash -n` and a YAML
// parse), run --index / SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX (idempotent, resumes a checkpoint), collect.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runSweepCommand } from '../../src/sweep/command.js';
import { kubernetesName, slurmArrayScript } from '../../src/sweep/emit.js';
import { loggedStarts, readFakeLog, writeFakeTrainer } from './fake-trainer.js';
import { writeTinyGrid } from './tiny-grid.js';

const directories: string[] = [];

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'sweep-cli-'));
  directories.push(directory);
  return directory;
}

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function capture() {
  const chunks: string[] = [];
  const stream = {
    write: (chunk: string) => chunks.push(chunk) > 0,
    isTTY: false,
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = capture();
  const stderr = capture();
  const code = await runSweepCommand(argv, { stdout: stdout.stream, stderr: stderr.stream, env });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('partial-mtl plan --emit', () => {
  it('writes a Slurm array script that passes bash -n and a batch/v1 Indexed Job', async () => {
    const root = temporaryDirectory();
    const runs = join(root, 'runs');
    const planned = await cli([
      'plan',
      writeTinyGrid(root),
      '--raw',
      '--out',
      runs,
      '--emit',
      'slurm',
      '--emit',
      'k8s',
      '--parallelism',
      '2',
      '--time',
      '01:00:00',
    ]);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain('planned 6 entries');

    const scriptPath = join(runs, 'sweep.sbatch');
    const script = readFileSync(scriptPath, 'utf8');
    execFileSync('bash', ['-n', scriptPath]);
    expect(script).toMatch(/^#SBATCH --array=0-5%2$/m);
    expect(script).toMatch(/^#SBATCH --time=01:00:00$/m);
    expect(script).toContain(`exec partial-mtl run ${runs} --index "$SLURM_ARRAY_TASK_ID"`);

    const job = parseYaml(readFileSync(join(runs, 'sweep-job.yaml'), 'utf8'));
    expect(job).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'tiny' },
      spec: { completionMode: 'Indexed', completions: 6, parallelism: 2 },
    });
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers[0].command.join(' ')).toContain('--index "$JOB_COMPLETION_INDEX"');
    expect(pod.containers[0].volumeMounts[0].mountPath).toBe(runs);
  });

  it('emits for an existing plan, with a cluster path for the runs directory', async () => {
    const root = temporaryDirectory();
    const runs = join(root, 'runs');
    expect(
      (await cli(['plan', writeTinyGrid(root, { seeds: [0, 1, 2] }), '--raw', '--out', runs])).code,
    ).toBe(0);
    const emitted = await cli(['plan', '--out', runs, '--emit', 'k8s,slurm', '--runs-path', '/mnt/runs']);
    expect(emitted.code).toBe(0);
    expect(readFileSync(join(runs, 'sweep.sbatch'), 'utf8')).toMatch(/^#SBATCH --array=0-8$/m);
    const job = parseYaml(readFileSync(join(runs, 'sweep-job.yaml'), 'utf8'));
    expect(job.spec.completions).toBe(9);
    expect(job.spec.parallelism).toBe(9);
    expect(job.spec.template.spec.containers[0].command[2]).toBe(
      'exec partial-mtl run /mnt/runs --index "$JOB_COMPLETION_INDEX"',
    );
  });

  it('quotes awkward paths and names', () => {
    const script = slurmArrayScript({ count: 1, name: 'my sweep', runsPath: "/data/it's runs" });
    expect(script).toContain(`run '/data/it'\\''s runs' --index`);
    expect(script).toMatch(/^#SBATCH --array=0-0$/m);
    expect(kubernetesName('NYU_v2 Table!')).toBe('nyu-v2-table');
  });

  it('refuses to renumber, and reports a changed grid without --update (exit 2)', async () => {
    const root = temporaryDirectory();
    const runs = join(root, 'runs');
    await cli(['plan', writeTinyGrid(root), '--raw', '--out', runs]);
    const unchanged = await cli(['plan', writeTinyGrid(root), '--raw', '--out', runs]);
    expect(unchanged.stdout).toContain('(unchanged)');
    const changed = await cli(['plan', writeTinyGrid(root, { steps: 5 }), '--raw', '--out', runs]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('pass --update');
    expect(changed.stderr.match(/^changed {2}#\d/gm)).toHaveLength(6);
    const updated = await cli([
      'plan',
      writeTinyGrid(root, { steps: 5 }),
      '--raw',
      '--out',
      runs,
      '--update',
    ]);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain('(6 change(s))');
  });
});

describe('partial-mtl plan with the train config schema', () => {
  it('writes fully resolved train configs (defaults filled) and names a bad field per entry', async () => {
    const root = temporaryDirectory();
    const runs = join(root, 'runs');
    const grid = join(root, 'grid.yaml');
    writeFileSync(
      grid,
      [
        'name: schema',
        'base: { dataset: { name: synthetic-scenes }, training: { maxSteps: 2 } }',
        'axes: { method: { none: { regularizer.name: none }, jtr: { regularizer.name: jtr } } }',
        'seeds: 1',
        'baseline: none',
      ].join('\n'),
    );
    expect((await cli(['plan', grid, '--out', runs])).code).toBe(0);
    const config = JSON.parse(readFileSync(join(runs, '0001', 'config.json'), 'utf8'));
    expect(config.regularizer).toEqual({ name: 'jtr', options: {} });
    expect(config.optimizer.learningRate).toBe(1e-4);
    expect(config.seed).toBe(0);
    expect(config.training.maxSteps).toBe(2);

    writeFileSync(grid, readFileSync(grid, 'utf8').replace('maxSteps: 2', 'maxStep: 2'));
    const bad = await cli(['plan', grid, '--out', join(root, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('entry 0 (seed=0,method=none)');
    expect(bad.stderr).toContain('training.maxStep: unknown field(s)');
  });
});

describe('partial-mtl run', () => {
  it('runs one index from --index or the array environment, idempotently', async () => {
    const root = temporaryDirectory();
    const runs = join(root, 'runs');
    const runner = writeFakeTrainer(root).join(' ');
    await cli(['plan', writeTinyGrid(root, { stepMs: 1 }), '--raw', '--out', runs]);

    const first = await cli(['run', runs, '--runner', runner], { SLURM_ARRAY_TASK_ID: '2' });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('0002 seed=0,method=jtr: finished');
    expect(JSON.parse(first.stdout).metrics.depth.absErr).toBeCloseTo(0.58, 12);

    const again = await cli(['run', runs, '--runner', runner], { JOB_COMPLETION_INDEX: '2' });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already finished');
    expect(again.stdout).toBe(first.stdout);
    expect(loggedStarts(readFakeLog(runs, '0002'))).toHaveLength(1);

    const explicit = await cli(['run', runs, '--index', '4', '--runner', runner], {
      SLURM_ARRAY_TASK_ID: '0',
    });
    expect(explicit.stderr).toContain('0004 seed=1,method=pairwise: finished');
  });

  it('resumes an interrupted entry from its checkpoint', async () => {
    const root = temporaryDirectory();
    const runs = join(root, 'runs');
    const runner = writeFakeTrainer(root).join(' ');
    await cli(['plan', writeTinyGrid(root, { stepMs: 1 }), '--raw', '--out', runs]);
    // What an interrupted trainer leaves in <entry>/run: its config record and a checkpoint at step 3.
    const planned = JSON.parse(readFileSync(join(runs, '0001', 'config.json'), 'utf8'));
    mkdirSync(join(runs, '0001', 'run', 'checkpoints', 'last'), { recursive: true });
    writeFileSync(join(runs, '0001', 'run', 'config.json'), JSON.stringify({ config: planned }));
    writeFileSync(join(runs, '0001', 'run', 'checkpoints', 'last', 'current.json'), '{"step":3}');
    const resumed = await cli(['run', runs, '--index', '1', '--runner', runner]);
    expect(resumed.code).toBe(0);
    expect(loggedStarts(readFakeLog(runs, '0001')).map((start) => start.step)).toEqual([3]);
    const status = JSON.parse(readFileSync(join(runs, '0001', 'status.json'), 'utf8'));
    expect(status).toMatchObject({ state: 'done', resumed: true, exitCode: 0 });
  });

  it('rejects a missing or out-of-range index and a hand-edited config', async () => {
    const root = temporaryDirectory();
    const runs = join(root, 'runs');
    await cli(['plan', writeTinyGrid(root), '--raw', '--out', runs]);
    expect((await cli(['run', runs])).stderr).toContain(
      'needs --index, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX',
    );
    const outside = await cli(['run', runs, '--index', '6']);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('outside the plan (0-5)');
    writeFileSync(join(runs, '0000', 'config.json'), '{"steps":1}');
    const edited = await cli(['run', runs, '--index', '0', '--runner', 'true']);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain('does not match plan.json');
  });
});

describe('partial-mtl sweep and collect', () => {
  it('collect marks missing entries; sweep runs them and writes the three tables', async () => {
    const root = temporaryDirectory();
    const runs = join(root, 'runs');
    const runner = writeFakeTrainer(root).join(' ');
    await cli(['plan', writeTinyGrid(root, { stepMs: 1 }), '--raw', '--out', runs]);
    await cli(['run', runs, '--index', '0', '--runner', runner]);
    const partial = await cli(['collect', runs]);
    expect(partial.code).toBe(0);
    expect(partial.stdout).toContain('| method | runs | mIoU | absErr | Δm % (vs none) |');
    expect(partial.stdout).toContain('| none | 1/2 | 30.00 | 0.6000 | +0.00 |');
    expect(partial.stdout).toContain('Not finished (5 of 6):');
    expect(partial.stdout).toContain('- 0005 seed=1,method=jtr: missing');

    const swept = await cli(['sweep', runs, '--workers', '2', '--runner', runner]);
    expect(swept.code).toBe(0);
    expect(swept.stdout).toMatch(/0000 seed=0,method=none: already done/);
    expect(swept.stdout).toMatch(/0005 seed=1,method=jtr: started attempt 1 pid \d+/);
    expect(swept.stdout).toContain('| none | 2/2 | 30.05 ± 0.07 | 0.6000 ± 0.0000 |');
    const json = JSON.parse(readFileSync(join(runs, 'results.json'), 'utf8'));
    expect(json.entries.map((entry: { state: string }) => entry.state)).toEqual(Array(6).fill('done'));
    expect(readFileSync(join(runs, 'results.md'), 'utf8')).toContain('All 6 entries finished.');
    expect(readFileSync(join(runs, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(4);
  });
});
