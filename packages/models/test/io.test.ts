import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nyuv2Tasks } from '@partial-mtl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assignVariables,
  createFolderIOHandler,
  createMultiTaskNetwork,
  disposeNetworkOutput,
  loadNetwork,
  loadVariables,
  type PartialMtlNetwork,
  saveNetwork,
  saveVariables,
} from '../src/index.js';
import { maxAbsDifference } from './helpers.js';

let root: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  root = mkdtempSync(join(tmpdir(), 'partial-mtl-models-io-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function predict(network: PartialMtlNetwork, images: tf.Tensor4D): Record<string, Float32Array> {
  const output = network.apply(images, { training: false });
  const values = Object.fromEntries(
    Object.entries(output.predictions).map(([name, tensor]) => [name, tensor.dataSync() as Float32Array]),
  );
  disposeNetworkOutput(output);
  return values;
}

async function trainedNetwork(): Promise<PartialMtlNetwork> {
  const network = createMultiTaskNetwork({
    backbone: 'segnet',
    tasks: nyuv2Tasks,
    widthMultiplier: 0.125,
    seed: 5,
  });
  // One training-mode pass moves the running statistics away from their init, so a load that skipped them would differ.
  const images = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
  disposeNetworkOutput(network.apply(images, { training: true }));
  images.dispose();
  return network;
}

describe('saveNetwork / loadNetwork', () => {
  it('round-trips to identical predictions on cpu and on wasm, running statistics included', async () => {
    const network = await trainedNetwork();
    const directory = join(root, 'segnet');
    await saveNetwork(network, directory, { shardSizeBytes: 64 * 1024 });
    const files = readdirSync(directory).sort();
    expect(files).toContain('model.json');
    expect(files.filter((name) => name.endsWith('.bin')).length).toBeGreaterThan(1);
    expect(readdirSync(root).filter((name) => name.includes('.tmp-'))).toEqual([]);

    const images = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const loaded = await loadNetwork(directory);
    expect(loaded.config).toEqual(network.config);
    const expected = predict(network, images);
    const actual = predict(loaded, images);
    for (const task of nyuv2Tasks) expect(maxAbsDifference(actual[task.name]!, expected[task.name]!)).toBe(0);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const imageValues = images.dataSync().slice();
    images.dispose();

    // Same files, same predictions computed entirely on the wasm backend.
    const cpuExpected = expected;
    network.dispose();
    try {
      expect(await tf.setBackend('wasm')).toBe(true);
      await tf.ready();
      const wasmNetwork = await loadNetwork(directory);
      const wasmImages = tf.tensor4d(imageValues, [1, 32, 32, 3]);
      const wasmPredictions = predict(wasmNetwork, wasmImages);
      for (const task of nyuv2Tasks)
        expect(maxAbsDifference(wasmPredictions[task.name]!, cpuExpected[task.name]!)).toBeLessThan(1e-4);
      // Saved from wasm, loaded on wasm again: bit-identical.
      await saveNetwork(wasmNetwork, join(root, 'segnet-wasm'));
      const reloaded = await loadNetwork(join(root, 'segnet-wasm'));
      const again = predict(reloaded, wasmImages);
      for (const task of nyuv2Tasks)
        expect(maxAbsDifference(again[task.name]!, wasmPredictions[task.name]!)).toBe(0);
      // A training-mode forward (batch statistics, running-statistics update, unpooling masks) also runs on wasm.
      const trainOutput = wasmNetwork.apply(wasmImages, { training: true });
      expect(trainOutput.predictions.semseg!.shape).toEqual([1, 32, 32, 13]);
      disposeNetworkOutput(trainOutput);
      tf.dispose(wasmImages);
      wasmNetwork.dispose();
      reloaded.dispose();
    } finally {
      await tf.setBackend('cpu');
      await tf.ready();
    }
  });

  it('round-trips every backbone with its backbone options (cpu)', async () => {
    const imageTasks = [
      { name: 'expression', kind: 'multiclass', channels: 3 },
      { name: 'actionUnits', kind: 'multilabel', channels: 2 },
    ] as const;
    const configs = [
      {
        backbone: 'resnet18',
        tasks: [...nyuv2Tasks, ...imageTasks],
        backboneOptions: { outputStride: 16 },
        size: 32,
      },
      {
        backbone: 'resnet50',
        tasks: nyuv2Tasks,
        backboneOptions: { outputStride: 8, decoderChannels: 64 },
        size: 32,
      },
      { backbone: 'small-cnn', tasks: imageTasks, backboneOptions: { stages: 3 }, size: 28 },
      {
        backbone: 'segnet',
        tasks: nyuv2Tasks,
        backboneOptions: { unpoolTies: 'first', stages: 4 },
        size: 32,
      },
    ] as const;
    for (const { backbone, tasks, backboneOptions, size } of configs) {
      const network = createMultiTaskNetwork({
        backbone,
        tasks,
        backboneOptions,
        widthMultiplier: 0.0625,
        seed: 3,
      });
      const directory = join(root, `roundtrip-${backbone}`);
      await saveNetwork(network, directory);
      const loaded = await loadNetwork(directory);
      expect(loaded.config.backboneOptions).toEqual(backboneOptions);
      const images = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
      const expected = predict(network, images);
      const actual = predict(loaded, images);
      for (const task of tasks)
        expect(maxAbsDifference(actual[task.name]!, expected[task.name]!), `${backbone} ${task.name}`).toBe(
          0,
        );
      images.dispose();
      network.dispose();
      loaded.dispose();
    }
  });

  it('replaces an existing folder atomically, leaving no temporary folders', async () => {
    const directory = join(root, 'replace');
    await saveVariables(directory, new Map([['a', tf.tensor1d([1, 2])]]), { version: 1 });
    await saveVariables(directory, new Map([['b', tf.tensor1d([3])]]), { version: 2 });
    const { tensors, extra } = await loadVariables(directory);
    expect([...tensors.keys()]).toEqual(['b']);
    expect(extra).toEqual({ version: 2 });
    tf.dispose([...tensors.values()]);
    expect(readdirSync(root).filter((name) => name.startsWith('.replace'))).toEqual([]);
  });
});

describe('saveVariables / loadVariables', () => {
  it('keeps names, order, dtypes, values and extra JSON', async () => {
    const directory = join(root, 'state');
    const named = new Map<string, tf.Tensor>([
      [
        'optimizer.m.0',
        tf.tensor2d([
          [1.5, -2],
          [3, 4],
        ]),
      ],
      ['7', tf.tensor1d([7, 8, 9], 'int32')],
      ['step', tf.scalar(42)],
    ]);
    await saveVariables(directory, named, { step: 42, nested: { lr: 1e-4, list: [1, null] } });
    const { tensors, extra } = await loadVariables(directory);
    expect([...tensors.keys()]).toEqual(['optimizer.m.0', '7', 'step']);
    expect(tensors.get('7')!.dtype).toBe('int32');
    expect(Array.from(tensors.get('optimizer.m.0')!.dataSync())).toEqual([1.5, -2, 3, 4]);
    expect(tensors.get('step')!.shape).toEqual([]);
    expect(extra).toEqual({ step: 42, nested: { lr: 1e-4, list: [1, null] } });
    tf.dispose([...named.values(), ...tensors.values()]);
  });

  it('is a tf.io handler a LayersModel can save to and load from', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    const directory = join(root, 'layers-model');
    await model.save(createFolderIOHandler(directory));
    const restored = await tf.loadLayersModel(createFolderIOHandler(directory));
    const x = tf.ones([1, 3]);
    const a = model.predict(x) as tf.Tensor;
    const b = restored.predict(x) as tf.Tensor;
    expect(maxAbsDifference(a.dataSync(), b.dataSync())).toBe(0);
    tf.dispose([x, a, b]);
    model.dispose();
    restored.dispose();
  });
});

describe('load errors name the file and the problem', () => {
  async function savedFolder(name: string): Promise<string> {
    const directory = join(root, name);
    await saveVariables(
      directory,
      new Map([
        ['w', tf.tensor1d([1, 2, 3, 4])],
        ['v', tf.tensor1d([5])],
      ]),
      null,
      { shardSizeBytes: 8 },
    );
    return directory;
  }

  it('missing folder', async () => {
    await expect(loadVariables(join(root, 'nothing-here'))).rejects.toThrow(
      /no saved folder at .*nothing-here/,
    );
  });

  it('missing model.json', async () => {
    const directory = await savedFolder('no-json');
    unlinkSync(join(directory, 'model.json'));
    await expect(loadVariables(directory)).rejects.toThrow(/no-json\/model\.json: missing/);
  });

  it('corrupt model.json', async () => {
    const directory = await savedFolder('bad-json');
    writeFileSync(join(directory, 'model.json'), '{"weightsManifest": [');
    await expect(loadVariables(directory)).rejects.toThrow(/bad-json\/model\.json: not valid JSON/);
    writeFileSync(
      join(directory, 'model.json'),
      '{"weightsManifest": [{"paths": ["../escape.bin"], "weights": []}]}',
    );
    await expect(loadVariables(directory)).rejects.toThrow(/weightsManifest\[0\]\.paths/);
  });

  it('missing shard', async () => {
    const directory = await savedFolder('no-shard');
    unlinkSync(join(directory, 'group1-shard2of3.bin'));
    await expect(loadVariables(directory)).rejects.toThrow(
      /no-shard\/group1-shard2of3\.bin: weight shard listed in model\.json is missing/,
    );
  });

  it('wrong shard byte length', async () => {
    const directory = await savedFolder('short-shard');
    truncateSync(join(directory, 'group1-shard1of3.bin'), 5);
    await expect(loadVariables(directory)).rejects.toThrow(
      /group1-shard1of3\.bin: expected 8 bytes .* found 5/,
    );
    // Without our per-shard lengths (a plain tfjs model.json) the total is still checked.
    const json = JSON.parse(readFileSync(join(directory, 'model.json'), 'utf8'));
    delete json.weightsManifest[0].shardByteLengths;
    delete json.weightsManifest[0].shardSha256;
    writeFileSync(join(directory, 'model.json'), JSON.stringify(json));
    await expect(loadVariables(directory)).rejects.toThrow(
      /model\.json: the weights listed need 20 bytes but the shards hold 17/,
    );
  });

  it('a same-length corruption of a shard fails its SHA-256; older folders without digests still load', async () => {
    const directory = await savedFolder('flipped-byte');
    const shardPath = join(directory, 'group1-shard2of3.bin');
    const intact = readFileSync(shardPath);
    const flipped = Buffer.from(intact);
    flipped[0] = flipped[0]! ^ 0xff;
    writeFileSync(shardPath, flipped);
    await expect(loadVariables(directory)).rejects.toThrow(
      /flipped-byte\/group1-shard2of3\.bin: SHA-256 differs from model\.json shardSha256/,
    );
    const json = JSON.parse(readFileSync(join(directory, 'model.json'), 'utf8'));
    json.weightsManifest[0].shardSha256[0] = 'not-a-digest';
    writeFileSync(join(directory, 'model.json'), JSON.stringify(json));
    await expect(loadVariables(directory)).rejects.toThrow(/weightsManifest\[0\]\.shardSha256: expected one/);
    // A folder written before the digests existed: loads (lengths and totals are still checked).
    writeFileSync(shardPath, intact);
    delete json.weightsManifest[0].shardSha256;
    writeFileSync(join(directory, 'model.json'), JSON.stringify(json));
    const { tensors } = await loadVariables(directory);
    expect(tensors.size).toBeGreaterThan(0);
    for (const tensor of tensors.values()) tensor.dispose();
  });

  it('shape mismatch names the variable, and nothing is assigned', async () => {
    const small = createMultiTaskNetwork({
      backbone: 'small-cnn',
      tasks: [{ name: 'expression', kind: 'multiclass', channels: 3 }],
      widthMultiplier: 0.25,
    });
    const directory = join(root, 'shape');
    await saveNetwork(small, directory);
    const { tensors } = await loadVariables(directory);
    const other = createMultiTaskNetwork({
      backbone: 'small-cnn',
      tasks: [{ name: 'expression', kind: 'multiclass', channels: 4 }],
      widthMultiplier: 0.25,
    });
    const firstBefore = [...other.namedVariables().values()][0]!.dataSync().slice();
    expect(() => assignVariables(other.namedVariables(), tensors, 'shape/model.json')).toThrow(
      /shape\/model\.json: variable 'heads\.expression\.linear\.weight' has shape \[64, 3\] but \[64, 4\] is expected/,
    );
    expect(maxAbsDifference([...other.namedVariables().values()][0]!.dataSync(), firstBefore)).toBe(0);
    const json = JSON.parse(readFileSync(join(directory, 'model.json'), 'utf8'));
    json.userDefinedMetadata.partialMtl.extra.network.tasks[0].channels = 4;
    writeFileSync(join(directory, 'model.json'), JSON.stringify(json));
    const before = tf.memory().numTensors;
    await expect(loadNetwork(directory)).rejects.toThrow(
      /model\.json: variable 'heads\.expression\.linear\.weight' has shape/,
    );
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...tensors.values()]);
    small.dispose();
    other.dispose();
    expect(existsSync(directory)).toBe(true);
  });
});
