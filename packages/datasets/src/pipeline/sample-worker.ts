// Worker-thread entry of the loading pipeline: opens the sample source from its descriptor (source-registry.ts)
// once, then prepares whole batches on request (read, augment, keep labelled tasks, pack into batch arrays) and
// transfers the arrays back without copying. Jobs that carry decoded samples are augmented without reading.
import { parentPort, workerData } from 'node:worker_threads';
import type { SampleSource, TaskSpec } from '@partial-mtl/core';
import { prepareBatch, transferListOf } from './pack-batch.js';
import type { SampleJob } from './prepare-sample.js';
import { openSource, type SourceDescriptor } from './source-registry.js';

interface WorkerSetup {
  readonly descriptor?: SourceDescriptor;
  readonly tasks: readonly TaskSpec[];
}

const setup = workerData as WorkerSetup;
// Opened on the first job (opening may read a directory); a failure is reported with every job.
let source: Promise<SampleSource> | undefined;

async function readSample(job: SampleJob) {
  if (job.sample) return job.sample;
  if (!setup.descriptor)
    throw new Error('sample worker: job has no decoded sample and the worker has no source descriptor');
  source ??= openSource(setup.descriptor);
  return (await source).read(job.index);
}

parentPort?.on('message', async (message: { id: number; jobs: readonly SampleJob[] }) => {
  try {
    const samples = await Promise.all(message.jobs.map(readSample));
    const batch = prepareBatch(samples, setup.tasks, message.jobs);
    parentPort?.postMessage({ id: message.id, batch }, transferListOf(batch));
  } catch (error) {
    parentPort?.postMessage({
      id: message.id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
