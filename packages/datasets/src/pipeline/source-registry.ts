// Registry of sample-source factories keyed by a serialisable descriptor `{ kind, options }`, so that a worker
// thread can rebuild the same source its loader reads (style.md §4.5: explicit imports, no registration by side
// effect, an unknown kind throws listing the valid ones). Sources built by these factories carry their descriptor.
import type { SampleSource } from '@partial-mtl/core';
import { createSyntheticAffect } from '../synthetic/synthetic-affect.js';
import { createSyntheticScenes } from '../synthetic/synthetic-scenes.js';

/** Plain-data description of a sample source: the factory kind and its options (structured-clone safe). */
export interface SourceDescriptor {
  readonly kind: string;
  readonly options: unknown;
}

/** A source that can be rebuilt from its descriptor (in a worker thread, or another process). */
export interface DescribedSampleSource extends SampleSource {
  readonly descriptor: SourceDescriptor;
}

export type SourceFactory = (options: never) => DescribedSampleSource;

/** Factories by kind. */
export const sourceFactories: Readonly<Record<string, SourceFactory>> = Object.freeze({
  'synthetic-scenes': createSyntheticScenes as SourceFactory,
  'synthetic-affect': createSyntheticAffect as SourceFactory,
});

/** Builds the source a descriptor names; throws listing the valid kinds when unknown. */
export function createSourceFromDescriptor(descriptor: SourceDescriptor): DescribedSampleSource {
  const factory = sourceFactories[descriptor.kind];
  if (!factory) {
    throw new Error(`unknown source kind '${descriptor.kind}' (kinds: ${Object.keys(sourceFactories).join(', ')})`);
  }
  return (factory as (options: unknown) => DescribedSampleSource)(descriptor.options);
}

/** The descriptor of a source, if it has a usable one. */
export function descriptorOf(source: SampleSource): SourceDescriptor | undefined {
  const descriptor = (source as Partial<DescribedSampleSource>).descriptor;
  if (descriptor && typeof descriptor.kind === 'string' && descriptor.kind in sourceFactories) return descriptor;
  return undefined;
}
