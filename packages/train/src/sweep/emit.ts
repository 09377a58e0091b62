// Cluster templates for a plan: a Slurm job array script (`--array=0-(N-1)`, one `run --index
// $SLURM_ARRAY_TASK_ID` per task) and a Kubernetes Indexed Job (`completionMode: Indexed`, one pod per index
// reading $JOB_COMPLETION_INDEX), written as plain YAML. Both rely on `run` being idempotent and resumable.
import { stringify as stringifyYaml } from 'yaml';

export interface EmitOptions {
  /** Number of plan entries. */
  count: number;
  name: string;
  /** Runs directory as the job sees it (a shared filesystem path for Slurm, the mount path in the pod). */
  runsPath: string;
  /** How the job invokes the CLI (default `partial-mtl`, e.g. `npx -y @partial-mtl/train`). */
  launcher?: string;
  /** Simultaneous tasks or pods (Slurm `%P`, Kubernetes `parallelism`); default: all. */
  parallelism?: number;
  /** Extra attempts per index after a crash (Kubernetes `backoffLimitPerIndex`, Slurm `--requeue`). */
  retries?: number;
  cpus?: number;
  memory?: string;
  /** Slurm wall time, e.g. `04:00:00`. */
  time?: string;
  partition?: string;
  /** Container image holding Node 20 and the CLI (Kubernetes). */
  image?: string;
  /** PersistentVolumeClaim holding the runs directory (Kubernetes). */
  claimName?: string;
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/** A Kubernetes object name: lowercase alphanumerics and '-', at most 63 characters. */
export function kubernetesName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
  return cleaned || 'partial-mtl-sweep';
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) throw new Error(`cannot emit a job for ${count} entries`);
}

/** A Slurm job array script: submit with `sbatch runs/sweep.sbatch`. */
export function slurmArrayScript(options: EmitOptions): string {
  checkCount(options.count);
  const launcher = options.launcher ?? 'partial-mtl';
  const throttle = options.parallelism ? `%${options.parallelism}` : '';
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=${options.name.replace(/[^A-Za-z0-9._-]/g, '-')}`,
    `#SBATCH --array=0-${options.count - 1}${throttle}`,
    `#SBATCH --output=${options.runsPath}/slurm-%A_%a.out`,
    `#SBATCH --cpus-per-task=${options.cpus ?? 1}`,
    ...(options.memory ? [`#SBATCH --mem=${options.memory}`] : []),
    ...(options.time ? [`#SBATCH --time=${options.time}`] : []),
    ...(options.partition ? [`#SBATCH --partition=${options.partition}`] : []),
    ...((options.retries ?? 0) > 0 ? ['#SBATCH --requeue'] : []),
    '#',
    `# ${options.count} entries planned by partial-mtl; each task runs one index. Re-submitting is safe:`,
    '# finished entries exit at once and interrupted ones resume from their last checkpoint.',
    'set -euo pipefail',
    `exec ${launcher} run ${shellQuote(options.runsPath)} --index "$SLURM_ARRAY_TASK_ID"`,
    '',
  ];
  return lines.join('\n');
}

/** The Kubernetes Indexed Job as a plain object (`apiVersion: batch/v1`, `kind: Job`). */
export function kubernetesIndexedJob(options: EmitOptions): Record<string, unknown> {
  checkCount(options.count);
  const launcher = options.launcher ?? 'partial-mtl';
  const name = kubernetesName(options.name);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: { 'app.kubernetes.io/name': 'partial-mtl-sweep', 'partial-mtl/sweep': name } },
    spec: {
      completionMode: 'Indexed',
      completions: options.count,
      parallelism: Math.min(options.parallelism ?? options.count, options.count),
      backoffLimitPerIndex: options.retries ?? 2,
      template: {
        metadata: { labels: { 'partial-mtl/sweep': name } },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'train',
              image: options.image ?? 'node:20-bookworm-slim',
              command: [
                'sh',
                '-c',
                `exec ${launcher} run ${shellQuote(options.runsPath)} --index "$JOB_COMPLETION_INDEX"`,
              ],
              resources: {
                requests: { cpu: String(options.cpus ?? 1), memory: options.memory ?? '2Gi' },
                limits: { memory: options.memory ?? '2Gi' },
              },
              volumeMounts: [{ name: 'runs', mountPath: options.runsPath }],
            },
          ],
          volumes: [
            { name: 'runs', persistentVolumeClaim: { claimName: options.claimName ?? 'partial-mtl-runs' } },
          ],
        },
      },
    },
  };
}

/** The Indexed Job as YAML: apply with `kubectl apply -f runs/sweep-job.yaml`. */
export function kubernetesIndexedJobYaml(options: EmitOptions): string {
  return `# ${options.count} entries planned by partial-mtl; each pod runs one index (JOB_COMPLETION_INDEX).\n${stringifyYaml(kubernetesIndexedJob(options))}`;
}
