// Stands in for @tensorflow/tfjs in bundled child processes that never create tensors (fast start-up).
export const version = 'stub';
