// Backbones by name: a typed record of factories built from explicit imports (no registration by side effect).
// An unknown name throws and lists the valid ones.
import type { RandomSource } from '@partial-mtl/core';
import type { Backbone } from './backbones/backbone.js';
import { createResNet, type ResNetDepth } from './backbones/resnet.js';
import { createSegNet } from './backbones/segnet.js';
import { createSmallCnn } from './backbones/small-cnn.js';

/** Options every registered backbone accepts; `extra` carries backbone-specific plain-JSON options. */
export interface BackboneFactoryOptions {
  readonly inChannels: number;
  readonly widthMultiplier: number;
  readonly random: RandomSource;
  readonly name?: string;
  /** Backbone-specific options, e.g. `{ outputStride: 16 }` for ResNets, `{ stages: 3 }` for SegNet or the small CNN. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export type BackboneFactory = (options: BackboneFactoryOptions) => Backbone;

/** Backbone-specific options each entry accepts in `extra`; anything else is an error. */
export const backboneExtraOptions = {
  segnet: ['unpoolTies', 'stages'],
  resnet18: ['outputStride', 'decoderChannels'],
  resnet34: ['outputStride', 'decoderChannels'],
  resnet50: ['outputStride', 'decoderChannels'],
  'small-cnn': ['stages'],
} as const;

function extraOf(
  backbone: keyof typeof backboneExtraOptions,
  options: BackboneFactoryOptions,
): Record<string, unknown> {
  const extra = options.extra ?? {};
  const allowed: readonly string[] = backboneExtraOptions[backbone];
  for (const key of Object.keys(extra)) {
    if (!allowed.includes(key)) {
      throw new Error(
        `backboneOptions.${key}: not an option of ${backbone} (valid: ${allowed.join(', ') || 'none'})`,
      );
    }
  }
  return extra;
}

function resnetFactory(depth: ResNetDepth): BackboneFactory {
  return (options) => createResNet({ ...options, ...extraOf(`resnet${depth}`, options), depth });
}

export const backboneRegistry = {
  segnet: (options) => createSegNet({ ...options, ...extraOf('segnet', options) }),
  resnet18: resnetFactory(18),
  resnet34: resnetFactory(34),
  resnet50: resnetFactory(50),
  'small-cnn': (options) => createSmallCnn({ ...options, ...extraOf('small-cnn', options) }),
} as const satisfies Record<string, BackboneFactory>;

export type BackboneName = keyof typeof backboneRegistry;

export const backboneNames = Object.keys(backboneRegistry) as BackboneName[];

/** The factory of a backbone name; throws listing the valid names. */
export function backboneFactory(name: string): BackboneFactory {
  if (!Object.hasOwn(backboneRegistry, name)) {
    throw new Error(`unknown backbone '${name}' (expected one of: ${backboneNames.join(', ')})`);
  }
  return backboneRegistry[name as BackboneName];
}
