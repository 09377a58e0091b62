// Adam (Kingma & Ba, arXiv 1412.6980) as tf.train.adam computes it, with each variable's update fused into one
// kernel (adam-update-kernel.ts) where the active backend has it (wasm, cpu); elsewhere the stock update runs.
// Same state layout as tf.AdamOptimizer (m, v per variable, accBeta1/2), so getWeights/setWeights still apply.
import * as tf from '@tensorflow/tfjs';
import { type AdamUpdateAttributes, adamUpdateKernelName } from './adam-update-kernel.js';

interface MomentSlot {
  originalName: string;
  variable: tf.Variable;
}

/** The AdamOptimizer fields this reads (private in its typings). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<MomentSlot | undefined>;
  accumulatedSecondMoment: Array<MomentSlot | undefined>;
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    if (!tf.getKernel(adamUpdateKernelName, tf.getBackend())) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const entries = Array.isArray(variableGradients)
      ? variableGradients.map((entry) => [entry.name, entry.tensor as tf.Tensor | undefined] as const)
      : Object.entries(variableGradients).map(
          ([name, tensor]) => [name, tensor as tf.Tensor | undefined] as const,
        );
    // Scalars, read once per step (a copy out of wasm memory, no GPU sync on these backends).
    const firstCorrection = 1 - state.accBeta1.dataSync()[0]!;
    const secondCorrection = 1 - state.accBeta2.dataSync()[0]!;
    const attributes: AdamUpdateAttributes = {
      beta1: state.beta1,
      beta2: state.beta2,
      epsilon: state.epsilon,
      learningRate: state.learningRate,
      firstCorrection,
      secondCorrection,
    };
    tf.tidy(() => {
      entries.forEach(([name, gradient], index) => {
        const value = tf.engine().registeredVariables[name];
        if (!value) throw new Error(`FusedAdamOptimizer: no variable named '${name}'`);
        state.accumulatedFirstMoment[index] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        state.accumulatedSecondMoment[index] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        if (gradient == null) return;
        const firstMoment = state.accumulatedFirstMoment[index]!.variable;
        const secondMoment = state.accumulatedSecondMoment[index]!.variable;
        const [newValue, newFirst, newSecond] = tf
          .engine()
          .runKernel(
            adamUpdateKernelName,
            { value, gradient, firstMoment, secondMoment },
            attributes as unknown as tf.NamedAttrMap,
          ) as tf.Tensor[];
        firstMoment.assign(newFirst!);
        secondMoment.assign(newSecond!);
        value.assign(newValue!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, state.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, state.beta2));
    });
    (this as unknown as { incrementIterations(): void }).incrementIterations();
  }
}

/** Drop-in for `tf.train.adam(learningRate, beta1, beta2, epsilon)` with the fused per-variable update. */
export function fusedAdam(
  learningRate = 0.001,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon?: number,
): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
