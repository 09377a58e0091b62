// Derives a multilabel attribute task from a multiclass task through a class → attribute relatedness matrix:
// each sample's attributes are drawn as Bernoulli(relatedness[class][a]) with a seed that depends only on the
// data set seed and the sample index, so a sample gets the same attributes in every epoch, worker and run.
// Used by the Fashion-MNIST case study (attributes for the attribute-labelled part are derived from the class).
import { defineTask, RandomSource, type Sample, type SampleSource, type TaskSpec } from '@partial-mtl/core';

export interface DerivedAttributesOptions {
  /** Name of the existing multiclass task in the source (e.g. 'category'). */
  readonly classTask: string;
  /** Name of the new multilabel task (e.g. 'attributes'). */
  readonly attributeTask: string;
  readonly attributeNames: readonly string[];
  /** relatedness[class][attribute] = p(attribute on | class); one row per class of `classTask`. */
  readonly relatedness: readonly (readonly number[])[];
  readonly seed: number;
  /**
   * Keep the class label on the samples (default true). The split table decides which samples are labelled for
   * which task; this only controls whether the class stays available to it.
   */
  readonly keepClassLabel?: boolean;
}

/** Checks a relatedness matrix: rows × attributes of probabilities in [0, 1]. */
export function validateRelatedness(
  relatedness: readonly (readonly number[])[],
  classes: number,
  attributes: number,
  source = 'relatedness',
): void {
  if (relatedness.length !== classes) {
    throw new Error(`${source}: expected ${classes} rows (one per class), got ${relatedness.length}`);
  }
  relatedness.forEach((row, k) => {
    if (row.length !== attributes) {
      throw new Error(`${source}[${k}]: expected ${attributes} attribute probabilities, got ${row.length}`);
    }
    row.forEach((p, a) => {
      if (!(p >= 0 && p <= 1))
        throw new Error(`${source}[${k}][${a}]: expected a probability in [0, 1], got ${p}`);
    });
  });
}

/** The attributes of one sample of class `classId`, drawn with the sample's own seed. */
export function drawAttributes(
  relatedness: readonly (readonly number[])[],
  classId: number,
  seed: number,
  index: number,
): Float32Array {
  const row = relatedness[classId];
  if (!row) throw new Error(`drawAttributes: class ${classId} has no row in the relatedness matrix`);
  const random = new RandomSource((Math.imul(seed >>> 0, 0x9e3779b1) ^ index) >>> 0);
  return Float32Array.from(row, (p) => (p >= 1 ? 1 : p <= 0 ? 0 : random.next() < p ? 1 : 0));
}

/** A source with the attribute task added after the source's tasks. */
export function withDerivedAttributes(source: SampleSource, options: DerivedAttributesOptions): SampleSource {
  const classTask = source.tasks.find((task) => task.name === options.classTask);
  if (classTask?.kind !== 'multiclass') {
    throw new Error(
      `withDerivedAttributes: the source has no multiclass task '${options.classTask}' (tasks: ${source.tasks.map((t) => t.name).join(', ')})`,
    );
  }
  validateRelatedness(options.relatedness, classTask.channels, options.attributeNames.length);
  const attributeTask: TaskSpec = defineTask({
    name: options.attributeTask,
    kind: 'multilabel',
    channels: options.attributeNames.length,
    ignoreValue: -1,
    labelNames: options.attributeNames,
  });
  const tasks = [...source.tasks, attributeTask];
  const keepClassLabel = options.keepClassLabel ?? true;
  return {
    tasks,
    length: source.length,
    async read(index: number): Promise<Sample> {
      const sample = await source.read(index);
      const classLabel = sample.labels[options.classTask];
      if (!classLabel)
        throw new Error(`withDerivedAttributes: sample ${index} has no '${options.classTask}' label`);
      const classId = classLabel.data[0]!;
      const attributes = drawAttributes(options.relatedness, classId, options.seed, index);
      const labels = {
        ...sample.labels,
        [options.attributeTask]: { data: attributes, shape: [attributes.length] },
      };
      if (!keepClassLabel) delete labels[options.classTask];
      return { ...sample, labels };
    },
  };
}
