// Sweeps on existing cluster engines (issue 9): plan a grid into numbered, hashed entries; run one index
// idempotently (Slurm arrays, Kubernetes Indexed Jobs) or all of them with a local pool; collect the table.
// Orchestration only: every entry is its own trainer process, so this module never loads TensorFlow.js.
export { canonicalJson, configHash } from './canonical-json.js';
export {
  collectResults,
  formatCsv,
  formatMarkdown,
  writeResultTables,
  type CollectedEntry,
  type CollectedRow,
  type CollectedTable,
} from './collect.js';
export { sweepCliCommands } from './cli-commands.js';
export { runSweepCommand, sweepUsage, SWEEP_COMMANDS, type SweepCommandContext } from './command.js';
export { deltaM, meanAndStd, type DeltaTerm } from './delta.js';
export { kubernetesIndexedJob, kubernetesIndexedJobYaml, slurmArrayScript, type EmitOptions } from './emit.js';
export { inspectEntry, type EntryState, type EntryStatus } from './entry-state.js';
export { loadGrid, parseGrid, type Grid, type ReportMetric } from './grid.js';
export {
  comparePlans,
  describeChanges,
  expandGrid,
  PlanConflictError,
  readPlan,
  writePlan,
  type ConfigResolver,
  type Plan,
  type PlanChanges,
  type PlanEntry,
} from './plan.js';
export { runSweep, type PoolEvent, type SweepOptions, type SweepSummary } from './pool.js';
export { runEntry, type EntryOutcome, type RunEntryOptions } from './run-entry.js';
