// Sweeps on existing cluster engines (issue 9): plan a grid into numbered, hashed entries; run one index
// idempotently (Slurm arrays, Kubernetes Indexed Jobs) or all of them with a local pool; collect the table.
// Orchestration only: every entry is its own trainer process, so this module never loads TensorFlow.js.
export { canonicalJson, configHash } from './canonical-json.js';
export { sweepCliCommands } from './cli-commands.js';
export {
  type CollectedEntry,
  type CollectedRow,
  type CollectedTable,
  collectResults,
  formatCsv,
  formatMarkdown,
  writeResultTables,
} from './collect.js';
export { runSweepCommand, SWEEP_COMMANDS, type SweepCommandContext, sweepUsage } from './command.js';
export { type DeltaTerm, deltaM, meanAndStd } from './delta.js';
export {
  type EmitOptions,
  kubernetesIndexedJob,
  kubernetesIndexedJobYaml,
  slurmArrayScript,
} from './emit.js';
export { type EntryState, type EntryStatus, inspectEntry } from './entry-state.js';
export { type Grid, loadGrid, parseGrid, type ReportMetric } from './grid.js';
export {
  type ConfigResolver,
  comparePlans,
  describeChanges,
  expandGrid,
  type Plan,
  type PlanChanges,
  PlanConflictError,
  type PlanEntry,
  readPlan,
  writePlan,
} from './plan.js';
export { type PoolEvent, runSweep, type SweepOptions, type SweepSummary } from './pool.js';
export { type EntryOutcome, type RunEntryOptions, runEntry } from './run-entry.js';
