// The backbone contract shared by SegNet, ResNet and the small CNN: images in, the bottleneck (deepest encoder
// feature) and the shared feature the task heads read (a dense map [B, H, W, F] or a vector [B, F]) out.
import type * as tf from '@tensorflow/tfjs';
import type { LayerVariables } from '../layers/layer.js';

export interface BackboneOutput {
  /** Deepest encoder feature (the pairwise-consistency anchor), [B, h, w, C]. */
  readonly bottleneck: tf.Tensor4D;
  /** Final shared feature: [B, H, W, F] for dense backbones, [B, F] for the small CNN. */
  readonly shared: tf.Tensor;
}

export interface Backbone extends LayerVariables {
  /** Registry name ('segnet', 'resnet18', ...). */
  readonly kind: string;
  /** 'map' when `shared` is [B, H, W, F] at input resolution, 'vector' when it is [B, F]. */
  readonly sharedLayout: 'map' | 'vector';
  /** F, the channels of `shared`. */
  readonly sharedChannels: number;
  /** Channels of `bottleneck`. */
  readonly bottleneckChannels: number;
  /** Input height and width must be multiples of this. */
  readonly inputMultiple: number;
  /** Runs the backbone; the returned tensors are new and owned by the caller. */
  apply(images: tf.Tensor4D, training: boolean): BackboneOutput;
}

/** Common options of every backbone factory. */
export interface BackboneOptions {
  /** Channels of the input images (3 for RGB; JTR's auto-encoder passes the stacked task channels). */
  readonly inChannels?: number;
  /** Scales every channel count (default 1). */
  readonly widthMultiplier?: number;
  /** Prefix of the variable names (default 'backbone'). */
  readonly name?: string;
}

/** Throws unless images are [B, H, W, inChannels] with H, W multiples of `multiple`. */
export function checkImages(images: tf.Tensor, inChannels: number, multiple: number, backbone: string): void {
  const [, height = 0, width = 0, channels] = images.shape;
  if (images.rank !== 4 || channels !== inChannels) {
    throw new Error(
      `${backbone}: expected images [B, H, W, ${inChannels}], got [${images.shape.join(', ')}]`,
    );
  }
  if (height % multiple !== 0 || width % multiple !== 0 || height === 0 || width === 0) {
    throw new Error(
      `${backbone}: image height and width must be positive multiples of ${multiple}, got ${height}×${width}`,
    );
  }
}

/** Checks a width multiplier. */
export function checkWidthMultiplier(value: number, backbone: string): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new Error(`${backbone}.widthMultiplier: expected a positive number, got ${value}`);
  return value;
}
