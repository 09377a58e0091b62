// Named-variable checkpoints on disk through the folder IOHandler: `saveVariables` / `loadVariables` store any
// name → tensor map plus free JSON (the trainer reuses them for optimizer and regularizer state), and
// `assignVariables` copies loaded tensors into live variables with shape and name checks.

import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  createFolderIOHandler,
  type FolderIOHandlerOptions,
  modelJsonFileName,
} from './folder-io-handler.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface LoadedVariables {
  /** Tensors by name, in saved order. The caller owns (and disposes) them. */
  readonly tensors: Map<string, tf.Tensor>;
  /** The `extraJson` given to saveVariables (null when none). */
  readonly extra: JsonValue;
}

/** Saves named tensors (variables or any tensors) and `extraJson` to the folder `directory`, atomically. */
export async function saveVariables(
  directory: string,
  namedVariables: ReadonlyMap<string, tf.Tensor>,
  extraJson: JsonValue = null,
  options: FolderIOHandlerOptions = {},
): Promise<void> {
  const named = [...namedVariables].map(([name, tensor]) => {
    if (tensor.isDisposed) throw new Error(`saveVariables: '${name}' is disposed`);
    return { name, tensor };
  });
  const { data, specs } = await tf.io.encodeWeights(named);
  await createFolderIOHandler(directory, options).save({
    weightSpecs: specs,
    weightData: data,
    // biome-ignore lint/complexity/noBannedTypes: tf.io.ModelArtifacts types metadata values as {}.
    userDefinedMetadata: { partialMtl: { extra: extraJson } as {} },
  });
}

/** Loads what saveVariables wrote. Errors name the file and the problem (see createFolderIOHandler). */
export async function loadVariables(directory: string): Promise<LoadedVariables> {
  const artifacts = await createFolderIOHandler(directory).load();
  const specs = artifacts.weightSpecs ?? [];
  const decoded = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), specs);
  const tensors = new Map<string, tf.Tensor>(specs.map((spec) => [spec.name, decoded[spec.name]!]));
  const metadata = artifacts.userDefinedMetadata?.partialMtl as { extra?: JsonValue } | undefined;
  return { tensors, extra: metadata?.extra ?? null };
}

export interface AssignVariablesOptions {
  /** Allow tensors in `source` that no variable takes (default false: an architecture mismatch is an error). */
  readonly allowUnused?: boolean;
}

/**
 * Assigns `source` tensors to the `target` variables of the same names. Throws, before assigning anything, on a
 * missing name, a shape or dtype mismatch, or (unless allowed) an unused tensor; `origin` (e.g. the model.json path)
 * prefixes the message. Does not dispose `source`.
 */
export function assignVariables(
  target: ReadonlyMap<string, tf.Variable>,
  source: ReadonlyMap<string, tf.Tensor>,
  origin: string,
  options: AssignVariablesOptions = {},
): void {
  for (const [name, variable] of target) {
    const tensor = source.get(name);
    if (!tensor) throw new Error(`${origin}: variable '${name}' is missing`);
    if (
      tensor.shape.length !== variable.shape.length ||
      tensor.shape.some((size, axis) => size !== variable.shape[axis])
    ) {
      throw new Error(
        `${origin}: variable '${name}' has shape [${tensor.shape.join(', ')}] but [${variable.shape.join(', ')}] is expected`,
      );
    }
    if (tensor.dtype !== variable.dtype)
      throw new Error(
        `${origin}: variable '${name}' has dtype ${tensor.dtype} but ${variable.dtype} is expected`,
      );
  }
  if (!options.allowUnused) {
    const unused = [...source.keys()].filter((name) => !target.has(name));
    if (unused.length > 0)
      throw new Error(
        `${origin}: holds variables the target does not have: ${unused.slice(0, 5).join(', ')}${unused.length > 5 ? ', …' : ''}`,
      );
  }
  for (const [name, variable] of target) variable.assign(source.get(name)!);
}

/** The model.json path of a folder, for messages. */
export function modelJsonPathOf(directory: string): string {
  return join(resolve(directory), modelJsonFileName);
}
