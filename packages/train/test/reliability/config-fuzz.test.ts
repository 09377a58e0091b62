// Config and CLI fuzzing. In process: 600 seeded mutations of a valid config (wrong types, missing fields, unknown
// keys, huge and negative numbers, wrong nesting) must either validate or throw a ConfigError whose issue names the
// mutated field; 200 malformed texts (broken YAML/JSON, custom tags such as !!js/function, alias bombs) must throw
// a ConfigError and run nothing. In child processes: the CLI answers a handful with exit 2 and no stack trace.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RandomSource } from '@partial-mtl/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfigText, resolveRunConfig } from '../../src/config-load.js';
import { ConfigError } from '../../src/config-schema.js';
import { bundleChild, killAllChildren, startChild } from './child-process.js';

const counts = { mutations: 0, skipped: 0, rejected: 0, texts: 0, cli: 0 };

const base = {
  seed: 1,
  outDir: 'runs/fuzz',
  dataset: { name: 'synthetic-scenes', options: { height: 16, width: 16 } },
  split: { scenario: 'onelabel', seed: 3 },
  model: { backbone: 'segnet', widthMultiplier: 0.25 },
  regularizer: { name: 'jtr', options: {} },
  optimizer: { kind: 'adam', learningRate: 0.001 },
  schedule: { kind: 'step', stepSize: 10, gamma: 0.5 },
  data: { batchSize: 4, workers: 0, augment: true },
  training: { epochs: 2, checkpointEverySteps: 5, evaluateEvery: { unit: 'epoch', every: 1 } },
};

/** Dotted paths of every leaf and object of the base config. */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  const own = prefix.length > 0 ? [prefix] : [];
  return [...own, ...Object.entries(value).flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
}

function withValue(root: unknown, path: readonly string[], value: unknown, remove = false): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (remove) delete node[last];
  else node[last] = value;
  return copy;
}

/** Values that are wrong for every field of the schema (each field has one type: these cover the others). */
function wrongValuesFor(current: unknown): unknown[] {
  if (typeof current === 'number')
    return ['7', true, null, [], { value: 1 }, -1e308, 1e308, -3, 0.5, Number.NaN];
  if (typeof current === 'string') return [7, true, null, [current], { name: current }, ''];
  if (typeof current === 'boolean') return ['true', 1, null, []];
  return ['object expected', 12, [current], null, true];
}

function expectConfigErrorNaming(action: () => unknown, field: string): boolean {
  try {
    action();
    return false;
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.length).toBeGreaterThan(0);
    // Each issue starts with a field path (or the file name) and a colon; one of them names the mutated field.
    for (const issue of issues) expect(issue).toMatch(/^[^\s:]+: /);
    expect(
      issues.some((issue) => issue.startsWith(`${field}:`) || issue.startsWith(`${field}.`)),
      `${field} in\n${issues.join('\n')}`,
    ).toBe(true);
    return true;
  }
}

afterAll(() => {
  killAllChildren();
  console.log(
    `config fuzz: ${counts.mutations - counts.skipped} mutated configs checked (${counts.rejected} rejected, ${counts.skipped} free-form draws skipped), ${counts.texts} malformed texts, ${counts.cli} CLI runs`,
  );
});

describe('config fuzzing in process', () => {
  it('accepts the base config', () => {
    expect(resolveRunConfig(base).training.epochs).toBe(2);
  });

  it('names the mutated field for 600 seeded mutations: wrong types, huge/negative numbers, nesting, removals, unknown keys', () => {
    const random = new RandomSource(20261122);
    const paths = pathsOf(base);
    const required = new Set(['dataset', 'dataset.name']);
    for (let trial = 0; trial < 600; trial++) {
      const path = random.pick(paths);
      const field = path.join('.');
      const current = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], base);
      const mode = random.int(4);
      counts.mutations += 1;
      if (mode === 0) {
        // Unknown key beside the field (or at the root for top-level fields).
        const parentPath =
          typeof current === 'object' && current !== null && !Array.isArray(current)
            ? path
            : path.slice(0, -1);
        if (parentPath.some((key) => key === 'options' || key === 'backboneOptions')) {
          counts.skipped += 1; // free-form records: any key is legal
          continue;
        }
        const key = `bogus${random.int(1000)}`;
        const mutated = withValue(base, [...parentPath, key], random.pick([1, 'x', {}]));
        const named = parentPath.length > 0 ? `${parentPath.join('.')}.${key}` : key;
        if (expectConfigErrorNaming(() => resolveRunConfig(mutated), named)) counts.rejected += 1;
        else throw new Error(`unknown key ${named} was accepted`);
      } else if (mode === 1) {
        // A field removed: defaults fill it, except where it is required.
        const mutated = withValue(base, path, undefined, true);
        if (required.has(field)) {
          expect(expectConfigErrorNaming(() => resolveRunConfig(mutated), field)).toBe(true);
          counts.rejected += 1;
        } else {
          try {
            resolveRunConfig(mutated);
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigError);
            counts.rejected += 1;
          }
        }
      } else {
        // A value of the wrong type, a huge, negative or fractional number, or the field nested one level too deep.
        if (path.some((key) => key === 'options' || key === 'backboneOptions')) {
          counts.skipped += 1; // free-form records: any value is legal
          continue;
        }
        const value =
          mode === 2 ? random.pick(wrongValuesFor(current)) : { [path[path.length - 1]!]: current };
        const mutated = withValue(base, path, value);
        let accepted = false;
        try {
          resolveRunConfig(mutated);
          accepted = true;
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(ConfigError);
          counts.rejected += 1;
          const issues = (error as ConfigError).issues;
          expect(
            issues.some((issue) => issue.startsWith(`${field}`) || issue.startsWith(path[0]!)),
            `${field} in\n${issues.join('\n')}`,
          ).toBe(true);
        }
        // Only numbers that still satisfy the field's range (e.g. a huge seed or epoch count) may pass.
        if (accepted) expect(typeof value, `${field} = ${JSON.stringify(value)} was accepted`).toBe('number');
      }
    }
    expect(counts.rejected).toBeGreaterThan(400);
  });

  it('rejects 200 malformed texts with a ConfigError and runs no code from custom tags', () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'yaml-marker-')), 'pwned');
    (globalThis as { __fuzzMarker?: string }).__fuzzMarker = marker;
    const attacks = [
      `dataset: !!js/function "function () { require('fs').writeFileSync('${marker}', 'x') }"`,
      `dataset: !!js/eval "require('fs').writeFileSync('${marker}', 'x')"`,
      `dataset: !!python/object/apply:os.system ["touch ${marker}"]`,
      `dataset: !<tag:yaml.org,2002:js/function> "x"`,
      '!!js/undefined dataset: x',
      'dataset: &a [*a]',
      `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]`,
      'dataset:\n  name: synthetic-scenes\n   bad-indent: 1',
      'dataset: {name: synthetic-scenes',
      'dataset: [1, 2',
      '- just\n- a\n- list',
      '"just a string"',
      '42',
      '',
      'training:\n  epochs: 1\ntraining:\n  epochs: 2',
      '\t- tab: indented',
      `${'['.repeat(2000)}${']'.repeat(2000)}`,
      'dataset: \u0000binary',
    ];
    const random = new RandomSource(77);
    const yamlTexts = [...attacks];
    while (yamlTexts.length < 150) {
      // Random byte-level corruption of a valid YAML document.
      const valid = 'dataset:\n  name: synthetic-scenes\nregularizer:\n  name: jtr\ntraining:\n  epochs: 2\n';
      const chars = [...valid];
      for (let edit = 0; edit < 1 + random.int(4); edit++)
        chars.splice(
          random.int(chars.length),
          random.int(3),
          random.pick([
            '{',
            '[',
            ':',
            '!',
            '&',
            '*',
            '\t',
            '"',
            "'",
            '|',
            '>',
            '%',
            '@',
            '`',
            '!!js/function ',
            '\n  ',
          ]),
        );
      yamlTexts.push(chars.join(''));
    }
    const jsonTexts = [
      '{',
      '{"dataset": }',
      '[]',
      'null',
      '{"dataset": {"name": "synthetic-scenes"}} trailing',
      '{"__proto__": {"polluted": true}, "dataset": {"name": "synthetic-scenes"}, "training": {"epochs": 1}}',
    ];
    while (jsonTexts.length < 50) jsonTexts.push(JSON.stringify(base).slice(0, 1 + random.int(200)));
    for (const [texts, file] of [
      [yamlTexts, 'fuzz.yaml'],
      [jsonTexts, 'fuzz.json'],
    ] as const) {
      for (const text of texts) {
        counts.texts += 1;
        try {
          resolveRunConfig(parseConfigText(text, file));
        } catch (error) {
          expect(error, `${text.slice(0, 80)}: ${String(error)}`).toBeInstanceOf(ConfigError);
          // Each issue names where it is (a field path, possibly the user's odd key, or the file) before a colon.
          for (const issue of (error as ConfigError).issues) expect(issue).toMatch(/^[^\n]+?: \S/);
          continue;
        }
        throw new Error(`accepted malformed config text: ${text.slice(0, 120)}`);
      }
    }
    expect(existsSync(marker)).toBe(false);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('CLI argument fuzzing in process', () => {
  it('300 random command lines end with exit code 0, 1 or 2 and a message, never an exception or stack trace', async () => {
    const { main } = await import('../../src/cli.js');
    const blocker = join(mkdtempSync(join(tmpdir(), 'cli-args-')), 'a-file');
    writeFileSync(blocker, 'not a directory');
    const random = new RandomSource(4242);
    // Only paths under a regular file: nothing can be read from or created there, so no run ever starts.
    const path = () =>
      join(blocker, random.pick(['run', 'config.yaml', 'config.json', 'split.pth', 'x.toml']));
    const commands = ['train', 'eval', 'report', 'splits', 'trian', '', '--version', '-x', 'help'];
    const flags = [
      '--config',
      '--resume',
      '--out',
      '--backend',
      '--progress',
      '--bogus',
      '-c',
      '--',
      '--config=',
      '--backend=gpu9',
      '--progress=fast',
      'show',
      'positional',
    ];
    const values = () =>
      random.pick([
        path(),
        '',
        'cpu',
        'auto',
        'tensorflow-gpu',
        'none',
        '-1',
        '--help',
        '\u0000',
        'a'.repeat(300),
      ]);
    const codes = new Map<number, number>();
    for (let trial = 0; trial < 300; trial++) {
      const argv = [random.pick(commands)];
      for (let count = random.int(5); count > 0; count--) {
        argv.push(random.pick(flags));
        if (random.bernoulli(0.7)) argv.push(values());
      }
      if (random.bernoulli(0.05)) argv.push('--help');
      const output: string[] = [];
      const code = await main(argv, {
        print: (text) => output.push(text),
        error: (text) => output.push(text),
      });
      counts.cli += 1;
      codes.set(code, (codes.get(code) ?? 0) + 1);
      expect([0, 1, 2], argv.join(' ')).toContain(code);
      const text = output.join('\n');
      expect(text.length, argv.join(' ')).toBeGreaterThan(0);
      expect(text, argv.join(' ')).not.toMatch(/\n\s+at /);
    }
    expect(codes.get(2)).toBeGreaterThan(100);
  }, 60_000);
});

describe('the CLI on bad configs (child processes)', () => {
  it('exits 2 with the field named and no stack trace', async () => {
    const cli = bundleChild('src/cli.ts', 'cli', { allPackagesExternal: true });
    const directory = mkdtempSync(join(tmpdir(), 'cli-fuzz-'));
    const marker = join(directory, 'pwned');
    const cases: { name: string; text: string; expect: RegExp }[] = [
      {
        name: 'tag.yaml',
        text: `dataset: !!js/function "function () { require('fs').writeFileSync('${marker}', '') }"\n`,
        expect: /fuzz\/tag\.yaml|tag\.yaml: not valid YAML/,
      },
      {
        name: 'syntax.yaml',
        text: 'dataset: {name: synthetic-scenes\n',
        expect: /syntax\.yaml: not valid YAML/,
      },
      {
        name: 'types.yaml',
        text: 'dataset:\n  name: synthetic-scenes\ntraining:\n  epochs: -3\ndata:\n  batchSize: huge\n',
        expect: /training\.epochs: [\s\S]*data\.batchSize: |data\.batchSize: [\s\S]*training\.epochs: /,
      },
      {
        name: 'unknown.json',
        text: JSON.stringify({ ...base, outDir: join(directory, 'run'), extra: { nested: true } }),
        expect: /extra: unknown field/,
      },
      {
        name: 'nesting.json',
        text: JSON.stringify({
          ...base,
          outDir: join(directory, 'run'),
          training: { training: { epochs: 2 } },
        }),
        expect: /training\.training: unknown field/,
      },
    ];
    const runs = cases.map(async (testCase) => {
      const path = join(directory, testCase.name);
      writeFileSync(path, testCase.text);
      const run = startChild(process.execPath, [
        cli,
        'train',
        '--config',
        path,
        '--progress',
        'none',
        '--backend',
        'cpu',
      ]);
      const exit = await run.exited;
      return { testCase, exit, stderr: run.stderr() };
    });
    for (const { testCase, exit, stderr } of await Promise.all(runs)) {
      counts.cli += 1;
      expect(exit.code, `${testCase.name}: ${stderr}`).toBe(2);
      expect(stderr, testCase.name).toMatch(testCase.expect);
      expect(stderr, testCase.name).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(directory, 'run'))).toBe(false);
    rmSync(cli, { force: true });
  }, 90_000);
});
