// Training-mode batch normalisation forward (Ioffe & Szegedy, "Batch Normalization", arXiv 1502.03167):
// normalise by the batch mean and biased variance over every axis but the last (channels).
// The op lives in @partial-mtl/core (wasm-training/batch-norm-train.ts) with its gradient written in closed form
// (no Tile, 7 full-size kernels), which made the wasm training step of SegNet several times faster; the models
// package re-exports it so the layers and their users import it from one place.
export { type BatchNormTrainResult, batchNormTrain } from '@partial-mtl/core';
