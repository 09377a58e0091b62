// `pnpm bench conv`: the convolutions of one SegNet training step (width 0.25, 96×128, batch 2 by default), alone,
// forward + backward, on wasm (1 and 2 XNNPACK threads, with @partial-mtl/core's training kernels) against PyTorch
// (1 and 2 threads) in one run. It bounds what any other optimisation of the step can reach: if the convolutions
// alone take k × PyTorch's whole step on wasm, the step cannot beat k. Last line: one JSON object for scripts.
// Flags: --width-mult W, --height H, --width W, --batch N, --reps R (default 10).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nyuv2Tasks, selectBackend } from '@partial-mtl/core';
import { createMultiTaskNetwork } from '@partial-mtl/models';
import * as tf from '@tensorflow/tfjs';

/** One distinct convolution of the step: NHWC input, [kh, kw, Ci, Co] filter, how often it runs per forward pass. */
interface ConvLayer {
  readonly input: [number, number, number, number];
  readonly filter: [number, number, number, number];
  /** False for the first layer: its input is the image, whose gradient a training step does not need. */
  readonly inputGrad: boolean;
  readonly count: number;
}

interface Config {
  readonly widthMultiplier: number;
  readonly height: number;
  readonly width: number;
  readonly batch: number;
  readonly reps: number;
}

const torchScript = fileURLToPath(new URL('../python/conv_torch.py', import.meta.url));
const stepScript = '/work/shared/bench/segnet_torch_step.py';
const selfScript = fileURLToPath(import.meta.url);

function numberFlag(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The stride-1 'same' convolutions of one forward pass, read from a profile of the network (SegNet has no other). */
async function collectLayers(config: Config): Promise<ConvLayer[]> {
  await selectBackend({ prefer: 'wasm', warn: () => {} });
  const network = createMultiTaskNetwork({
    backbone: 'segnet',
    tasks: nyuv2Tasks,
    widthMultiplier: config.widthMultiplier,
    seed: 0,
  });
  const images = tf.zeros([config.batch, config.height, config.width, 3]);
  const info = await tf.profile(() => {
    tf.dispose(Object.values(network.apply(images as tf.Tensor4D, { training: true }).predictions));
  });
  const layers = new Map<string, ConvLayer>();
  for (const kernel of info.kernels) {
    if (kernel.name !== 'Conv2D' && kernel.name !== 'FusedConv2D') continue;
    const [input, filter] = kernel.inputShapes as [ConvLayer['input'], ConvLayer['filter']];
    const key = JSON.stringify([input, filter]);
    const known = layers.get(key);
    layers.set(key, { input, filter, inputGrad: input[3] !== 3, count: (known?.count ?? 0) + 1 });
  }
  images.dispose();
  network.dispose();
  return [...layers.values()];
}

/** Child process: median ms of forward + backward per layer on wasm with the given XNNPACK threads. */
async function timeWasm(layers: readonly ConvLayer[], threads: number, reps: number): Promise<number[]> {
  await selectBackend({ prefer: 'wasm', wasmTraining: true, wasmThreads: threads, warn: () => {} });
  return layers.map((layer) => {
    const x = tf.randomNormal(layer.input) as tf.Tensor4D;
    const filter = tf.randomNormal(layer.filter) as tf.Tensor4D;
    const [n, h, w] = layer.input;
    const dy = tf.randomNormal([n, h, w, layer.filter[3]]);
    const times: number[] = [];
    for (let rep = 0; rep < reps + 2; rep++) {
      const started = performance.now();
      const grads = layer.inputGrad
        ? tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))(
            [x, filter],
            dy,
          )
        : [tf.grad((b: tf.Tensor) => tf.conv2d(x, b as tf.Tensor4D, 1, 'same'))(filter, dy)];
      for (const grad of grads) grad.dataSync();
      const elapsed = performance.now() - started;
      tf.dispose(grads);
      if (rep >= 2) times.push(elapsed);
    }
    tf.dispose([x, filter, dy]);
    return median(times);
  });
}

function runChild(args: readonly string[]): string {
  const child = spawnSync(process.execPath, [selfScript, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || (!line.startsWith('{') && !line.startsWith('[')))
    throw new Error(`conv bench child failed: ${child.stderr.split('\n').slice(-5).join('\n')}`);
  return line;
}

function torchPython(): string | undefined {
  for (const python of ['python3', '/usr/bin/python3']) {
    if (spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) return python;
  }
  return undefined;
}

function runTorch(python: string, layers: readonly ConvLayer[], threads: number, reps: number): number[] {
  const child = spawnSync(python, [torchScript, JSON.stringify({ threads, reps, layers })], {
    encoding: 'utf8',
  });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{'))
    throw new Error(`PyTorch conv bench failed:\n${child.stderr}`);
  return (JSON.parse(line) as { ms: number[] }).ms;
}

function runTorchStep(python: string, config: Config): number | null {
  if (!existsSync(stepScript)) return null;
  const args = [stepScript, '--height', String(config.height), '--width', String(config.width)];
  args.push(
    '--batch',
    String(config.batch),
    '--width-mult',
    String(config.widthMultiplier),
    '--threads',
    '2',
  );
  const child = spawnSync(python, args, { encoding: 'utf8' });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  return child.status === 0 && line.startsWith('{')
    ? (JSON.parse(line) as { ms_per_step_median: number }).ms_per_step_median
    : null;
}

const round = (value: number) => Math.round(value * 10) / 10;
const total = (layers: readonly ConvLayer[], ms: readonly number[]) =>
  round(layers.reduce((sum, layer, index) => sum + layer.count * ms[index]!, 0));

async function main(): Promise<void> {
  const config: Config = {
    widthMultiplier: numberFlag('--width-mult', 0.25),
    height: numberFlag('--height', 96),
    width: numberFlag('--width', 128),
    batch: numberFlag('--batch', 2),
    reps: numberFlag('--reps', 10),
  };
  const layers = JSON.parse(runChild(['--collect', JSON.stringify(config)])) as ConvLayer[];
  const calls = layers.reduce((sum, layer) => sum + layer.count, 0);
  console.log(
    `SegNet convolutions, width ${config.widthMultiplier}, ${config.height}×${config.width}, batch ${config.batch}: ${layers.length} distinct shapes, ${calls} per forward pass; forward + backward (dx except the first layer, dW), median of ${config.reps}`,
  );
  const wasm = [1, 2].map(
    (threads) =>
      JSON.parse(runChild(['--time', JSON.stringify({ layers, threads, reps: config.reps })])) as number[],
  );
  const python = torchPython();
  const torch = python ? [1, 2].map((threads) => runTorch(python, layers, threads, config.reps)) : undefined;
  console.log(
    'layer (input → filter) × count | wasm 1t | wasm 2t | torch 1t | torch 2t | ratio 1t | ratio 2t',
  );
  layers.forEach((layer, index) => {
    const cells = [wasm[0]![index]!, wasm[1]![index]!, torch?.[0]?.[index], torch?.[1]?.[index]];
    const ratios = torch
      ? [cells[0]! / cells[2]!, cells[1]! / cells[3]!].map((r) => r.toFixed(2))
      : ['-', '-'];
    console.log(
      `${layer.input.join('×')} → ${layer.filter.join('×')} × ${layer.count} | ${cells.map((c) => (c === undefined ? '-' : round(c))).join(' | ')} | ${ratios.join(' | ')}`,
    );
  });
  const wasmTotals = wasm.map((ms) => total(layers, ms));
  const torchTotals = torch ? torch.map((ms) => total(layers, ms)) : [null, null];
  const torchStep = python ? runTorchStep(python, config) : null;
  console.log(
    `convolutions per step: wasm ${wasmTotals[0]} ms (1 thread), ${wasmTotals[1]} ms (2 threads); PyTorch ${torchTotals[0] ?? '-'} ms (1 thread), ${torchTotals[1] ?? '-'} ms (2 threads)`,
  );
  const best = Math.min(wasmTotals[0]!, wasmTotals[1]!);
  if (torchStep !== null) {
    console.log(
      `PyTorch whole training step (2 threads): ${torchStep} ms; wasm convolutions alone (best) = ${(best / torchStep).toFixed(2)} × that step`,
    );
  }
  console.log(
    JSON.stringify({
      bench: 'conv',
      config,
      wasm_conv_ms: { threads1: wasmTotals[0], threads2: wasmTotals[1] },
      pytorch_conv_ms: torch ? { threads1: torchTotals[0], threads2: torchTotals[1] } : null,
      pytorch_step_ms: torchStep,
      wasm_conv_over_pytorch_step: torchStep === null ? null : round((best / torchStep) * 100) / 100,
    }),
  );
}

if (process.argv[2] === '--collect') {
  console.log(JSON.stringify(await collectLayers(JSON.parse(process.argv[3]!) as Config)));
} else if (process.argv[2] === '--time') {
  const options = JSON.parse(process.argv[3]!) as { layers: ConvLayer[]; threads: number; reps: number };
  console.log(JSON.stringify(await timeWasm(options.layers, options.threads, options.reps)));
} else {
  await main();
}
