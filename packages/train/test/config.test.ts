import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RandomSource } from '@partial-mtl/core';
import { describe, expect, it } from 'vitest';
import { loadRunConfig, parseConfigText, resolveRunConfig, validateRunConfig } from '../src/config-load.js';
import { ConfigError, parseRunConfig, runConfigJsonSchema } from '../src/config-schema.js';

const valid = {
  dataset: { name: 'synthetic-scenes', options: { height: 32, width: 32 } },
  regularizer: { name: 'jtr' },
  training: { epochs: 2 },
};

function messageOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('run config', () => {
  it('fills defaults for a minimal valid config', () => {
    const config = resolveRunConfig(valid);
    expect(config.optimizer).toMatchObject({ kind: 'adam', learningRate: 1e-4 });
    expect(config.split.scenario).toBe('full');
    expect(config.training.evaluateEvery).toEqual({ unit: 'epoch', every: 1 });
    expect(config.model.backbone).toBe('segnet');
  });

  it('names the field of an unknown regularizer and lists valid ones', () => {
    const message = messageOf(() => resolveRunConfig({ ...valid, regularizer: { name: 'mtpsl-typo' } }));
    expect(message).toMatch(
      /regularizer\.name: unknown regularizer 'mtpsl-typo' \(expected one of: .*jtr.*\)/,
    );
  });

  it('rejects a regularizer option the regularizer does not read, naming it and the options it has', () => {
    const message = messageOf(() =>
      resolveRunConfig({ ...valid, regularizer: { name: 'jtr', options: { stage: 2, distanceWeight: 4 } } }),
    );
    expect(message).toMatch(
      /regularizer\.options\.stage: not an option of 'jtr' \(expected one of: .*\bstages\b.*\)/,
    );
    expect(message).not.toMatch(/distanceWeight: not/);
    expect(
      messageOf(() => resolveRunConfig({ ...valid, regularizer: { name: 'none', options: { stages: 2 } } })),
    ).toMatch(/regularizer\.options\.stages: not an option of 'none' \(it takes none\)/);
    // Options the regularizer reads pass.
    const accepted = resolveRunConfig({
      ...valid,
      regularizer: {
        name: 'pairwise',
        options: { stages: 2, segmentationPrediction: 'softmax', diagnostics: false },
      },
    });
    expect(accepted.regularizer.options).toMatchObject({ stages: 2 });
  });

  it('names the field of a wrong type', () => {
    const message = messageOf(() => resolveRunConfig({ ...valid, training: { epochs: 'ten' } }));
    expect(message).toMatch(/training\.epochs: .*number/);
    expect(messageOf(() => resolveRunConfig({ ...valid, optimizer: { learningRate: -1 } }))).toMatch(
      /optimizer\.learningRate/,
    );
  });

  it('rejects a missing dataset path before anything runs', () => {
    const message = messageOf(() =>
      resolveRunConfig({ ...valid, split: { table: '/nonexistent/onelabel.pth' } }),
    );
    expect(message).toMatch(/split\.table: '\/nonexistent\/onelabel\.pth' does not exist/);
  });

  it('rejects unknown fields, unknown datasets and unknown backbones', () => {
    expect(messageOf(() => resolveRunConfig({ ...valid, trainig: {} }))).toMatch(/trainig: unknown field/);
    expect(messageOf(() => resolveRunConfig({ ...valid, dataset: { name: 'imagenet' } }))).toMatch(
      /dataset\.name: unknown dataset 'imagenet'/,
    );
    expect(messageOf(() => resolveRunConfig({ ...valid, model: { backbone: 'vgg' } }))).toMatch(
      /model\.backbone: unknown backbone 'vgg'/,
    );
    expect(messageOf(() => resolveRunConfig({ ...valid, training: {} }))).toMatch(
      /training: set epochs or maxSteps/,
    );
  });

  it('reads YAML without custom tags and JSON, naming the file on syntax errors', () => {
    const directory = mkdtempSync(join(tmpdir(), 'config-'));
    const yamlPath = join(directory, 'run.yaml');
    writeFileSync(
      yamlPath,
      'dataset:\n  name: synthetic-scenes\nregularizer:\n  name: pairwise\ntraining:\n  maxSteps: 3\n',
    );
    expect(loadRunConfig(yamlPath).regularizer.name).toBe('pairwise');
    expect(() => parseConfigText('a: !!js/function "function () {}"', 'evil.yaml')).toThrow(ConfigError);
    expect(messageOf(() => parseConfigText('{"a": ', 'broken.json'))).toMatch(/broken\.json: not valid JSON/);
    expect(messageOf(() => loadRunConfig(join(directory, 'missing.json')))).toMatch(
      /--config: file '.*missing\.json' does not exist/,
    );
    expect(messageOf(() => parseConfigText('x', 'run.toml'))).toMatch(
      /expected a \.json, \.yaml or \.yml file/,
    );
  });

  it('never throws anything but a ConfigError on random and malformed configs', () => {
    const random = new RandomSource(11);
    const leaves = [0, -1, 1.5, 'x', '', true, null, [], {}, [1, 'a'], { name: 7 }];
    const keys = [
      'dataset',
      'split',
      'model',
      'regularizer',
      'optimizer',
      'schedule',
      'data',
      'training',
      'seed',
      'outDir',
      'name',
      'epochs',
      'kind',
      'path',
      'bogus',
    ];
    const build = (depth: number): unknown => {
      if (depth === 0 || random.bernoulli(0.3)) return random.pick(leaves);
      const object: Record<string, unknown> = {};
      const count = random.int(4);
      for (let i = 0; i < count; i++) object[random.pick(keys)] = build(depth - 1);
      return object;
    };
    for (let trial = 0; trial < 300; trial++) {
      const candidate = random.bernoulli(0.5) ? build(3) : { ...valid, [random.pick(keys)]: build(2) };
      try {
        resolveRunConfig(candidate);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).issues.length).toBeGreaterThan(0);
      }
    }
  });

  it('exports a JSON Schema', () => {
    const schema = runConfigJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['dataset', 'regularizer', 'training']),
    );
    expect(parseRunConfig(valid).seed).toBe(0);
  });

  it('accepts every example config except for the data paths that only exist on a user machine', () => {
    const examples = new URL('../../../examples/', import.meta.url).pathname;
    const files = [
      'nyuv2-jtr',
      'cityscapes-pairwise',
      'taskonomy-jtr',
      'affect-distribution-matching',
      'synthetic-demo',
    ].flatMap((name) =>
      readdirSync(join(examples, name))
        .filter((file) => file.endsWith('.yaml'))
        .map((file) => join(examples, name, file)),
    );
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const config = parseRunConfig(parseConfigText(readFileSync(file, 'utf8'), file));
      try {
        validateRunConfig(config);
      } catch (error) {
        for (const issue of (error as ConfigError).issues)
          expect(issue, file).toMatch(/^(dataset\.path|split\.table): '.*' does not exist$/);
      }
    }
  });
});
