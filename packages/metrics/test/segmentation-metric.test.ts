import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createSegmentationMetric, meanIou, perClassIou, pixelAccuracy } from '../src/index.js';
import { logitsFor, seededUniform, useCpu } from './helpers.js';

beforeAll(useCpu);

// Two samples of 1x3 pixels. Sample 0: labels [0, 1, -1], predicted [0, 2, 1]; sample 1: labels [1, 1, 0],
// predicted [1, 1, 0]. Counted: M[0][0] = 2, M[1][1] = 2, M[1][2] = 1 (the -1 pixel is dropped).
const labels = [0, 1, -1, 1, 1, 0];
const predicted = [0, 2, 1, 1, 1, 0];

describe('segmentation metric', () => {
  it('accumulates the confusion matrix and reports mIoU, pixAcc and per-class IoU', () => {
    const metric = createSegmentationMetric({ classCount: 3, classNames: ['wall', 'floor', 'sofa'] });
    metric.update(
      { data: logitsFor(predicted, 3), shape: [2, 1, 3, 3] },
      { data: new Float32Array(labels), shape: [2, 1, 3, 1] },
    );
    expect(Array.from(metric.confusionMatrix().counts)).toEqual([2, 0, 0, 0, 2, 1, 0, 0, 0]);
    const result = metric.result();
    // IoU: wall 2/(2+2-2) = 1, floor 2/(3+2-2) = 2/3, sofa 0/(0+1-0) = 0 (predicted, never a label).
    expect(result['iou.wall']).toBeCloseTo(1, 12);
    expect(result['iou.floor']).toBeCloseTo(2 / 3, 12);
    expect(result['iou.sofa']).toBe(0);
    expect(result.mIoU).toBeCloseTo(5 / 9, 12);
    expect(result.pixAcc).toBeCloseTo(4 / 5, 12);
  });

  it('faithful mode gives NaN mIoU when a class is absent from labels and predictions', () => {
    const metric = createSegmentationMetric({ classCount: 4 });
    metric.update(logitsFor(predicted, 4), new Float32Array(labels));
    const result = metric.result();
    expect(result.mIoU).toBeNaN();
    expect(result.pixAcc).toBeCloseTo(0.8, 12);
    expect(result['iou.3']).toBeUndefined();
    expect(Array.from(perClassIou(metric.confusionMatrix())).map((value) => Number.isNaN(value))).toEqual([
      false,
      false,
      false,
      true,
    ]);
  });

  it('clean mode averages the defined classes and warns', () => {
    const warn = vi.fn();
    const metric = createSegmentationMetric({ classCount: 4, mode: 'clean', warn });
    metric.update(logitsFor(predicted, 4), labels);
    expect(metric.result().mIoU).toBeCloseTo(5 / 9, 12);
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]?.[0]).toMatch(/class\(es\) 3 absent.*3 of 4 classes/);
  });

  it('skips samples outside the sample mask', () => {
    const metric = createSegmentationMetric({ classCount: 2 });
    metric.update(logitsFor([0, 1, 1, 1, 1, 0], 2), [0, 1, 0, 1, 1, 0], [0, 1]);
    expect(Array.from(metric.confusionMatrix().counts)).toEqual([1, 0, 0, 2]);
    expect(metric.result()).toEqual({ mIoU: 1, pixAcc: 1, 'iou.0': 1, 'iou.1': 1 });
  });

  it('reports nothing when every pixel is ignored, and after reset', () => {
    const metric = createSegmentationMetric({ classCount: 3 });
    metric.update(logitsFor([0, 1], 3), [-1, -1]);
    expect(metric.result()).toEqual({});
    metric.update(logitsFor([0, 1], 3), [0, 1]);
    expect(metric.result().mIoU).toBeNaN(); // class 2 absent, faithful
    metric.reset();
    expect(metric.result()).toEqual({});
    expect(pixelAccuracy(metric.confusionMatrix())).toBeNaN();
    expect(meanIou(metric.confusionMatrix(), { mode: 'clean', warn: () => {} })).toBeNaN();
  });

  it('takes the first class on ties, like torch.argmax', () => {
    const metric = createSegmentationMetric({ classCount: 2 });
    metric.update([0.5, 0.5], [0]);
    expect(metric.result().pixAcc).toBe(1);
  });

  it('rejects NaN predictions, bad shapes and non-integer labels with clear errors', () => {
    const metric = createSegmentationMetric({ classCount: 3 });
    expect(() => metric.update([0, Number.NaN, 1], [0])).toThrow(
      /segmentation: prediction contains NaN at flat index 1; expected finite numbers/,
    );
    expect(() => metric.update({ data: new Float32Array(8), shape: [1, 2, 2, 2] }, [0, 0, 0, 0])).toThrow(
      /segmentation: prediction has shape \[1, 2, 2, 2\]; expected 3 channels in the last dimension/,
    );
    expect(() => metric.update(new Float32Array(6), [0, 0, 0])).toThrow(/describe 2 and 3 elements/);
    expect(() => metric.update(new Float32Array(3), [0.5])).toThrow(/label\[0\] is 0.5; expected an integer/);
    expect(() => metric.update(new Float32Array(6), [0, 0], [1, 1, 1])).toThrow(
      /2 elements cannot be split into 3 samples/,
    );
    expect(() => metric.update({ data: new Float32Array(6), shape: [2, 1, 1, 3] }, [0, 0], [1])).toThrow(
      /segmentation: sampleMask has 1 entries; expected one per sample \(2\)/,
    );
    expect(() => metric.update({ data: new Float32Array(5), shape: [2, 1, 1, 3] }, [0, 0])).toThrow(
      /prediction has 5 values but shape \[2, 1, 1, 3\] needs 6/,
    );
  });

  it('gives the same result for many small batches as for one big batch', () => {
    const random = seededUniform(7);
    const batchSize = 6;
    const pixels = 4;
    const classCount = 5;
    const logits = Float32Array.from({ length: batchSize * pixels * classCount }, random);
    const targets = Float32Array.from({ length: batchSize * pixels }, () => Math.floor(random() * 6) - 1);
    const whole = createSegmentationMetric({ classCount, mode: 'clean', warn: () => {} });
    whole.update({ data: logits, shape: [batchSize, 2, 2, classCount] }, targets);
    const pieces = createSegmentationMetric({ classCount, mode: 'clean', warn: () => {} });
    for (let sample = 0; sample < batchSize; sample++) {
      pieces.update(
        logits.subarray(sample * pixels * classCount, (sample + 1) * pixels * classCount),
        targets.subarray(sample * pixels, (sample + 1) * pixels),
      );
    }
    expect(pieces.result()).toEqual(whole.result());
  });

  it('reads cpu tensors without leaking and matches typed arrays', () => {
    const logitsTensor = tf.tensor4d(logitsFor(predicted, 3), [2, 1, 3, 3]);
    const labelTensor = tf.tensor4d(labels, [2, 1, 3, 1]);
    const maskTensor = tf.tensor1d([1, 1]);
    const before = tf.memory().numTensors;
    const metric = createSegmentationMetric({ classCount: 3 });
    metric.update(logitsTensor, labelTensor, maskTensor);
    const fromTensors = metric.result();
    expect(tf.memory().numTensors).toBe(before);
    const reference = createSegmentationMetric({ classCount: 3 });
    reference.update(logitsFor(predicted, 3), labels);
    expect(fromTensors).toEqual(reference.result());
    tf.dispose([logitsTensor, labelTensor, maskTensor]);
    expect(() => metric.update(logitsTensor, labelTensor)).toThrow(
      /segmentation: prediction is a disposed tensor/,
    );
  });
});
