// Task specifications: the typed record every package uses to describe one task of a multi-task problem.
// A task says what it predicts (kind), how many channels or classes, which label value means "ignore",
// and which loss trains it. Dense kinds follow MTAN/MTPSL/JTR (arXiv 1803.10704, 2111.14893, 2404.01976).

/** What a task predicts. Dense kinds are per pixel; classification kinds are per image. */
export type TaskKind =
  | 'segmentation'
  | 'depth'
  | 'normals'
  | 'edges'
  | 'multiclass'
  | 'multilabel'
  | 'regression';

/** Loss used to train a task. */
export type LossKind = 'cross-entropy' | 'l1' | 'l2' | 'cosine' | 'binary-cross-entropy';

export interface TaskSpec {
  /** Unique name, e.g. 'semseg', 'depth', 'normal', 'expression', 'actionUnits'. */
  readonly name: string;
  readonly kind: TaskKind;
  /**
   * Output channels of the head: classes for segmentation/multiclass, labels for multilabel,
   * 1 for depth and edges, 3 for normals, any for regression.
   */
  readonly channels: number;
  /**
   * Label value that marks an ignored element: -1 for segmentation classes, 0 for depth (invalid pixel),
   * 0 for normals (all three components zero), -1 for a missing multilabel entry.
   */
  readonly ignoreValue?: number;
  /** Loss kind; defaults from the kind (see `defaultLossKind`). */
  readonly loss?: LossKind;
  /** Optional human-readable class or label names, in channel order. */
  readonly labelNames?: readonly string[];
}

const denseKinds: ReadonlySet<TaskKind> = new Set([
  'segmentation',
  'depth',
  'normals',
  'edges',
  'regression',
]);

/** True for per-pixel tasks (their predictions are [B, H, W, C]); false for per-image tasks ([B, C]). */
export function isDenseTask(task: TaskSpec): boolean {
  return denseKinds.has(task.kind);
}

/** The loss a task uses when its spec does not name one. */
export function defaultLossKind(kind: TaskKind): LossKind {
  switch (kind) {
    case 'segmentation':
    case 'multiclass':
      return 'cross-entropy';
    case 'depth':
    case 'edges':
      return 'l1';
    case 'normals':
      return 'cosine';
    case 'multilabel':
      return 'binary-cross-entropy';
    case 'regression':
      return 'l2';
  }
}

/** The loss kind of a task, explicit or defaulted. */
export function lossKindOf(task: TaskSpec): LossKind {
  return task.loss ?? defaultLossKind(task.kind);
}

/** The ignore value of a task, explicit or defaulted from its kind (see `TaskSpec.ignoreValue`). */
export function ignoreValueOf(task: TaskSpec): number | undefined {
  if (task.ignoreValue !== undefined) return task.ignoreValue;
  switch (task.kind) {
    case 'segmentation':
    case 'multilabel':
      return -1;
    case 'depth':
    case 'normals':
      return 0;
    default:
      return undefined;
  }
}

/** Builds a task spec, checking its fields; throws a message naming the bad field. */
export function defineTask(spec: TaskSpec): TaskSpec {
  if (!spec.name || typeof spec.name !== 'string') throw new Error(`task.name: expected a non-empty string`);
  if (!denseKinds.has(spec.kind) && spec.kind !== 'multiclass' && spec.kind !== 'multilabel') {
    throw new Error(`task '${spec.name}'.kind: unknown kind '${String(spec.kind)}'`);
  }
  if (!Number.isInteger(spec.channels) || spec.channels < 1) {
    throw new Error(`task '${spec.name}'.channels: expected a positive integer, got ${spec.channels}`);
  }
  if (spec.kind === 'normals' && spec.channels !== 3) {
    throw new Error(`task '${spec.name}'.channels: normals have 3 channels, got ${spec.channels}`);
  }
  if ((spec.kind === 'segmentation' || spec.kind === 'multiclass') && spec.channels < 2) {
    throw new Error(`task '${spec.name}'.channels: ${spec.kind} needs at least 2 classes`);
  }
  if (spec.labelNames && spec.labelNames.length !== spec.channels) {
    throw new Error(
      `task '${spec.name}'.labelNames: expected ${spec.channels} names, got ${spec.labelNames.length}`,
    );
  }
  return Object.freeze({ ...spec });
}

/** Checks a task list: non-empty, unique names. Returns it frozen. */
export function defineTasks(tasks: readonly TaskSpec[]): readonly TaskSpec[] {
  if (tasks.length === 0) throw new Error('tasks: expected at least one task');
  const seen = new Set<string>();
  const out = tasks.map((task) => {
    const checked = defineTask(task);
    if (seen.has(checked.name)) throw new Error(`tasks: duplicate task name '${checked.name}'`);
    seen.add(checked.name);
    return checked;
  });
  return Object.freeze(out);
}

/** The three NYU-v2 tasks as MTAN/MTPSL/JTR use them (13 classes, depth in metres, unit normals). */
export const nyuv2Tasks: readonly TaskSpec[] = defineTasks([
  { name: 'semseg', kind: 'segmentation', channels: 13, ignoreValue: -1 },
  { name: 'depth', kind: 'depth', channels: 1, ignoreValue: 0 },
  { name: 'normal', kind: 'normals', channels: 3, ignoreValue: 0 },
]);

/** The two Cityscapes tasks of the MTAN 128×256 release (7 classes, inverse depth). */
export const cityscapesTasks: readonly TaskSpec[] = defineTasks([
  { name: 'semseg', kind: 'segmentation', channels: 7, ignoreValue: -1 },
  { name: 'depth', kind: 'depth', channels: 1, ignoreValue: 0 },
]);
