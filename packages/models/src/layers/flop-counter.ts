// Multiply-add counting for `summarizeNetwork`: while a count is active, conv and linear layers add their
// multiply-adds and skip the arithmetic (returning zeros of the right shape), so a forward pass at full size is
// cheap. Batch norm, ReLU, pooling and element-wise ops are not counted (they are a few % of a CNN's FLOPs).

interface FlopCount {
  multiplyAdds: number;
}

let active: FlopCount | undefined;

/** Runs `forward` with counting on and returns the multiply-adds the counted layers reported. */
export function countMultiplyAdds(forward: () => void): number {
  if (active) throw new Error('countMultiplyAdds: counts cannot be nested');
  const count: FlopCount = { multiplyAdds: 0 };
  active = count;
  try {
    forward();
  } finally {
    active = undefined;
  }
  return count.multiplyAdds;
}

/** True while a count runs: layers then report and skip their arithmetic. */
export function isCountingFlops(): boolean {
  return active !== undefined;
}

/** Called by layers while counting. */
export function reportMultiplyAdds(multiplyAdds: number): void {
  if (active) active.multiplyAdds += multiplyAdds;
}
