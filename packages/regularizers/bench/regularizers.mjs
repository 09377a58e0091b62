// Step time of supervised MTL ('none') vs + JTR vs + pairwise consistency for T = 2, 3, 5, 7 synthetic dense tasks
// with a halflabels mask (every sample labelled for ceil(T/2) of its tasks, so pairwise compares
// ceil(T/2)·floor(T/2) ≈ T²/4 pairs per sample). Run after `npm run build`:
//   node bench/regularizers.mjs [--backend wasm|cpu] [--steps 5] [--size 32] [--batch 2] [--width 0.015625]
// Figures are process CPU ms per step (median). Prints a table, then one JSON line: {"bench":"regularizers","rows":[{"tasks":T,"none_ms":…,"jtr_ms":…,"pairwise_ms":…}]}.

import { defineTasks, RandomSource, selectBackend } from '@partial-mtl/core';
import { createMultiTaskNetwork, supervisedLoss } from '@partial-mtl/models';
import * as tf from '@tensorflow/tfjs';
import { createRegularizer } from '../dist/index.js';

function argument(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1] : fallback;
}
const backendPreference = argument('backend', 'wasm,cpu').split(',');
const steps = Number(argument('steps', '5'));
const size = Number(argument('size', '32'));
const batchSize = Number(argument('batch', '2'));
const widthMultiplier = Number(argument('width', String(1 / 64)));
const taskCounts = argument('tasks', '2,3,5,7').split(',').map(Number);

const selection = await selectBackend({ prefer: backendPreference, warn: () => {} });
await tf.ready();

const kinds = [
  { kind: 'segmentation', channels: 4 },
  { kind: 'depth', channels: 1 },
  { kind: 'normals', channels: 3 },
];
function syntheticTasks(count) {
  return defineTasks(
    Array.from({ length: count }, (_, i) => ({ name: `task${i}`, ...kinds[i % kinds.length] })),
  );
}

/** Every sample is labelled for ceil(T/2) tasks chosen at random. */
function halfLabelMask(random, count) {
  return Array.from({ length: batchSize }, () => {
    const labelled = new Set(random.permutation(count).slice(0, Math.ceil(count / 2)));
    return Array.from({ length: count }, (_, t) => (labelled.has(t) ? 1 : 0));
  });
}

function labelTensor(task, labelled, seed) {
  return tf.tidy(() => {
    const shape = [batchSize, size, size];
    const rowMask = tf.reshape(tf.tensor1d(labelled), [batchSize, 1, 1, 1]);
    let values;
    if (task.kind === 'segmentation')
      values = tf.floor(tf.randomUniform([...shape, 1], 0, task.channels, 'float32', seed));
    else if (task.kind === 'depth') values = tf.randomUniform([...shape, 1], 0.5, 5, 'float32', seed);
    else {
      const raw = tf.randomNormal([...shape, 3], 0, 1, 'float32', seed);
      values = tf.div(raw, tf.norm(raw, 'euclidean', -1, true));
    }
    const ignore = task.kind === 'segmentation' ? -1 : 0;
    return tf.add(tf.mul(values, rowMask), tf.mul(tf.sub(1, rowMask), ignore));
  });
}

function makeBatch(tasks, random, views) {
  const labelMask = halfLabelMask(random, tasks.length);
  const labelSeed = random.tfSeed();
  const view = (offset) => ({
    images: tf.randomUniform([batchSize, size, size, 3], 0, 1, 'float32', labelSeed + 100 + offset),
    labels: Object.fromEntries(
      tasks.map((task, t) => [
        task.name,
        labelTensor(
          task,
          labelMask.map((row) => row[t]),
          labelSeed + t,
        ),
      ]),
    ),
    labelMask: tf.tensor2d(labelMask),
    taskNames: tasks.map((task) => task.name),
    indices: labelMask.map((_, i) => i),
  });
  return { ...view(0), views: Array.from({ length: views }, (_, i) => view(i + 1)) };
}

function disposeBatch(batch) {
  for (const b of [batch, ...batch.views]) tf.dispose([b.images, b.labelMask, ...Object.values(b.labels)]);
}

function sliceOutput(output, index) {
  const take = (x) => tf.slice(x, [index * batchSize], [batchSize]);
  return {
    predictions: Object.fromEntries(Object.entries(output.predictions).map(([name, p]) => [name, take(p)])),
    features: { bottleneck: take(output.features.bottleneck) },
  };
}

/**
 * Median milliseconds of one training step (after one warm-up step) with regularizer `name`: process CPU time (the
 * reported figure: the backend runs on one thread, and CPU time is robust to other jobs sharing the cores) and wall.
 */
function measure(name, tasks, options = {}) {
  const network = createMultiTaskNetwork({ backbone: 'segnet', tasks, widthMultiplier, seed: 0 });
  // 32×32 gives SegNet a 1×1 bottleneck, where pairwise warns that its term collapses: irrelevant to step time.
  const regularizer = createRegularizer(name, {
    tasks,
    seed: 0,
    widthMultiplier,
    warn: () => {},
    ...options,
  });
  const optimizer = tf.train.adam(1e-4);
  const random = new RandomSource(1);
  const variables = [
    ...network.sharedVariables,
    ...Object.values(network.taskVariables).flat(),
    ...regularizer.variableGroups().flatMap((group) => group.variables),
  ];
  const times = [];
  for (let step = 0; step <= steps; step++) {
    const batch = makeBatch(tasks, random, regularizer.viewsNeeded);
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const { value, grads } = tf.variableGrads(() => {
      const images = tf.concat([batch.images, ...batch.views.map((view) => view.images)]);
      const output = network.apply(images, { training: true });
      const first = sliceOutput(output, 0);
      const viewOutputs = batch.views.map((_, i) => sliceOutput(output, i + 1));
      const supervised = supervisedLoss(tasks, first, batch).loss;
      const regularization = regularizer.loss({
        tasks,
        batch,
        output: first,
        viewOutputs,
        random,
        step,
        epoch: 0,
      }).loss;
      return tf.add(supervised, regularization);
    }, variables);
    optimizer.applyGradients(grads);
    value.dataSync();
    const elapsed = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    if (step > 0) times.push({ cpu: (cpu.user + cpu.system) / 1000, wall: elapsed });
    tf.dispose([value, ...Object.values(grads)]);
    disposeBatch(batch);
  }
  optimizer.dispose();
  network.dispose();
  regularizer.dispose();
  const median = (values) => Math.round(values.sort((a, b) => a - b)[Math.floor(values.length / 2)]);
  return { cpu: median(times.map((t) => t.cpu)), wall: median(times.map((t) => t.wall)) };
}

console.log(
  `regularizers bench: backend ${selection.name} (tf: ${tf.getBackend()}), SegNet width ${widthMultiplier}, ${size}×${size}, batch ${batchSize}, ` +
    `median CPU ms of ${steps} steps after 1 warm-up; JTR and pairwise in faithful mode (per-sample / per-pair loops)`,
);
const rows = [];
console.log(
  '| T | pairs/sample | none ms | + JTR ms | + pairwise ms | JTR overhead | pairwise overhead | pairwise, diagnostics off ms | wall ms (none / JTR / pairwise) |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const count of taskCounts) {
  const tasks = syntheticTasks(count);
  const none = measure('none', tasks);
  const jtr = measure('jtr', tasks);
  const pairwise = measure('pairwise', tasks);
  const quietPairwise = measure('pairwise', tasks, { diagnostics: false });
  const row = { tasks: count, none_ms: none.cpu, jtr_ms: jtr.cpu, pairwise_ms: pairwise.cpu };
  rows.push(row);
  const pairs = Math.ceil(count / 2) * Math.floor(count / 2);
  console.log(
    `| ${count} | ${pairs} | ${row.none_ms} | ${row.jtr_ms} | ${row.pairwise_ms} | ${row.jtr_ms - row.none_ms} | ` +
      `${row.pairwise_ms - row.none_ms} | ${quietPairwise.cpu} | ${none.wall} / ${jtr.wall} / ${pairwise.wall} |`,
  );
}
console.log(JSON.stringify({ bench: 'regularizers', rows }));
