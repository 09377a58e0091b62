#!/usr/bin/env node
// Does a trained pairwise run's mapping network give every image the same output? Loads RUN_DIR's config and last
// checkpoint, maps the labels of the first N validation samples through every ordered task pair
// (`mappingCollapseReport` of @partial-mtl/regularizers) and prints how alike the outputs of different images are,
// next to how alike their anchors (the network's bottleneck) are. The table in
// examples/sweep-synthetic-onelabel/README.md ("The mapping collapses") was measured this way, with N = 32.
//
//   node packages/train/scripts/mapping-collapse.mjs RUN_DIR [N]
import { selectBackend } from '@partial-mtl/core';
import { evaluationBatches } from '@partial-mtl/datasets';
import { mappingCollapseReport } from '@partial-mtl/regularizers';
import {
  assignVariables,
  buildComponents,
  disposeComponents,
  loadCheckpoint,
  openDataset,
  readRunConfig,
} from '@partial-mtl/train';

const [runDirectory, countText = '32'] = process.argv.slice(2);
const count = Number(countText);
if (!runDirectory || !Number.isInteger(count) || count < 2) {
  console.error('usage: node packages/train/scripts/mapping-collapse.mjs RUN_DIR [N ≥ 2, default 32]');
  process.exit(2);
}
await selectBackend({ warn: () => {} });
const config = readRunConfig(runDirectory);
if (config.regularizer.name !== 'pairwise') {
  console.error(`${runDirectory}: regularizer is '${config.regularizer.name}', not pairwise`);
  process.exit(2);
}
const components = await buildComponents(config);
const checkpoint = loadCheckpoint(`${runDirectory}/checkpoints/last`);
if (!checkpoint) {
  console.error(`${runDirectory}/checkpoints/last: no checkpoint`);
  process.exit(2);
}
assignVariables(components.network.namedVariables(), checkpoint.tensors, 'network/');
assignVariables(components.regularizer.namedVariables(), checkpoint.tensors, 'regularizer/');
for (const tensor of checkpoint.tensors.values()) tensor.dispose();

const { validation } = await openDataset(config);
const batches = evaluationBatches(validation, { batchSize: count });
const { value: batch } = await batches.next();
await batches.return(undefined);
// Train-mode batch norm, as the anchor is computed in training.
const output = components.network.apply(batch.images, { training: true });
const report = mappingCollapseReport(
  components.regularizer,
  components.tasks,
  batch.labels,
  output.features.bottleneck,
);
console.log(
  `${runDirectory}: ${batch.images.shape[0]} validation samples, bottleneck ${output.features.bottleneck.shape.slice(1, 3).join('×')}`,
);
console.log(`anchors f: cross-image cosine ${report.anchorSimilarity.toFixed(4)}`);
console.log('| pair (s → t) | M(y_s) | M(y_t) |\n|---|---|---|');
for (const pair of report.pairs)
  console.log(
    `| ${pair.source} → ${pair.target} | ${pair.sourceSimilarity.toFixed(4)} | ${pair.targetSimilarity.toFixed(4)} |`,
  );
disposeComponents(components);
