// Child-process entry of the step benchmark: runs one backend/config and prints its result as one JSON line.
// Usage: node dist/step-child.js '<json options>' (built by step.ts; options as runStep takes them).

import type { BackendName } from '@partial-mtl/core';
import { runStep, type StepConfig } from './segnet-step.js';

interface ChildOptions {
  backend: BackendName;
  config: StepConfig;
  customGradients: boolean;
  threads?: number;
  profile?: boolean;
}

const options = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
const result = await runStep(options);
process.stdout.write(`${JSON.stringify(result)}\n`);
