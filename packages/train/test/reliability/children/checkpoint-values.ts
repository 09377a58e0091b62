// The tensor values of the SIGKILL test's checkpoint of `step` (shared by the child writer and the parent's check).
export function checkpointValues(step: number, elements: number): Float32Array {
  const values = new Float32Array(elements);
  for (let i = 0; i < elements; i++) values[i] = step * 4096 + (i % 4093);
  return values;
}
