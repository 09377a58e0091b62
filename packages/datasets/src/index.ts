export {
  encodeNpy,
  npyReadDefaults,
  npyToFloat32,
  npyToInt32,
  parseNpy,
  readNpy,
  readNpyHeader,
  writeNpy,
  type NpyArray,
  type NpyData,
  type NpyDtype,
  type NpyReadOptions,
} from './formats/npy.js';
export { isPickleTuple, readPickle, type PickleCallable, type PickleGlobal, type PickleOptions, type PickleResult } from './formats/pickle.js';
export { isTorchTensor, parseTorchFile, readTorchFile, type TorchDtype, type TorchTensor } from './formats/pth.js';
export { csvField, parseCsv } from './formats/csv.js';
export { loadSplitTable, splitTableFormatOf, type LoadSplitTableOptions, type SplitTableFormat } from './splits/load-split-table.js';
export { readSplitTablePth, splitTableFromTorch } from './splits/split-table-pth.js';
export { parseSplitTableJson, readSplitTableJson, splitTableToJson } from './splits/split-table-json.js';
export { parseSplitTableCsv, readSplitTableCsv, splitTableToCsv } from './splits/split-table-csv.js';
export { createSplit, splitScenarios, type CreateSplitOptions, type SplitScenario } from './splits/scenarios.js';
