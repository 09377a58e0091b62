// `pnpm bench load`: loader throughput (samples/s) on NYU-v2-format data (MTAN `.npy` layout, 288×384, written to
// a temporary directory from synthetic scenes) with JTR's three-view augmentation (v0 = RSC(x), v1 = RSC(v0),
// v2 = photometric(RSC(v0))), batch 4, on the main thread and with 1 and 2 worker threads. Runs the built package
// (`pnpm --filter @partial-mtl/datasets build` first). Every task is labelled (the worst case); one more run with a
// onelabel split shows the papers' NYU-v2 setting. Last line: one JSON object.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { disposeBatch } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';

const built = new URL('../dist/index.js', import.meta.url);
if (!existsSync(built)) {
  console.error(
    'bench load: build the package first (cd packages/datasets && npx tsc -p tsconfig.build.json)',
  );
  process.exit(1);
}
const { createBatchLoader, createSplit, createSyntheticScenes, encodeNpy, openSource } = (await import(
  built.href
)) as typeof import('../src/index.js');

const sampleCount = Number(process.env.BENCH_LOAD_SAMPLES ?? 120);
const height = 288;
const width = 384;
const batchSize = 4;
/** PyTorch width-0.25 SegNet step at batch 2 (performance.md): ~67 ms, i.e. ~30 samples/s; the target is 5×. */
const referenceStepMs = 67;
const targetSamplesPerSecond = (5 * 2 * 1000) / referenceStepMs;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function writeDataset(root: string): Promise<void> {
  const scenes = createSyntheticScenes({
    count: sampleCount,
    height,
    width,
    seed: 1,
    tasks: ['semseg', 'depth', 'normal'],
  });
  for (const folder of ['image', 'label', 'depth', 'normal'])
    mkdirSync(join(root, 'train', folder), { recursive: true });
  for (let i = 0; i < sampleCount; i++) {
    const sample = await scenes.read(i);
    const write = (folder: string, data: Float32Array, shape: number[]) =>
      writeFileSync(join(root, 'train', folder, `${i}.npy`), encodeNpy({ data, shape }));
    write('image', sample.image.data as Float32Array, [height, width, 3]);
    write('label', sample.labels.semseg!.data as Float32Array, [height, width]);
    write('depth', sample.labels.depth!.data as Float32Array, [height, width, 1]);
    write('normal', sample.labels.normal!.data as Float32Array, [height, width, 3]);
  }
}

interface Measurement {
  /** Median samples/s over the timed epochs (wall clock). */
  readonly samplesPerSecond: number;
  /** CPU time of the whole process (main thread and workers) per sample: independent of other load on the machine. */
  readonly cpuMsPerSample: number;
}

/** `onelabel`: a seeded one-task-per-sample split given to the loader as its label mask (unlabelled files unread). */
async function measure(
  root: string,
  workers: number,
  epochs: number,
  onelabel = false,
): Promise<Measurement> {
  const labelMask = onelabel
    ? createSplit('onelabel', { rows: sampleCount, taskNames: ['semseg', 'depth', 'normal'], seed: 0 })
    : undefined;
  const source = await openSource({
    kind: 'nyuv2',
    options: { root, split: 'train', ...(labelMask ? { labelMask } : {}) },
  });
  const loader = createBatchLoader({
    source,
    batchSize,
    views: 2,
    augment: true,
    workers,
    prefetch: 4,
    seed: 0,
  });
  try {
    // Warm-up: start the workers and fill the page cache.
    for await (const batch of loader) {
      disposeBatch(batch);
      break;
    }
    const rates: number[] = [];
    const cpuStart = process.cpuUsage();
    let totalSamples = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const start = performance.now();
      let samples = 0;
      for await (const batch of loader) {
        samples += batch.indices.length;
        disposeBatch(batch);
      }
      rates.push(samples / ((performance.now() - start) / 1000));
      totalSamples += samples;
    }
    const cpu = process.cpuUsage(cpuStart);
    return { samplesPerSecond: median(rates), cpuMsPerSample: (cpu.user + cpu.system) / 1000 / totalSamples };
  } finally {
    await loader.close();
  }
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  const root = mkdtempSync(join(tmpdir(), 'partial-mtl-bench-load-'));
  try {
    const writeStart = performance.now();
    await writeDataset(root);
    console.log(
      `wrote ${sampleCount} NYU-v2-format samples (${height}×${width}, float32 .npy) in ${((performance.now() - writeStart) / 1000).toFixed(1)} s`,
    );
    const epochs = Number(process.env.BENCH_LOAD_EPOCHS ?? 3);
    const mainThread = await measure(root, 0, epochs);
    const oneWorker = await measure(root, 1, epochs);
    const twoWorkers = await measure(root, 2, epochs);
    const twoWorkersOnelabel = await measure(root, 2, epochs, true);
    console.log(
      `three views (RSC, RSC, RSC + photometric), batch ${batchSize}, median of ${epochs} epochs of ${sampleCount} samples:`,
    );
    const line = (name: string, m: Measurement) =>
      console.log(
        `  ${name} ${m.samplesPerSecond.toFixed(1)} samples/s, ${m.cpuMsPerSample.toFixed(1)} ms CPU per sample (all threads)`,
      );
    line('main thread:', mainThread);
    line('1 worker:   ', oneWorker);
    line('2 workers:  ', twoWorkers);
    line('2 workers, onelabel split (1 label per sample):', twoWorkersOnelabel);
    const cores = availableParallelism();
    const load = loadavg()[0]!;
    const bound = (cores * 1000) / twoWorkers.cpuMsPerSample;
    console.log(
      `  machine: ${cores} cores, load average ${load.toFixed(1)}; CPU-bound ceiling with every core free: ${bound.toFixed(0)} samples/s`,
    );
    console.log(
      `  target (5× the ~${referenceStepMs} ms/step batch-2 SegNet): ${targetSamplesPerSecond.toFixed(0)} samples/s`,
    );
    console.log(
      JSON.stringify({
        bench: 'load',
        samples_per_s_main_thread: Number(mainThread.samplesPerSecond.toFixed(1)),
        samples_per_s_1_worker: Number(oneWorker.samplesPerSecond.toFixed(1)),
        samples_per_s_2_workers: Number(twoWorkers.samplesPerSecond.toFixed(1)),
        samples_per_s_2_workers_onelabel: Number(twoWorkersOnelabel.samplesPerSecond.toFixed(1)),
        cpu_ms_per_sample_main_thread: Number(mainThread.cpuMsPerSample.toFixed(1)),
        cpu_ms_per_sample_2_workers: Number(twoWorkers.cpuMsPerSample.toFixed(1)),
        samples_per_s_cpu_bound_all_cores: Number(bound.toFixed(1)),
        load_average: Number(load.toFixed(2)),
        cores,
        target_samples_per_s: Number(targetSamplesPerSecond.toFixed(1)),
        height,
        width,
        views: 3,
        batch_size: batchSize,
        samples: sampleCount,
        epochs,
      }),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
