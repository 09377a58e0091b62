import { cityscapesTasks, defineTask, nyuv2Tasks, type TaskSpec } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  collectResults,
  createTaskMetric,
  createTaskMetrics,
  directionOf,
  displayScaleOf,
  metricDirections,
  primaryMetric,
  primaryMetricValues,
  taskMetricFactories,
} from '../src/index.js';
import { logitsFor, useCpu } from './helpers.js';

beforeAll(useCpu);

describe('task metric registry', () => {
  it('chooses the metric by task kind, with sizes and names from the spec', () => {
    const metrics = createTaskMetrics(nyuv2Tasks);
    expect(Object.fromEntries(Object.entries(metrics).map(([task, metric]) => [task, metric.name]))).toEqual({
      semseg: 'segmentation',
      depth: 'depth',
      normal: 'normals',
    });
    const expression = createTaskMetric(
      defineTask({ name: 'expression', kind: 'multiclass', channels: 2, labelNames: ['neutral', 'smile'] }),
    );
    expression.update(logitsFor([1], 2), [1]);
    expect(expression.result()).toEqual({ accuracy: 1, macroF1: 1, 'f1.smile': 1 });
    const units = createTaskMetric(defineTask({ name: 'actionUnits', kind: 'multilabel', channels: 2 }), {
      multilabel: { threshold: 0.9 },
    });
    units.update([1, 3], [1, 1]); // sigmoid(1) = 0.73 is below 0.9, sigmoid(3) = 0.95 above
    expect(units.result()).toEqual({ meanF1: 0.5, 'f1.0': 0, 'f1.1': 1 });
    const edges = createTaskMetric(defineTask({ name: 'edge2d', kind: 'edges', channels: 1 }));
    edges.update([0.5], [0]);
    expect(edges.result()).toEqual({ absErr: 0.5, rmse: 0.5 });
    expect(Object.keys(taskMetricFactories)).toHaveLength(7);
  });

  it('passes per-family options and collects results by task', () => {
    const metrics = createTaskMetrics(cityscapesTasks, { depth: { averaging: 'batch' } });
    metrics.depth!.update([1], [2]);
    metrics.depth!.update([5, 2], [4, 1]);
    metrics.semseg!.update(logitsFor([0, 1], 7), [0, -1]);
    const results = collectResults(metrics);
    expect(results.depth?.absRel).toBeCloseTo(0.5625, 12);
    expect(results.semseg?.pixAcc).toBe(1);
  });

  it('throws for an unknown kind, listing the valid ones', () => {
    const unknown = { name: 'keypoints', kind: 'keypoints', channels: 2 } as unknown as TaskSpec;
    expect(() => createTaskMetric(unknown)).toThrow(
      "createTaskMetric: task 'keypoints' has unknown kind 'keypoints'; valid kinds: segmentation, depth, normals, " +
        'edges, regression, multiclass, multilabel',
    );
    expect(() => primaryMetric(unknown)).toThrow(/primaryMetric: task 'keypoints' has unknown kind/);
  });

  it('does not leak tensors through createTaskMetric', () => {
    const [semseg, depth, normal] = nyuv2Tasks as [TaskSpec, TaskSpec, TaskSpec];
    const inputs = [
      tf.zeros([1, 2, 2, 13]),
      tf.zeros([1, 2, 2, 1]),
      tf.ones([1, 2, 2, 1]),
      tf.ones([1, 2, 2, 1]),
      tf.ones([1, 2, 2, 3]),
      tf.ones([1, 2, 2, 3]),
      tf.ones([1]),
    ] as const;
    const before = tf.memory().numTensors;
    createTaskMetric(semseg).update(inputs[0], inputs[1], inputs[6]);
    createTaskMetric(depth).update(inputs[2], inputs[3], inputs[6]);
    createTaskMetric(normal).update(inputs[4], inputs[5], inputs[6]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...inputs]);
  });
});

describe('metric directions and primary metrics', () => {
  it('declares each direction once and resolves per-class names', () => {
    expect(metricDirections.mIoU).toBe('higher');
    expect(metricDirections.absErr).toBe('lower');
    expect(metricDirections.within11_25).toBe('higher');
    expect(directionOf('iou.sofa')).toBe('higher');
    expect(directionOf('f1.AU12')).toBe('higher');
    expect(displayScaleOf('mIoU')).toBe(100);
    expect(displayScaleOf('within30')).toBe(1);
  });

  it('follows metrics.md §5a: mIoU ×100, absErr, meanDeg; accuracy or macro F1 for classification', () => {
    const [semseg, depth, normal] = nyuv2Tasks as [TaskSpec, TaskSpec, TaskSpec];
    expect(primaryMetric(semseg)).toEqual({ metric: 'mIoU', direction: 'higher', displayScale: 100 });
    expect(primaryMetric(depth)).toEqual({ metric: 'absErr', direction: 'lower', displayScale: 1 });
    expect(primaryMetric(normal).metric).toBe('meanDeg');
    const expression = defineTask({ name: 'expression', kind: 'multiclass', channels: 7 });
    expect(primaryMetric(expression).metric).toBe('accuracy');
    expect(primaryMetric(expression, { multiclass: 'macroF1' }).metric).toBe('macroF1');
    expect(primaryMetric(defineTask({ name: 'au', kind: 'multilabel', channels: 12 })).metric).toBe('meanF1');
    expect(
      primaryMetricValues(cityscapesTasks, {
        semseg: { mIoU: 0.7, pixAcc: 0.9 },
        depth: { absErr: 0.02, rmse: 0.1 },
      }),
    ).toEqual({ semseg: { mIoU: 0.7 }, depth: { absErr: 0.02 } });
    expect(() => primaryMetricValues(cityscapesTasks, { semseg: {} })).toThrow(/no 'mIoU' for task 'semseg'/);
  });
});
