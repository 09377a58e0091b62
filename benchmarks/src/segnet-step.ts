// One measured run of the SegNet multi-task training step (MTAN shape, heads seg 13 / depth 1 / normal 3, Adam
// lr 1e-4) with the losses of /work/shared/bench/segnet_torch_step.py: cross-entropy ignoring −1, mean |depth error|,
// mean (1 − cosine) of unit normals. Run as a child process by step.ts, one process per backend and config.

import { type BackendName, fusedAdam, nyuv2Tasks, RandomSource, selectBackend } from '@partial-mtl/core';
import { createMultiTaskNetwork } from '@partial-mtl/models';
import * as tf from '@tensorflow/tfjs';

export interface StepConfig {
  readonly widthMultiplier: number;
  readonly height: number;
  readonly width: number;
  readonly batch: number;
  readonly steps: number;
  readonly warmup: number;
}

export interface StepResult {
  readonly backend: string;
  readonly threads: number | null;
  readonly customGradients: boolean;
  readonly config: StepConfig;
  readonly params: number;
  readonly msPerStepMedian: number;
  readonly msPerStepAll: number[];
  /** Median process CPU time per step (all threads): robust to a loaded machine for 1 thread. */
  readonly cpuMsPerStepMedian: number;
  /** Median time of the optimizer update alone (part of the step). */
  readonly msOptimizerMedian: number;
  readonly tensorsAfter: number;
  readonly tensorsAfterFirstStep: number;
  readonly heapUsedMb: number;
  readonly loss: number;
  readonly profile?: Array<{ kernel: string; calls: number; ms: number }>;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Random inputs and labels as the PyTorch script draws them (values differ: another generator). */
function makeBatch(config: StepConfig, random: RandomSource) {
  const { batch, height, width } = config;
  const pixels = batch * height * width;
  const uniform = (size: number, scale = 1) =>
    Float32Array.from({ length: size }, () => random.next() * scale);
  const classIds = Int32Array.from({ length: pixels }, () => Math.floor(random.next() * 14) - 1);
  const normals = new Float32Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    const v = [random.next() - 0.5, random.next() - 0.5, random.next() - 0.5];
    const norm = Math.hypot(v[0]!, v[1]!, v[2]!) || 1;
    for (let c = 0; c < 3; c++) normals[p * 3 + c] = v[c]! / norm;
  }
  return {
    images: tf.tensor4d(uniform(pixels * 3), [batch, height, width, 3]),
    segmentationOneHot: tf
      .oneHot(tf.tensor1d(classIds, 'int32'), 13)
      .reshape([batch, height, width, 13]) as tf.Tensor4D,
    validPixels: classIds.reduce((count, id) => count + (id >= 0 ? 1 : 0), 0),
    depth: tf.tensor4d(uniform(pixels, 5), [batch, height, width, 1]),
    normals: tf.tensor4d(normals, [batch, height, width, 3]),
  };
}

export async function runStep(options: {
  backend: BackendName;
  config: StepConfig;
  customGradients: boolean;
  threads?: number;
  profile?: boolean;
}): Promise<StepResult> {
  const { config } = options;
  await selectBackend({
    prefer: options.backend,
    wasmTraining: options.customGradients,
    wasmThreads: options.threads,
    warn: () => {},
  });
  const network = createMultiTaskNetwork({
    backbone: 'segnet',
    tasks: nyuv2Tasks,
    widthMultiplier: config.widthMultiplier,
    seed: 0,
  });
  const variables = [...network.sharedVariables, ...Object.values(network.taskVariables).flat()];
  const params = variables.reduce((sum, variable) => sum + variable.size, 0);
  const data = makeBatch(config, new RandomSource(1));
  // With the training kernels: the fused Adam update (same formula as tf.train.adam); stock runs: tf.train.adam.
  const optimizer = options.customGradients ? fusedAdam(1e-4) : tf.train.adam(1e-4);

  const lossFunction = () =>
    tf.tidy(() => {
      const { predictions } = network.apply(data.images, { training: true });
      const logProbabilities = tf.logSoftmax(predictions.semseg!, -1);
      const segmentation = tf.div(
        tf.neg(tf.sum(tf.mul(data.segmentationOneHot, logProbabilities))),
        Math.max(data.validPixels, 1),
      );
      const depth = tf.mean(tf.abs(tf.sub(predictions.depth!, data.depth)));
      const normal = tf.mean(tf.sub(1, tf.sum(tf.mul(predictions.normal!, data.normals), -1)));
      return tf.addN([segmentation, depth, normal]) as tf.Scalar;
    });
  const optimizerTimes: number[] = [];
  const step = (): number => {
    const { value, grads } = tf.variableGrads(lossFunction, variables);
    const optimizerStarted = performance.now();
    optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
    optimizerTimes.push(performance.now() - optimizerStarted);
    const loss = value.dataSync()[0]!;
    value.dispose();
    tf.dispose(Object.values(grads));
    return loss;
  };

  const times: number[] = [];
  const cpuTimes: number[] = [];
  let loss = Number.NaN;
  let tensorsAfterFirstStep = 0;
  for (let index = 0; index < config.warmup + config.steps; index++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    loss = step();
    const elapsed = performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    if (index === 0) tensorsAfterFirstStep = tf.memory().numTensors;
    if (index >= config.warmup) {
      times.push(elapsed);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
    }
  }
  let profile: StepResult['profile'];
  if (options.profile) {
    const info = await tf.profile(() => {
      step();
    });
    const byKernel = new Map<string, { calls: number; ms: number }>();
    for (const kernel of info.kernels) {
      const key =
        process.env.PROFILE_SHAPES && kernel.name === process.env.PROFILE_SHAPES
          ? `${kernel.name} ${JSON.stringify(kernel.inputShapes)}`
          : kernel.name;
      const entry = byKernel.get(key) ?? { calls: 0, ms: 0 };
      entry.calls += 1;
      entry.ms += typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0;
      byKernel.set(key, entry);
    }
    profile = [...byKernel.entries()]
      .map(([kernel, entry]) => ({ kernel, ...entry }))
      .sort((a, b) => b.ms - a.ms);
  }
  const tensorsAfter = tf.memory().numTensors;
  const heapUsedMb = process.memoryUsage().heapUsed / 2 ** 20;
  const threads = options.backend === 'wasm' ? await wasmThreads() : null;
  network.dispose();
  optimizer.dispose();
  return {
    backend: options.backend,
    threads,
    customGradients: options.customGradients,
    config,
    params,
    msPerStepMedian: Math.round(median(times) * 10) / 10,
    msPerStepAll: times.map((time) => Math.round(time * 10) / 10),
    cpuMsPerStepMedian: Math.round(median(cpuTimes) * 10) / 10,
    msOptimizerMedian:
      Math.round(median(optimizerTimes.slice(config.warmup, config.warmup + config.steps)) * 10) / 10,
    tensorsAfter,
    tensorsAfterFirstStep,
    heapUsedMb: Math.round(heapUsedMb * 10) / 10,
    loss,
    ...(profile ? { profile } : {}),
  };
}

async function wasmThreads(): Promise<number> {
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { getThreadsCount(): number };
  return wasm.getThreadsCount();
}
