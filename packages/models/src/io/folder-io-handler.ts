// A TensorFlow.js IOHandler that saves to and loads from a folder on disk without @tensorflow/tfjs-node (whose
// `file://` handler is the only built-in one for Node): `model.json` (tfjs ModelJSON layout + our per-shard byte
// lengths and SHA-256 digests) and `.bin` weight shards. Writes are crash-safe: every file is written and fsynced (core's
// writeFileAtomic) into a temporary sibling folder, which is then renamed to the target. Replacing an existing folder
// takes two renames (old → `.<name>.tmp-….old`, new → name); a crash between them leaves no folder at the target and
// the previous version in that `.old` sibling, which load errors then point to.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fsyncDirectory, temporaryPathFor, writeFileAtomic } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';

export const modelJsonFileName = 'model.json';
export const folderFormat = 'partial-mtl-folder';

export interface FolderIOHandlerOptions {
  /** Maximum bytes per `.bin` shard (default 4 MiB, as tfjs). */
  readonly shardSizeBytes?: number;
}

export const folderIOHandlerDefaults = { shardSizeBytes: 4 * 1024 * 1024 } as const;

/** model.json as written by this handler. */
export interface FolderModelJson {
  readonly format: string;
  readonly generatedBy: string;
  readonly convertedBy: null;
  // biome-ignore lint/complexity/noBannedTypes: mirrors tf.io.ModelArtifacts, which types topologies as {}.
  readonly modelTopology: {} | null;
  readonly weightsManifest: readonly {
    readonly paths: readonly string[];
    readonly weights: readonly tf.io.WeightsManifestEntry[];
    /** Byte length of each shard, in `paths` order (our addition; tfjs readers ignore it). */
    readonly shardByteLengths: readonly number[];
    /** SHA-256 (hex) of each shard, in `paths` order (our addition; absent in folders written before it). */
    readonly shardSha256?: readonly string[];
  }[];
  readonly userDefinedMetadata?: Record<string, unknown>;
}

const safeShardName = /^[A-Za-z0-9_.-]+\.bin$/;
const sha256Hex = /^[0-9a-f]{64}$/;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function splitIntoShards(data: ArrayBuffer, shardSize: number): Uint8Array[] {
  const bytes = new Uint8Array(data);
  if (bytes.length === 0) return [];
  const shards: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += shardSize)
    shards.push(bytes.subarray(offset, Math.min(offset + shardSize, bytes.length)));
  return shards;
}

/** Writes `files` (name → contents) as the folder `directory`, atomically as described in the header. */
export function writeFolderAtomic(directory: string, files: ReadonlyMap<string, string | Uint8Array>): void {
  const target = resolve(directory);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  if (existsSync(target) && !statSync(target).isDirectory())
    throw new Error(`${target}: exists and is not a folder`);
  const temporary = temporaryPathFor(target);
  mkdirSync(temporary);
  try {
    for (const [name, contents] of files) writeFileAtomic(join(temporary, name), contents);
    if (existsSync(target)) {
      const previous = `${temporaryPathFor(target)}.old`;
      renameSync(target, previous);
      renameSync(temporary, target);
      fsyncDirectory(parent);
      rmSync(previous, { recursive: true, force: true });
    } else {
      renameSync(temporary, target);
    }
    fsyncDirectory(parent);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
}

function fail(path: string, message: string): never {
  throw new Error(`${path}: ${message}`);
}

function describeMissingFolder(target: string): string {
  const parent = dirname(target);
  const prefix = `.${basename(target)}.tmp-`;
  const leftovers = existsSync(parent)
    ? readdirSync(parent).filter((name) => name.startsWith(prefix) && name.endsWith('.old'))
    : [];
  const hint =
    leftovers.length > 0
      ? `; an interrupted save left the previous version in ${leftovers.map((name) => join(parent, name)).join(', ')}`
      : '';
  return `no saved folder at ${target}${hint}`;
}

/** Reads and checks `model.json` of a folder; errors name the file and the field. */
export function readFolderModelJson(directory: string): FolderModelJson {
  const target = resolve(directory);
  if (!existsSync(target)) throw new Error(describeMissingFolder(target));
  const path = join(target, modelJsonFileName);
  if (!existsSync(path)) fail(path, 'missing (not a saved model folder)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail(path, `not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    fail(path, 'expected a JSON object');
  const manifest = (parsed as { weightsManifest?: unknown }).weightsManifest;
  if (!Array.isArray(manifest)) fail(path, 'weightsManifest: expected an array of { paths, weights }');
  manifest.forEach((group: unknown, index) => {
    const field = `weightsManifest[${index}]`;
    const { paths, weights, shardByteLengths, shardSha256 } = (group ?? {}) as Record<string, unknown>;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && safeShardName.test(p))) {
      fail(path, `${field}.paths: expected shard file names like 'group1-shard1of1.bin'`);
    }
    if (!Array.isArray(weights)) fail(path, `${field}.weights: expected an array`);
    weights.forEach((entry: unknown, entryIndex) => {
      const { name, shape, dtype } = (entry ?? {}) as Record<string, unknown>;
      if (
        typeof name !== 'string' ||
        !Array.isArray(shape) ||
        !shape.every((size) => Number.isInteger(size) && size >= 0) ||
        typeof dtype !== 'string'
      ) {
        fail(path, `${field}.weights[${entryIndex}]: expected { name, shape, dtype }`);
      }
    });
    if (
      shardByteLengths !== undefined &&
      (!Array.isArray(shardByteLengths) || shardByteLengths.length !== paths.length)
    ) {
      fail(path, `${field}.shardByteLengths: expected one byte length per path`);
    }
    if (
      shardSha256 !== undefined &&
      (!Array.isArray(shardSha256) ||
        shardSha256.length !== paths.length ||
        !shardSha256.every((digest) => typeof digest === 'string' && sha256Hex.test(digest)))
    ) {
      fail(path, `${field}.shardSha256: expected one lowercase hex SHA-256 per path`);
    }
  });
  return parsed as FolderModelJson;
}

const bytesPerElement: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/**
 * An IOHandler for `directory`: `save` writes model.json + shards atomically, `load` reads them back with
 * checks (missing shard, wrong shard length or SHA-256, weights larger than the shards). Usable with `tf.LayersModel.save`.
 */
export interface FolderIOHandler extends tf.io.IOHandler {
  save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult>;
  load(): Promise<tf.io.ModelArtifacts>;
}

export function createFolderIOHandler(
  directory: string,
  options: FolderIOHandlerOptions = {},
): FolderIOHandler {
  const shardSize = options.shardSizeBytes ?? folderIOHandlerDefaults.shardSizeBytes;
  if (!Number.isInteger(shardSize) || shardSize < 4)
    throw new Error(`folderIOHandler.shardSizeBytes: expected an integer ≥ 4, got ${shardSize}`);
  const target = resolve(directory);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer)
        throw new Error(`${target}: binary (GraphDef) model topologies are not supported`);
      const data =
        artifacts.weightData === undefined
          ? new ArrayBuffer(0)
          : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const shards = splitIntoShards(data, shardSize);
      const paths = shards.map((_, index) => `group1-shard${index + 1}of${shards.length}.bin`);
      const modelJson: FolderModelJson = {
        format: artifacts.format ?? folderFormat,
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-core v${tf.version_core}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology ?? null,
        weightsManifest: [
          {
            paths,
            weights: artifacts.weightSpecs ?? [],
            shardByteLengths: shards.map((shard) => shard.length),
            shardSha256: shards.map(sha256),
          },
        ],
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      const files = new Map<string, string | Uint8Array>(
        shards.map((shard, index) => [paths[index]!, shard]),
      );
      files.set(modelJsonFileName, JSON.stringify(modelJson, null, 1));
      writeFolderAtomic(target, files);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: modelJson.modelTopology ? JSON.stringify(modelJson.modelTopology).length : 0,
          weightSpecsBytes: JSON.stringify(modelJson.weightsManifest[0]!.weights).length,
          weightDataBytes: data.byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = readFolderModelJson(target);
      const modelJsonPath = join(target, modelJsonFileName);
      const buffers: ArrayBuffer[] = [];
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      for (const group of modelJson.weightsManifest) {
        group.paths.forEach((shardName, index) => {
          const shardPath = join(target, shardName);
          if (!existsSync(shardPath)) fail(shardPath, 'weight shard listed in model.json is missing');
          const bytes = readFileSync(shardPath);
          const expected = group.shardByteLengths?.[index];
          if (expected !== undefined && bytes.length !== expected) {
            fail(
              shardPath,
              `expected ${expected} bytes (model.json shardByteLengths), found ${bytes.length}: the shard is truncated or corrupt`,
            );
          }
          const digest = group.shardSha256?.[index];
          if (digest !== undefined && sha256(bytes) !== digest) {
            fail(shardPath, 'SHA-256 differs from model.json shardSha256: the shard is corrupt');
          }
          buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
        });
        weightSpecs.push(...group.weights);
      }
      const available = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
      let needed = 0;
      for (const spec of weightSpecs) {
        const perElement = bytesPerElement[spec.dtype];
        if (perElement === undefined || spec.quantization)
          fail(
            modelJsonPath,
            `weight '${spec.name}': unsupported dtype '${spec.dtype}'${spec.quantization ? ' (quantized)' : ''}`,
          );
        needed += spec.shape.reduce((product, size) => product * size, 1) * perElement;
      }
      if (needed !== available)
        fail(modelJsonPath, `the weights listed need ${needed} bytes but the shards hold ${available}`);
      return {
        modelTopology: modelJson.modelTopology ?? undefined,
        weightSpecs,
        weightData: tf.io.CompositeArrayBuffer.join(buffers),
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: null,
        ...(modelJson.userDefinedMetadata
          ? // biome-ignore lint/complexity/noBannedTypes: tf.io.ModelArtifacts types metadata values as {}.
            { userDefinedMetadata: modelJson.userDefinedMetadata as Record<string, {}> }
          : {}),
      };
    },
  };
}
