// Saving and restoring a whole multi-task network: its plain-JSON config goes into model.json (under
// userDefinedMetadata.partialMtl.extra.network) and every named variable, running statistics included, into the
// shards; loading rebuilds the architecture from the config and assigns the variables (see variables-io.ts).

import type { MultiTaskNetwork } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { createMultiTaskNetwork, type MultiTaskNetworkOptions, type PartialMtlNetwork } from '../network.js';
import type { FolderIOHandlerOptions } from './folder-io-handler.js';
import {
  assignVariables,
  type JsonValue,
  loadVariables,
  modelJsonPathOf,
  saveVariables,
} from './variables-io.js';

/** Saves `network` (config + every named variable) to the folder `directory`, atomically. */
export async function saveNetwork(
  network: MultiTaskNetwork,
  directory: string,
  options: FolderIOHandlerOptions = {},
): Promise<void> {
  const config = JSON.parse(JSON.stringify(network.config)) as JsonValue;
  await saveVariables(directory, network.namedVariables(), { network: config }, options);
}

/** Rebuilds the network saved in `directory` and restores its variables. The caller disposes the network. */
export async function loadNetwork(directory: string): Promise<PartialMtlNetwork> {
  const origin = modelJsonPathOf(directory);
  const { tensors, extra } = await loadVariables(directory);
  try {
    const config = (extra as { network?: unknown } | null)?.network;
    if (
      typeof config !== 'object' ||
      config === null ||
      typeof (config as { backbone?: unknown }).backbone !== 'string'
    ) {
      throw new Error(
        `${origin}: userDefinedMetadata.partialMtl.extra.network: expected the network config saved by saveNetwork`,
      );
    }
    const network = createMultiTaskNetwork(config as MultiTaskNetworkOptions);
    try {
      assignVariables(network.namedVariables(), tensors, origin);
    } catch (error) {
      network.dispose();
      throw error;
    }
    return network;
  } finally {
    tf.dispose([...tensors.values()]);
  }
}
