import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { batchNormTrain, disableWasmTraining, selectBackend, stopGradient } from '../../src/index.js';
import { seeded } from './helpers.js';

/** A tiny SegNet-like multi-task net (conv-BN-ReLU, 2×2 max pool, mask unpooling, 3×3 and 1×1 heads). */
function createTinyNetwork() {
  const variable = (shape: number[], seed: number) =>
    tf.variable(
      tf.mul(
        tf.tensor(
          seeded(
            shape.reduce((a, b) => a * b),
            seed,
          ),
          shape,
        ),
        0.3,
      ),
    );
  const weights = {
    conv1: variable([3, 3, 3, 4], 1),
    gamma1: tf.variable(tf.ones([4])),
    beta1: tf.variable(tf.zeros([4])),
    conv2: variable([3, 3, 4, 4], 2),
    gamma2: tf.variable(tf.ones([4])),
    beta2: tf.variable(tf.zeros([4])),
    dilated: variable([3, 3, 4, 4], 3),
    strided: variable([3, 3, 4, 4], 4),
    head: variable([3, 3, 4, 4], 5),
    segmentation: variable([1, 1, 4, 3], 6),
    depth: variable([1, 1, 4, 1], 7),
  };
  const apply = (images: tf.Tensor4D) => {
    const block = (x: tf.Tensor4D, filter: tf.Variable, gamma: tf.Variable, beta: tf.Variable) => {
      const { y, mean, variance } = batchNormTrain(
        tf.conv2d(x, filter as tf.Tensor4D, 1, 'same'),
        gamma as tf.Tensor1D,
        beta as tf.Tensor1D,
        1e-5,
      );
      tf.dispose([mean, variance]);
      return tf.relu(y) as tf.Tensor4D;
    };
    const encoded = block(images, weights.conv1, weights.gamma1, weights.beta1);
    const pooled = tf.maxPool(encoded, 2, 2, 'valid');
    const upsampled = tf.image.resizeNearestNeighbor(pooled, [encoded.shape[1], encoded.shape[2]]);
    const mask = tf.cast(tf.equal(stopGradient(encoded), stopGradient(upsampled)), 'float32');
    const unpooled = tf.mul(upsampled, mask) as tf.Tensor4D;
    const decoded = block(unpooled, weights.conv2, weights.gamma2, weights.beta2);
    const dilated = tf.conv2d(decoded, weights.dilated as tf.Tensor4D, 1, 'same', 'NHWC', 2);
    const strided = tf.conv2d(dilated, weights.strided as tf.Tensor4D, 2, 'same');
    const restored = tf.image.resizeBilinear(strided, [encoded.shape[1], encoded.shape[2]]);
    const shared = tf.conv2d(
      tf.add(restored, decoded) as tf.Tensor4D,
      weights.head as tf.Tensor4D,
      1,
      'same',
    );
    return {
      segmentation: tf.conv2d(shared, weights.segmentation as tf.Tensor4D, 1, 'valid'),
      depth: tf.conv2d(shared, weights.depth as tf.Tensor4D, 1, 'valid'),
    };
  };
  return { weights, apply };
}

afterAll(async () => {
  disableWasmTraining();
  await tf.setBackend('cpu');
});

describe('training steps on wasm (selectBackend registers the training kernels)', () => {
  it('runs Adam steps, the loss decreases and the tensor count stays flat', async () => {
    const selection = await selectBackend({ prefer: 'wasm', warn: () => {} });
    expect(selection.name).toBe('wasm');
    const network = createTinyNetwork();
    const variables = Object.values(network.weights);
    const images = tf.tensor4d(seeded(2 * 8 * 8 * 3, 20), [2, 8, 8, 3]);
    const classIds = tf.tensor1d(
      Int32Array.from(seeded(2 * 8 * 8, 21), (v) => Math.floor((v + 1) * 2) - 1),
      'int32',
    );
    const labels = tf.reshape(tf.oneHot(classIds, 3), [2, 8, 8, 3]);
    const depth = tf.tensor4d(seeded(2 * 8 * 8, 22), [2, 8, 8, 1]);
    const optimizer = tf.train.adam(1e-2);
    const step = () => {
      const { value, grads } = tf.variableGrads(() =>
        tf.tidy(() => {
          const output = network.apply(images);
          const segmentation = tf.neg(
            tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(output.segmentation, -1)), -1)),
          );
          return tf.add(segmentation, tf.mean(tf.abs(tf.sub(output.depth, depth)))) as tf.Scalar;
        }),
      );
      optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
      tf.dispose(Object.values(grads));
      const loss = value.dataSync()[0]!;
      value.dispose();
      return loss;
    };
    const first = step();
    const counts: number[] = [];
    let last = first;
    for (let index = 0; index < 6; index++) {
      last = step();
      counts.push(tf.memory().numTensors);
    }
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(first);
    expect(new Set(counts).size).toBe(1);
    optimizer.dispose();
    tf.dispose([images, classIds, labels, depth, ...variables]);
  });
});
