// Reading a run config from a .json/.yaml/.yml file and checking it completely before any training starts:
// schema (zod), names against the registries (dataset, backbone, regularizer), and paths (data root, split table).
// YAML is parsed with the core schema only (no custom tags, no code execution).
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { backboneNames } from '@partial-mtl/models';
import {
  isRegularizerName,
  type RegularizerName,
  regularizerNames,
  regularizerOptionNames,
} from '@partial-mtl/regularizers';
import { parseDocument } from 'yaml';
import { ConfigError, parseRunConfig, type RunConfig } from './config-schema.js';
import { datasetNames, datasetNeedsPath } from './dataset-sources.js';

/** Parses config text by file extension ('.json', '.yaml', '.yml'). */
export function parseConfigText(text: string, fileName: string): unknown {
  const extension = extname(fileName).toLowerCase();
  if (extension === '.json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ConfigError([`${fileName}: not valid JSON (${(error as Error).message})`]);
    }
  }
  if (extension === '.yaml' || extension === '.yml') {
    const document = parseDocument(text, {
      schema: 'core',
      customTags: [],
      merge: false,
      prettyErrors: true,
    });
    const problems = [...document.errors, ...document.warnings].map(
      (issue) => issue.message.split('\n')[0] ?? issue.code,
    );
    if (problems.length > 0)
      throw new ConfigError(problems.map((problem) => `${fileName}: not valid YAML (${problem})`));
    try {
      return document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      throw new ConfigError([`${fileName}: not valid YAML (${(error as Error).message.split('\n')[0]})`]);
    }
  }
  throw new ConfigError([`${fileName}: expected a .json, .yaml or .yml file`]);
}

/** What validation may take as given. */
export interface ValidationContext {
  /** The caller brings its own sample sources (`train(config, { sources })`): any data set name is a label. */
  readonly ownSources?: boolean;
}

/** Problems with `dataset.name` and `dataset.path` (a named data set, opened by this package). */
function datasetProblems(config: RunConfig): string[] {
  if (!datasetNames.includes(config.dataset.name)) {
    return [
      `dataset.name: unknown dataset '${config.dataset.name}' (expected one of: ${datasetNames.join(', ')}; or pass your own sources to train())`,
    ];
  }
  if (!datasetNeedsPath(config.dataset.name)) return [];
  if (!config.dataset.path) return [`dataset.path: required for dataset '${config.dataset.name}'`];
  if (!existsSync(config.dataset.path)) return [`dataset.path: '${config.dataset.path}' does not exist`];
  return [];
}

/** Keys of `regularizer.options` the named regularizer does not read (a misspelt key would otherwise do nothing). */
function regularizerOptionProblems(
  name: RegularizerName,
  options: Readonly<Record<string, unknown>>,
): string[] {
  const known = regularizerOptionNames(name);
  return Object.keys(options)
    .filter((key) => !known.includes(key))
    .map(
      (key) =>
        `regularizer.options.${key}: not an option of '${name}' (${known.length > 0 ? `expected one of: ${known.join(', ')}` : 'it takes none'})`,
    );
}

/** Checks the names and paths the schema cannot; throws a ConfigError listing every problem. */
export function validateRunConfig(config: RunConfig, context: ValidationContext = {}): RunConfig {
  // With the caller's own sources, dataset.name only labels the run and dataset.path is not opened.
  const problems: string[] = context.ownSources ? [] : datasetProblems(config);
  if (config.split.table && !existsSync(config.split.table)) {
    problems.push(`split.table: '${config.split.table}' does not exist`);
  }
  if (!(backboneNames as readonly string[]).includes(config.model.backbone)) {
    problems.push(
      `model.backbone: unknown backbone '${config.model.backbone}' (expected one of: ${backboneNames.join(', ')})`,
    );
  }
  if (!isRegularizerName(config.regularizer.name)) {
    problems.push(
      `regularizer.name: unknown regularizer '${config.regularizer.name}' (expected one of: ${regularizerNames.join(', ')})`,
    );
  } else {
    problems.push(...regularizerOptionProblems(config.regularizer.name, config.regularizer.options));
  }
  if (config.training.epochs === undefined && config.training.maxSteps === undefined) {
    problems.push('training: set epochs or maxSteps');
  }
  if (config.diagnostics.hiddenLabelAlignment && config.split.scenario === 'full' && !config.split.table) {
    problems.push(
      "diagnostics.hiddenLabelAlignment: the split hides no labels (split.scenario 'full'); use a partial scenario or a split table",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Parses and validates a config object (already read from a file or built in code). */
export function resolveRunConfig(value: unknown, context: ValidationContext = {}): RunConfig {
  return validateRunConfig(parseRunConfig(value), context);
}

/** Reads, parses and validates a config file. */
export function loadRunConfig(path: string): RunConfig {
  if (!existsSync(path)) throw new ConfigError([`--config: file '${path}' does not exist`]);
  return resolveRunConfig(parseConfigText(readFileSync(path, 'utf8'), path));
}
