// Worker-thread entry of the loading pipeline: rebuilds the sample source from its descriptor (source-registry.ts)
// once, then prepares samples on request (read, augment, keep labelled tasks) and transfers the result's buffers
// back without copying. Jobs that carry a decoded sample are augmented without reading.
import { parentPort, workerData } from 'node:worker_threads';
import type { SampleSource } from '@partial-mtl/core';
import { type SampleJob, prepareSample, transferListOf } from './prepare-sample.js';
import { type SourceDescriptor, openSource } from './source-registry.js';
import type { TaskSpec } from '@partial-mtl/core';

interface WorkerSetup {
  readonly descriptor?: SourceDescriptor;
  readonly tasks: readonly TaskSpec[];
}

const setup = workerData as WorkerSetup;
// Opened once, on the first job (opening may read a directory); a failure is reported with every job.
let source: Promise<SampleSource> | undefined;

parentPort?.on('message', async (message: { id: number; job: SampleJob }) => {
  try {
    const { job } = message;
    let sample = job.sample;
    if (!sample) {
      if (!setup.descriptor) throw new Error('sample worker: job has no decoded sample and the worker has no source descriptor');
      source ??= openSource(setup.descriptor);
      sample = await (await source).read(job.index);
    }
    const prepared = prepareSample(sample, setup.tasks, job);
    parentPort?.postMessage({ id: message.id, prepared }, transferListOf(prepared));
  } catch (error) {
    parentPort?.postMessage({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
