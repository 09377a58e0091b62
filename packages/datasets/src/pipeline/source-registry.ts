// Registry of sample-source factories keyed by a serialisable descriptor `{ kind, options }`, so that a worker
// thread can rebuild the same source its loader reads (style.md §4.5: explicit imports, no registration by side
// effect, an unknown kind throws listing the valid ones). `openSource` attaches the descriptor to the source.
import { LabelMaskTable, type SampleSource } from '@partial-mtl/core';
import { createCityscapesMtanSource } from '../loaders/cityscapes-mtan.js';
import { createNyuv2Source } from '../loaders/nyuv2.js';
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

export type SourceFactory = (options: never) => SampleSource | Promise<SampleSource>;

/** Factories by kind: the synthetic sets and the `.npy` loaders whose samples are read from files. */
export const sourceFactories: Readonly<Record<string, SourceFactory>> = Object.freeze({
  'synthetic-scenes': createSyntheticScenes as SourceFactory,
  'synthetic-affect': createSyntheticAffect as SourceFactory,
  nyuv2: createNyuv2Source as SourceFactory,
  'cityscapes-mtan': createCityscapesMtanSource as SourceFactory,
});

/** A LabelMaskTable that went through structured cloning comes back as a plain object: rebuild it. */
function reviveOptions(options: unknown): unknown {
  if (!options || typeof options !== 'object') return options;
  const mask = (options as { labelMask?: unknown }).labelMask;
  if (mask && typeof mask === 'object' && !(mask instanceof LabelMaskTable)) {
    const { taskNames, flags, rows } = mask as { taskNames?: string[]; flags?: Uint8Array; rows?: number };
    if (Array.isArray(taskNames) && flags instanceof Uint8Array && typeof rows === 'number') {
      return { ...options, labelMask: new LabelMaskTable(taskNames, flags, rows) };
    }
  }
  return options;
}

/** Builds the source a descriptor names and attaches the descriptor; throws listing the valid kinds when unknown. */
export async function openSource(descriptor: SourceDescriptor): Promise<DescribedSampleSource> {
  const factory = sourceFactories[descriptor.kind];
  if (!factory) {
    throw new Error(
      `unknown source kind '${descriptor.kind}' (kinds: ${Object.keys(sourceFactories).join(', ')})`,
    );
  }
  const source = await (factory as (options: unknown) => SampleSource | Promise<SampleSource>)(
    reviveOptions(descriptor.options),
  );
  if ((source as Partial<DescribedSampleSource>).descriptor?.kind === descriptor.kind)
    return source as DescribedSampleSource;
  // Keep the source's own methods and fields (it is the prototype) and add the descriptor.
  return Object.create(source, {
    descriptor: { value: descriptor, enumerable: true },
  }) as DescribedSampleSource;
}

/** The descriptor of a source, if it has one the registry knows. */
export function descriptorOf(source: SampleSource): SourceDescriptor | undefined {
  const descriptor = (source as Partial<DescribedSampleSource>).descriptor;
  if (descriptor && typeof descriptor.kind === 'string' && descriptor.kind in sourceFactories)
    return descriptor;
  return undefined;
}
