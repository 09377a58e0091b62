// JTR (clean mode) against an independent PyTorch implementation written from jtr.md (reference/jtr_reference.py,
// float64, its output in fixtures/jtr-reference.json): the loss, its three parts per sample, the gradient reaching
// every prediction of both views and every auto-encoder weight, from the same inputs and weights. The reference
// unpools with PyTorch's MaxUnpool2d and indices, where the auto-encoder uses an equality mask (jtr.md §3).

import { type NetworkOutput, RandomSource, type TaskBatch } from '@partial-mtl/core';
import type { UnpoolTies } from '@partial-mtl/models';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJointTaskRegularization } from '../src/index.js';
import { useCpuWithFastConvGradients } from './helpers.js';
import {
  type DenseReferenceGrid,
  denseReferenceSetting,
  readReferenceFixture,
  relativeError,
} from './reference-fixture.js';

beforeAll(useCpuWithFastConvGradients);

interface ReferenceView {
  readonly labels: Record<string, number[]>;
  readonly predictions: Record<string, number[]>;
}

interface ReferenceResult {
  readonly loss: number;
  readonly firstViewDistance: number[];
  readonly secondViewDistance: number[];
  readonly reconstruction: number[];
  /** Per view, per task. */
  readonly predictionGradients: readonly Record<string, number[]>[];
  readonly weightGradients: Record<string, number[]>;
}

interface Reference extends DenseReferenceGrid {
  readonly settings: {
    readonly widthMultiplier: number;
    readonly stages: number;
    readonly distanceWeight: number;
    readonly secondDistanceWeight: number;
    readonly reconstructionWeight: number;
    readonly depthPhi: { readonly mean: number; readonly std: number };
  };
  readonly views: readonly ReferenceView[];
  readonly weights: Record<string, number[]>;
  /** By unpooling rule: 'first' (MaxUnpool2d with indices, the official code), 'all' (jtr.md §3's equality mask). */
  readonly expected: Readonly<Record<UnpoolTies, ReferenceResult>>;
}

const reference = readReferenceFixture<Reference>('jtr-reference.json');

const {
  tasks,
  predictionChannels: channelsOf,
  labelChannels: labelChannelsOf,
  map,
  batch,
} = denseReferenceSetting(reference);

const viewBatch = (view: ReferenceView): TaskBatch =>
  batch(
    Object.fromEntries(
      Object.entries(view.labels).map(([name, values]) => [name, map(values, labelChannelsOf[name]!)]),
    ),
  );

describe('JTR against the PyTorch reference (clean mode, softmax segmentation)', () => {
  it.each(['first', 'all'] as const)(
    'unpoolTies %s: loss, parts and every gradient match reference/jtr_reference.py',
    (unpoolTies) => {
      const expected = reference.expected[unpoolTies];
      const regularizer = createJointTaskRegularization({
        tasks,
        mode: 'clean',
        segmentationPrediction: 'softmax',
        unpoolTies,
        ...reference.settings,
        warn: () => {},
      });
      const named = regularizer.autoEncoder.namedVariables();
      for (const [name, values] of Object.entries(reference.weights)) {
        const variable = named.get(name);
        if (!variable) throw new Error(`fixture weight '${name}' has no auto-encoder variable`);
        variable.assign(tf.tensor(values, variable.shape));
      }
      const views = reference.views.map(viewBatch);
      const predictionVariables = reference.views.map((view, v) =>
        Object.fromEntries(
          Object.entries(view.predictions).map(([name, values]) => [
            name,
            tf.variable(map(values, channelsOf[name]!), true, `reference.${unpoolTies}.view${v + 1}.${name}`),
          ]),
        ),
      );
      const viewOutputs: NetworkOutput[] = predictionVariables.map((predictions) => ({
        predictions,
        features: {},
      }));
      const input = {
        tasks,
        batch: { ...views[0]!, views },
        output: viewOutputs[0]!,
        viewOutputs,
        random: new RandomSource(1),
        step: 0,
        epoch: 0,
      };
      const parts: Record<string, number[]> = {};
      const trainable = [
        ...regularizer.autoEncoder.trainableVariables,
        ...predictionVariables.flatMap((record) => Object.values(record)),
      ];
      const { value, grads } = tf.variableGrads(() => {
        const result = regularizer.loss(input);
        for (const key of ['firstViewDistance', 'secondViewDistance', 'reconstruction'])
          parts[key] = Array.from(result.parts[key]!.dataSync());
        tf.dispose(Object.values(result.parts));
        return result.loss;
      }, trainable);
      // The loss and its mean parts.
      expect(value.dataSync()[0]).toBeCloseTo(expected.loss, 4);
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      expect(parts.firstViewDistance![0]).toBeCloseTo(mean(expected.firstViewDistance), 5);
      expect(parts.secondViewDistance![0]).toBeCloseTo(mean(expected.secondViewDistance), 5);
      expect(parts.reconstruction![0]).toBeCloseTo(mean(expected.reconstruction), 4);
      // Gradients: every prediction of both views (view 2's are all zero: its stacks are detached), every weight.
      for (const [v, gradients] of expected.predictionGradients.entries()) {
        for (const [name, want] of Object.entries(gradients)) {
          const variable = predictionVariables[v]![name]!;
          const gradient = grads[variable.name];
          const actual = gradient ? gradient.dataSync() : new Float32Array(want.length);
          const label = `view ${v + 1} ${name}`;
          if (v === 1) {
            expect(want.every((x) => x === 0)).toBe(true);
            expect(
              Array.from(actual).every((x) => x === 0),
              label,
            ).toBe(true);
          } else expect(relativeError(actual, want), label).toBeLessThan(2e-5);
        }
      }
      for (const [name, want] of Object.entries(expected.weightGradients)) {
        const variable = named.get(name)!;
        expect(relativeError(grads[variable.name]!.dataSync(), want), name).toBeLessThan(2e-5);
      }
      tf.dispose([
        value,
        ...Object.values(grads),
        ...trainable.slice(regularizer.autoEncoder.trainableVariables.length),
      ]);
      tf.dispose(views.flatMap((view) => [view.images, view.labelMask, ...Object.values(view.labels)]));
      regularizer.dispose();
    },
  );
});
