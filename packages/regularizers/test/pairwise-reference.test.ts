// Pairwise consistency against an independent PyTorch implementation written from pairwise.md
// (reference/pairwise_reference.py, float64, its output in fixtures/pairwise-reference.json): the loss, its logged
// parts, the gradient reaching every view-1 prediction and the anchor f, and every mapping-network weight (stems,
// convs, BN affine, FiLM tables), from the same inputs and weights, in faithful mode (per sample and pair, batch 1)
// and clean mode (one call per pair over its samples). Segmentation enters as the softmax (no Gumbel draw).

import { type NetworkOutput, RandomSource } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPairwiseConsistency } from '../src/index.js';
import { useCpuWithFastConvGradients } from './helpers.js';
import {
  type DenseReferenceGrid,
  denseReferenceSetting,
  readReferenceFixture,
  relativeError,
} from './reference-fixture.js';

beforeAll(useCpuWithFastConvGradients);

interface ReferenceResult {
  readonly loss: number;
  readonly parts: {
    readonly consistency: number;
    readonly pairs: number;
    readonly anchorSimilarity: number;
    readonly mappedSimilarity: number;
  };
  readonly predictionGradients: Record<string, number[]>;
  readonly anchorGradient: number[];
  readonly weightGradients: Record<string, number[]>;
}

interface Reference extends DenseReferenceGrid {
  readonly anchorShape: [number, number, number, number];
  readonly settings: {
    readonly widthMultiplier: number;
    readonly stages: number;
    readonly consistencyWeight: number;
    readonly anchorWeight: number;
  };
  readonly labels: Record<string, number[]>;
  readonly predictions: Record<string, number[]>;
  readonly anchor: number[];
  readonly weights: Record<string, number[]>;
  readonly expected: Readonly<Record<'faithful' | 'clean', ReferenceResult>>;
}

const reference = readReferenceFixture<Reference>('pairwise-reference.json');

const {
  tasks,
  predictionChannels: channelsOf,
  labelChannels: labelChannelsOf,
  map,
  batch: batchOf,
} = denseReferenceSetting(reference);

const scalarError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

describe('pairwise consistency against the PyTorch reference (softmax segmentation)', () => {
  it.each(['faithful', 'clean'] as const)(
    'mode %s: loss, parts and every gradient match reference/pairwise_reference.py',
    (mode) => {
      const expected = reference.expected[mode];
      const warnings: string[] = [];
      const regularizer = createPairwiseConsistency({
        tasks,
        mode,
        segmentationPrediction: 'softmax',
        ...reference.settings,
        warn: (message) => warnings.push(message),
      });
      // Every trainable mapping variable (stems, convs, BN affine, FiLM tables) gets the reference's value.
      const named = regularizer.mappingNetwork.namedVariables();
      const trainableNames = [...named].filter(([, variable]) => variable.trainable).map(([name]) => name);
      expect(Object.keys(reference.weights).sort()).toEqual(trainableNames.sort());
      for (const [name, values] of Object.entries(reference.weights)) {
        const variable = named.get(name)!;
        variable.assign(tf.tensor(values, variable.shape));
      }
      const mappingVariables = [
        ...regularizer.mappingNetwork.mappingVariables,
        ...regularizer.mappingNetwork.filmVariables,
      ];
      expect(mappingVariables).toHaveLength(trainableNames.length);

      // View 1 (batch.views[0], viewOutputs[0]) carries the reference's data. View 0 (batch, output) gets other
      // labels, predictions and bottleneck: pairwise.md §4 feeds the consistency loss from view 1 only.
      const labels = Object.fromEntries(
        Object.entries(reference.labels).map(([name, values]) => [name, map(values, labelChannelsOf[name]!)]),
      );
      const viewZeroLabels = Object.fromEntries(
        Object.entries(labelChannelsOf).map(([name, channels]) => [
          name,
          tf.zeros([reference.batchSize, reference.height, reference.width, channels]),
        ]),
      );
      const predictions = Object.fromEntries(
        Object.entries(reference.predictions).map(([name, values]) => [
          name,
          tf.variable(map(values, channelsOf[name]!), true, `pairwiseReference.${mode}.view1.${name}`),
        ]),
      );
      const viewZeroPredictions = Object.fromEntries(
        Object.entries(reference.predictions).map(([name, values]) => [
          name,
          tf.variable(
            tf.mul(map(values, channelsOf[name]!), -0.5),
            true,
            `pairwiseReference.${mode}.view0.${name}`,
          ),
        ]),
      );
      const anchor = tf.variable(
        tf.tensor4d(reference.anchor, reference.anchorShape),
        true,
        `pairwiseReference.${mode}.anchor`,
      );
      const viewOne = batchOf(labels);
      const viewZero = batchOf(viewZeroLabels);
      const viewOutputs: NetworkOutput[] = [{ predictions, features: { bottleneck: anchor } }];
      const output: NetworkOutput = {
        predictions: viewZeroPredictions,
        features: { bottleneck: tf.zeros(reference.anchorShape) },
      };
      const input = {
        tasks,
        batch: { ...viewZero, views: [viewOne] },
        output,
        viewOutputs,
        random: new RandomSource(1),
        step: 0,
        epoch: 0,
      };
      const parts: Record<string, number> = {};
      const inputVariables = [...Object.values(predictions), anchor, ...Object.values(viewZeroPredictions)];
      const { value, grads } = tf.variableGrads(() => {
        const result = regularizer.loss(input);
        for (const [key, part] of Object.entries(result.parts)) parts[key] = part.dataSync()[0]!;
        tf.dispose(Object.values(result.parts));
        return result.loss;
      }, [...mappingVariables, ...inputVariables]);

      // The loss (λ · Σ L_pair / B) and the logged parts.
      expect(scalarError(value.dataSync()[0]!, expected.loss), 'loss').toBeLessThan(2e-5);
      expect(Object.keys(parts).sort()).toEqual(Object.keys(expected.parts).sort());
      for (const [key, want] of Object.entries(expected.parts))
        expect(scalarError(parts[key]!, want), key).toBeLessThan(2e-5);
      expect(parts.pairs).toBe(expected.parts.pairs);
      expect(warnings).toEqual([]);

      // Gradients: every view-1 prediction; none for the anchor (detached) or any view-0 prediction; every weight.
      for (const [name, want] of Object.entries(expected.predictionGradients)) {
        const gradient = grads[predictions[name]!.name];
        expect(gradient, `view 1 ${name}`).toBeDefined();
        expect(relativeError(gradient!.dataSync(), want), `view 1 ${name}`).toBeLessThan(2e-5);
      }
      expect(expected.anchorGradient.every((x) => x === 0)).toBe(true);
      for (const variable of [anchor, ...Object.values(viewZeroPredictions)]) {
        const gradient = grads[variable.name];
        const actual = gradient ? Array.from(gradient.dataSync()) : [];
        expect(
          actual.every((x) => x === 0),
          variable.name,
        ).toBe(true);
      }
      for (const [name, want] of Object.entries(expected.weightGradients)) {
        const gradient = grads[named.get(name)!.name];
        expect(gradient, name).toBeDefined();
        expect(relativeError(gradient!.dataSync(), want), name).toBeLessThan(2e-5);
      }

      tf.dispose([value, ...Object.values(grads), ...inputVariables, output.features.bottleneck!]);
      tf.dispose(
        [viewOne, viewZero].flatMap((view) => [view.images, view.labelMask, ...Object.values(view.labels)]),
      );
      regularizer.dispose();
    },
  );
});
