// Published Δ baselines and reference results as named presets (metrics.md §5, §7): JTR's supervised-MTL
// baselines (KentoNishi/JTR-CVPR-2024 README), MTPSL's single-task references (VICO-UoE/MTPSL nyu_mtl_xtc.py,
// cityscapes_mtl_xtc.py) and the JTR poster rows. mIoU is stored as a fraction (27.05 → 0.2705); depth 0.6624
// replaces the README's 0.6626 because it reproduces every poster Δ to within 0.001.
import type { DeltaFlavour, MetricTable } from './delta-m.js';

export interface BaselinePreset {
  readonly flavour: Exclude<DeltaFlavour, 'libmtl'>;
  readonly dataset: 'nyuv2' | 'cityscapes';
  readonly labelSetting: 'full' | 'onelabel' | 'randomlabels';
  /** One metric per task (mIoU / absErr / meanDeg), keyed by core's nyuv2Tasks / cityscapesTasks names. */
  readonly metrics: MetricTable;
  readonly source: string;
}

const jtrSource = 'KentoNishi/JTR-CVPR-2024 README (supervised MTL, same label setting)';
const mtpslSource = 'VICO-UoE/MTPSL nyu_mtl_xtc.py / cityscapes_mtl_xtc.py (single-task models)';

function nyu(seg: number, depth: number, normal: number): MetricTable {
  return { semseg: { mIoU: seg }, depth: { absErr: depth }, normal: { meanDeg: normal } };
}

function cityscapes(seg: number, depth: number): MetricTable {
  return { semseg: { mIoU: seg }, depth: { absErr: depth } };
}

export const baselinePresets = {
  'jtr/nyuv2-onelabel': {
    flavour: 'jtr',
    dataset: 'nyuv2',
    labelSetting: 'onelabel',
    metrics: nyu(0.2575, 0.6511, 33.73),
    source: jtrSource,
  },
  'jtr/nyuv2-randomlabels': {
    flavour: 'jtr',
    dataset: 'nyuv2',
    labelSetting: 'randomlabels',
    metrics: nyu(0.2705, 0.6624, 33.58),
    source: `${jtrSource}; depth 0.6624 (README 0.6626) reproduces the poster`,
  },
  'jtr/cityscapes-onelabel': {
    flavour: 'jtr',
    dataset: 'cityscapes',
    labelSetting: 'onelabel',
    metrics: cityscapes(0.695, 0.0186),
    source: jtrSource,
  },
  'mtpsl/nyuv2-full': {
    flavour: 'mtpsl',
    dataset: 'nyuv2',
    labelSetting: 'full',
    metrics: nyu(0.374474, 0.607902, 25.938105),
    source: mtpslSource,
  },
  'mtpsl/nyuv2-onelabel': {
    flavour: 'mtpsl',
    dataset: 'nyuv2',
    labelSetting: 'onelabel',
    metrics: nyu(0.261113, 0.771502, 30.073763),
    source: mtpslSource,
  },
  'mtpsl/nyuv2-randomlabels': {
    flavour: 'mtpsl',
    dataset: 'nyuv2',
    labelSetting: 'randomlabels',
    metrics: nyu(0.287153, 0.754012, 28.946388),
    source: mtpslSource,
  },
  'mtpsl/cityscapes-full': {
    flavour: 'mtpsl',
    dataset: 'cityscapes',
    labelSetting: 'full',
    metrics: cityscapes(0.7407, 0.0124),
    source: mtpslSource,
  },
  'mtpsl/cityscapes-onelabel': {
    flavour: 'mtpsl',
    dataset: 'cityscapes',
    labelSetting: 'onelabel',
    metrics: cityscapes(0.7004, 0.014),
    source: mtpslSource,
  },
} as const satisfies Record<string, BaselinePreset>;

export type BaselinePresetName = keyof typeof baselinePresets;

/** A preset by name; throws listing the valid names. */
export function baselinePreset(name: string): BaselinePreset {
  const preset = (baselinePresets as Record<string, BaselinePreset>)[name];
  if (preset === undefined) {
    throw new Error(
      `unknown baseline preset '${name}'; valid presets: ${Object.keys(baselinePresets).join(', ')}`,
    );
  }
  return preset;
}

export interface ReferenceResult {
  readonly method: string;
  /** True for methods the JTR authors re-implemented (marked * on the poster). */
  readonly reimplemented: boolean;
  readonly metrics: MetricTable;
  /** The poster's Δ (JTR flavour) in percent. */
  readonly deltaPercent: number;
}

/** JTR poster (website/src/lib/assets/Poster.png); MTPSL rows are JTR's re-run. */
export const referenceResults = {
  nyuv2RandomLabels: [
    { method: 'Supervised MTL', reimplemented: true, metrics: nyu(0.2705, 0.6624, 33.58), deltaPercent: 0 },
    {
      method: 'Consistency Reg.',
      reimplemented: true,
      metrics: nyu(0.295, 0.6224, 33.31),
      deltaPercent: 5.3,
    },
    { method: 'Direct Map', reimplemented: true, metrics: nyu(0.2917, 0.6128, 33.63), deltaPercent: 5.06 },
    { method: 'Perceptual Map', reimplemented: true, metrics: nyu(0.322, 0.6037, 32.07), deltaPercent: 10.8 },
    { method: 'MTPSL', reimplemented: false, metrics: nyu(0.356, 0.5576, 29.7), deltaPercent: 19.66 },
    { method: 'JTR', reimplemented: false, metrics: nyu(0.3708, 0.5541, 29.44), deltaPercent: 21.92 },
  ],
  cityscapesOneLabel: [
    { method: 'Supervised MTL', reimplemented: true, metrics: cityscapes(0.695, 0.0186), deltaPercent: 0 },
    {
      method: 'Consistency Reg.',
      reimplemented: true,
      metrics: cityscapes(0.7167, 0.0178),
      deltaPercent: 3.712,
    },
    { method: 'MTPSL', reimplemented: false, metrics: cityscapes(0.7209, 0.0168), deltaPercent: 6.702 },
    { method: 'JTR', reimplemented: false, metrics: cityscapes(0.7233, 0.0163), deltaPercent: 8.219 },
  ],
  /** Taskonomy, 7 tasks: Δ % only (per-metric values and the baseline are not published). */
  taskonomyDeltaPercent: {
    onelabel: { 'Consistency Reg.': 1.567, MTPSL: 1.973, JTR: 3.512 },
    randomlabels: { 'Consistency Reg.': 2.254, MTPSL: 1.261, JTR: 4.095 },
    halflabels: { 'Consistency Reg.': 2.326, MTPSL: 3.16, JTR: 5.075 },
  },
} as const satisfies {
  nyuv2RandomLabels: readonly ReferenceResult[];
  cityscapesOneLabel: readonly ReferenceResult[];
  taskonomyDeltaPercent: Record<string, Record<string, number>>;
};
