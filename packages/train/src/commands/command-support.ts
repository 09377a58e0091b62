// Shared helpers of the CLI commands: argument parsing with clear errors (node:util parseArgs, strict), the
// output channels, and backend selection from --backend (core's selectBackend; default: the fastest installed).
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type BackendSelection, parseBackendName, selectBackend } from '@partial-mtl/core';
import * as tf from '@tensorflow/tfjs';

export interface CommandContext {
  /** Results (stdout). */
  print(text: string): void;
  /** Progress, notices and errors (stderr). */
  error(text: string): void;
}

export class UsageError extends Error {
  constructor(
    message: string,
    readonly help: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArguments {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
}

export function parseCommandArguments(
  argv: readonly string[],
  options: Options,
  help: string,
): ParsedArguments {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' }, backend: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message, help);
  }
}

/** Activates the backend named by --backend ('auto' or absent = the fastest installed). */
export async function activateBackend(name: unknown, context: CommandContext): Promise<BackendSelection> {
  const prefer =
    typeof name === 'string' && name !== 'auto' ? parseBackendName(name, '--backend') : undefined;
  const selection = await selectBackend({
    ...(prefer ? { prefer } : {}),
    warn: (message) => context.error(message),
  });
  const missing = missingTrainingKernel();
  if (missing === undefined) return selection;
  if (prefer) throw new Error(`--backend ${prefer}: this backend cannot train here (${missing})`);
  context.error(
    `backend ${selection.name} cannot train here (${missing}); falling back to the cpu backend (slow). Pass --backend to choose.`,
  );
  await tf.setBackend('cpu');
  await tf.ready();
  return {
    ...selection,
    name: 'cpu',
    engineName: 'cpu',
    packageName: '@tensorflow/tfjs',
    report: `${selection.report}\n  fell back to cpu: ${missing}`,
  };
}

/** Runs a tiny conv + batch-statistics gradient; returns the error text when the active backend lacks a kernel. */
export function missingTrainingKernel(): string | undefined {
  try {
    tf.tidy(() => {
      const filter = tf.variable(tf.ones([3, 3, 2, 2]), true);
      const images = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
      const { value, grads } = tf.variableGrads(() => {
        const features = tf.conv2d(images, filter as tf.Tensor4D, 1, 'same');
        const moments = tf.moments(features, [0, 1, 2]);
        const normalized = tf.div(
          tf.sub(features, moments.mean),
          tf.sqrt(tf.add(moments.variance, 1e-5)),
        ) as tf.Tensor4D;
        return tf.sum(tf.maxPool(normalized, 2, 2, 'valid')) as tf.Scalar;
      }, [filter]);
      value.dataSync();
      Object.values(grads).forEach((gradient) => gradient.dataSync());
      filter.dispose();
    });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
