// The small contract every block of this package follows: named variables (stable checkpoint names), the
// trainable ones in creation order, and dispose. Blocks are plain objects built by factory functions.
import type * as tf from '@tensorflow/tfjs';

export interface LayerVariables {
  /** Trainable variables in creation order. */
  readonly trainableVariables: readonly tf.Variable[];
  /** Every variable (trainable and running statistics) by stable name, prefixed with the block's name. */
  namedVariables(): ReadonlyMap<string, tf.Variable>;
  /** Frees every variable of the block. */
  dispose(): void;
}

/** Merges the named variables of several blocks, throwing on a duplicate name. */
export function mergeNamedVariables(blocks: readonly LayerVariables[]): Map<string, tf.Variable> {
  const merged = new Map<string, tf.Variable>();
  for (const block of blocks) {
    for (const [name, variable] of block.namedVariables()) {
      if (merged.has(name)) throw new Error(`duplicate variable name '${name}'`);
      merged.set(name, variable);
    }
  }
  return merged;
}

/** Trainable variables of several blocks, in order. */
export function collectTrainable(blocks: readonly LayerVariables[]): tf.Variable[] {
  return blocks.flatMap((block) => [...block.trainableVariables]);
}

/** Disposes several blocks. */
export function disposeAll(blocks: readonly LayerVariables[]): void {
  for (const block of blocks) block.dispose();
}
