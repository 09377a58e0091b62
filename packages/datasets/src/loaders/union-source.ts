// A union of sample sources with (possibly) disjoint task labels, e.g. AffectNet for expressions + DISFA for AUs:
// samples keep their own labels only, so every other task is unlabelled for them. Tasks shared by name must agree
// (kind and channels). Indices run through the sources in order.
import { LabelMaskTable, type Sample, type SampleSource, type TaskSpec } from '@partial-mtl/core';
import { checkIndex } from './loader-support.js';

export interface UnionSource extends SampleSource {
  readonly sources: readonly SampleSource[];
  /** Which source and which index inside it a union index refers to. */
  locate(index: number): { readonly source: number; readonly index: number };
  /**
   * Label mask from task availability: row i has 1 for every task its source declares. A source may still omit a
   * label for a sample (e.g. an unannotated frame); `Sample.labels` is the per-sample truth.
   */
  declaredLabelMask(): LabelMaskTable;
}

export function createUnionSource(sources: readonly SampleSource[]): UnionSource {
  if (sources.length === 0) throw new Error('createUnionSource: expected at least one source');
  const tasks: TaskSpec[] = [];
  sources.forEach((source, s) => {
    for (const task of source.tasks) {
      const known = tasks.find((candidate) => candidate.name === task.name);
      if (!known) tasks.push(task);
      else if (known.kind !== task.kind || known.channels !== task.channels) {
        throw new Error(
          `createUnionSource: task '${task.name}' of source ${s} is ${task.kind}×${task.channels} but an earlier source has ${known.kind}×${known.channels}`,
        );
      }
    }
  });
  const starts: number[] = [];
  let length = 0;
  for (const source of sources) {
    starts.push(length);
    length += source.length;
  }
  const locate = (index: number): { source: number; index: number } => {
    checkIndex(index, length, 'union source');
    let source = sources.length - 1;
    while (starts[source]! > index) source--;
    return { source, index: index - starts[source]! };
  };
  return {
    tasks,
    length,
    sources,
    locate,
    async read(index: number): Promise<Sample> {
      const place = locate(index);
      const sample = await sources[place.source]!.read(place.index);
      return { ...sample, index };
    },
    declaredLabelMask(): LabelMaskTable {
      const flags = new Uint8Array(length * tasks.length);
      sources.forEach((source, s) => {
        const columns = source.tasks.map((task) =>
          tasks.findIndex((candidate) => candidate.name === task.name),
        );
        for (let row = starts[s]!; row < starts[s]! + source.length; row++)
          for (const column of columns) flags[row * tasks.length + column] = 1;
      });
      return new LabelMaskTable(
        tasks.map((task) => task.name),
        flags,
        length,
      );
    },
  };
}
