# Independent PyTorch reference of pairwise cross-task consistency (Li, Liu & Bilen, "Learning Multiple Dense
# Prediction Tasks from Partially Annotated Data", CVPR 2022, arXiv 2111.14893; official code VICO-UoE/MTPSL), written
# from ../../../../shared/specs/pairwise.md (§1 the FiLM mapping network and the pair index, §2 pairs, sides, prepPred
# and prepGT, §3 the loss and detaching, §4 λ and 1/B, §6 the clean option), not from the TypeScript. It writes
# test/fixtures/pairwise-reference.json: inputs, mapping-network weights, and in float64 the loss, its logged parts and
# the gradients w.r.t. every view-1 prediction, the anchor f and every mapping-network weight.
# pairwise-reference.test.ts loads the same weights into createPairwiseConsistency and compares.
#
# Settings: tasks semseg (3 classes, ignore -1), depth (ignore 0), normals (ignore 0-vector); four samples at 8x8,
# labelled [semseg], [depth, normals], [normals] and [all three], so that every task is a source somewhere, five of
# the six pair codes occur, one pair, (semseg, normal), has two samples (what clean mode batches), and one sample has
# no pair (it still counts in B). Two samples with pairs cannot cover every source and share a pair (a shared (s, t)
# needs s unlabelled in both and t labelled in both), hence four samples. Mapping width 0.125, 2 encoder stages
# (channels 8, 16; stage 2 has an 8 -> 16 conv), so the mapping output and the anchor f are 16 x 2 x 2.
# λ 1.5, r 0.5. Predicted segmentation enters the mapping as the softmax (the TypeScript's `segmentationPrediction:
# 'softmax'`, an extension documented in pairwise.ts and the README: no Gumbel draw, so both sides see the same
# numbers). Weights, biases, BN affine and FiLM tables are random (not the 1/0 init), so a mix-up of gamma and beta,
# of BN affine and FiLM, or of pair codes changes the numbers. Labels contain invalid pixels (-1, 0, zero normal):
# the consistency loss applies no mask (§2), so they enter as prepGT makes them (zero one-hot, 0, 0.5).
#
# Modes (§4, §6): 'faithful' maps per sample and per pair with batch 1 (BN statistics over one sample, train mode);
# 'clean' makes one mapping call per ordered pair (s, t) over all samples that have that pair, in the order of the
# samples (BN statistics over those samples); everything else is identical.
#
# Logged parts besides the loss: `consistency` (Σ L_pair / B, before λ), `pairs` (the number of (sample, pair) terms)
# and the two collapse diagnostics of the README ("Logged parts"; `crossSampleSimilarity`: the mean over ordered pairs
# of rows i != j and over positions of cos_c(x_i, x_j), each norm clamped at 1e-12): `anchorSimilarity` over the B
# anchors, `mappedSimilarity` over every mapped label M(prepGT_t(y_t)) the loss computed (one row per (sample, pair)).
# These are not in pairwise.md; they have no gradient.
#
# Usage (Debian's python3-torch 1.13), from packages/regularizers:
#   /usr/bin/python3 reference/pairwise_reference.py > test/fixtures/pairwise-reference.json
import math

import torch
import torch.nn.functional as F
from fixture_output import flat, hwio, nhwc, write_fixture

torch.manual_seed(11)
DT = torch.float64
B, H, W = 4, 8, 8
CLASSES = 3
TASKS = ['semseg', 'depth', 'normal']
T = len(TASKS)
IN_CHANNELS = {'semseg': CLASSES, 'depth': 1, 'normal': 3}
WIDTH = 0.125
STAGE_CHANNELS = [max(8, math.floor(c * WIDTH)) for c in (64, 128)]  # 8, 16: the first two of §1's stages
STAGE_REPEATS = [2, 2]  # §1: stage 1 is 2x FC(64->64), stage 2 FC(64->128), FC(128->128)
PAIRS = T * (T - 1)
LAMBDA = 1.5
R = 0.5
LABELLED = [[1, 0, 0], [0, 1, 1], [0, 0, 1], [1, 1, 1]]  # [sample][task]
BN_EPS = 1e-5  # nn.BatchNorm2d's default (the official mapping uses it)
COS_EPS = 1e-12
MAX_EPS = 1e-12
ANCHOR_HW = (H // 2 ** len(STAGE_CHANNELS), W // 2 ** len(STAGE_CHANNELS))


def pair_index(s, t):
    """§1: k(s, t) = s(T-1) + t - [t > s]."""
    return s * (T - 1) + t - (1 if t > s else 0)


# ---- inputs (NCHW here; written NHWC) ----
seg_label = torch.randint(0, CLASSES, (B, 1, H, W))
seg_label[0, 0, 1, 2:6] = -1  # invalid segmentation pixels in the semseg-labelled sample
seg_label[3, 0, 6, 0:2] = -1
depth_label = torch.rand(B, 1, H, W, dtype=DT) * 8 + 0.5
depth_label[1, 0, 3, 1:4] = 0  # invalid depth
depth_label[3, 0, 0, 0] = 0
normal_label = F.normalize(torch.randn(B, 3, H, W, dtype=DT), dim=1)
normal_label[1, :, 4, 4] = 0  # invalid normals
normal_label[2, :, 7, 2:4] = 0
labels = {'semseg': seg_label, 'depth': depth_label, 'normal': normal_label}
predictions = {
    'semseg': torch.randn(B, CLASSES, H, W, dtype=DT).requires_grad_(),
    # Unconstrained depth (§4 quirk: max-normalised as it is), a few negative values.
    'depth': (torch.randn(B, 1, H, W, dtype=DT) * 2 + 3).requires_grad_(),
    'normal': F.normalize(torch.randn(B, 3, H, W, dtype=DT), dim=1).requires_grad_(),
}
# The MTL bottleneck f (after ReLU and pooling: non-negative), 16 x 2 x 2 per sample.
anchor = torch.rand(B, STAGE_CHANNELS[-1], *ANCHOR_HW, dtype=DT).requires_grad_()


# ---- the mapping network (§1) ----
def conv_param(cin, cout):
    return {
        'weight': (torch.randn(cout, cin, 3, 3, dtype=DT) * math.sqrt(2.0 / (cin * 9 + cout * 9))).requires_grad_(),
        'bias': (torch.randn(cout, dtype=DT) * 0.1).requires_grad_(),
        'bn_gamma': (1 + 0.2 * torch.randn(cout, dtype=DT)).requires_grad_(),
        'bn_beta': (0.1 * torch.randn(cout, dtype=DT)).requires_grad_(),
    }


def film_param(cin, cout):
    p = conv_param(cin, cout)
    p['film_gamma'] = (1 + 0.3 * torch.randn(cout, PAIRS, dtype=DT)).requires_grad_()  # C_out x T(T-1)
    p['film_beta'] = (0.2 * torch.randn(cout, PAIRS, dtype=DT)).requires_grad_()
    return p


stems = {name: conv_param(IN_CHANNELS[name], STAGE_CHANNELS[0]) for name in TASKS}
encoder = []
cin = STAGE_CHANNELS[0]
for cout, repeats in zip(STAGE_CHANNELS, STAGE_REPEATS):
    stage = []
    for _ in range(repeats):
        stage.append(film_param(cin, cout))
        cin = cout
    encoder.append(stage)


def conv_bn(x, p):
    y = F.conv2d(x, p['weight'], p['bias'], padding=1)
    return F.batch_norm(y, None, None, p['bn_gamma'], p['bn_beta'], training=True, eps=BN_EPS)  # train mode


def mapping(x, task, k):
    """M(x, stem task, pair code k): stem (no FiLM), then FC layers x*gamma[k] + beta[k] after BN, MaxPool per stage."""
    h = F.relu(conv_bn(x, stems[task]))
    for stage in encoder:
        for p in stage:
            h = conv_bn(h, p)
            h = h * p['film_gamma'][:, k].view(1, -1, 1, 1) + p['film_beta'][:, k].view(1, -1, 1, 1)
            h = F.relu(h)
        h = F.max_pool2d(h, 2, 2)
    return h


# ---- prepPred / prepGT (§2) ----
def sample_max(x):
    return x.flatten(1).max(dim=1).values.view(-1, 1, 1, 1)


def prep_pred(task, p):
    if task == 'semseg':
        return F.softmax(p, dim=1)  # `segmentationPrediction: 'softmax'` (not the spec's Gumbel sample)
    if task == 'depth':
        return p / (sample_max(p) + MAX_EPS)
    return (p + 1) / 2


def prep_gt(task, y):
    if task == 'semseg':
        ids = y[:, 0]
        one_hot = F.one_hot(ids.clamp_min(0), CLASSES).permute(0, 3, 1, 2).to(DT)
        return one_hot * (ids >= 0).unsqueeze(1).to(DT)
    if task == 'depth':
        return y / (sample_max(y) + MAX_EPS)
    return (y + 1) / 2


# ---- loss (§3) ----
def cosine(a, b):
    """cos over channels per position, each norm clamped at 1e-12: [N, h, w]."""
    dot = (a * b).sum(1)
    return dot / (a.norm(dim=1).clamp_min(COS_EPS) * b.norm(dim=1).clamp_min(COS_EPS))


def distance(a, b):
    """D(a, b) = 1 - mean_hw cos_c(a, b), per sample."""
    return 1 - cosine(a, b).mean(dim=(1, 2))


def sample_pairs(row):
    sources = [s for s in range(T) if row[s] == 0]
    targets = [t for t in range(T) if row[t] == 1]
    return [(s, t) for s in sources for t in targets]


def pair_terms(s, t, samples):
    """L_pair for each sample of `samples` (one mapping call per side over them), and the mapped labels."""
    k = pair_index(s, t)
    idx = torch.tensor(samples)
    source, target = TASKS[s], TASKS[t]
    ms = mapping(prep_pred(source, predictions[source][idx]), source, k)
    mt = mapping(prep_gt(target, labels[target][idx]), target, k)
    f = anchor[idx].detach()  # stop f
    loss = distance(ms, mt)
    if R > 0:
        loss = loss + R * (distance(ms, f) + distance(mt, f))
    return loss, mt


def cross_sample_similarity(x):
    """Mean over ordered pairs of rows i != j and positions of cos_c(x_i, x_j)."""
    n = x.shape[0]
    total = sum(cosine(x[i:i + 1], x[j:j + 1]).sum() for i in range(n) for j in range(n) if i != j)
    return total / (n * (n - 1) * x.shape[2] * x.shape[3])


def pairwise_loss(mode):
    terms, mapped = [], []
    if mode == 'faithful':
        for i, row in enumerate(LABELLED):
            for s, t in sample_pairs(row):
                loss, mt = pair_terms(s, t, [i])
                terms.append(loss)
                mapped.append(mt)
    else:
        for s in range(T):
            for t in range(T):
                samples = [i for i, row in enumerate(LABELLED) if (s, t) in sample_pairs(row)]
                if samples:
                    loss, mt = pair_terms(s, t, samples)
                    terms.append(loss)
                    mapped.append(mt)
    consistency = torch.cat(terms).sum() / B  # §3 sum over pairs, §4 (1/B) sum over samples
    with torch.no_grad():
        diagnostics = {
            'anchorSimilarity': cross_sample_similarity(anchor).item(),
            'mappedSimilarity': cross_sample_similarity(torch.cat(mapped)).item(),
        }
    return LAMBDA * consistency, consistency, sum(len(x) for x in terms), diagnostics


# ---- output: NHWC tensors, HWIO kernels, FiLM tables as [C_out, T(T-1)] ----


named = {}  # the TypeScript's variable name -> (tensor, layout)


def add_conv_bn(prefix, p):
    named[f'{prefix}.conv.weight'] = (p['weight'], hwio)
    named[f'{prefix}.conv.bias'] = (p['bias'], flat)
    named[f'{prefix}.bn.gamma'] = (p['bn_gamma'], flat)
    named[f'{prefix}.bn.beta'] = (p['bn_beta'], flat)


for name, p in stems.items():
    add_conv_bn(f'pairwise.stem.{name}', p)
for s, stage in enumerate(encoder):
    for i, p in enumerate(stage):
        add_conv_bn(f'pairwise.encoder.{s}.{i}', p)
        named[f'pairwise.encoder.{s}.{i}.gamma'] = (p['film_gamma'], flat)
        named[f'pairwise.encoder.{s}.{i}.beta'] = (p['film_beta'], flat)

prediction_list = [predictions[name] for name in TASKS]
parameters = [tensor for tensor, _ in named.values()]


def expected(mode):
    loss, consistency, pairs, diagnostics = pairwise_loss(mode)
    inputs = prediction_list + [anchor] + parameters
    grads = torch.autograd.grad(loss, inputs, allow_unused=True)
    grads = [g if g is not None else torch.zeros_like(x) for g, x in zip(grads, inputs)]
    n = len(prediction_list)
    return {
        'loss': loss.item(),
        'parts': {'consistency': consistency.item(), 'pairs': pairs, **diagnostics},
        'predictionGradients': {name: nhwc(g) for name, g in zip(TASKS, grads[:n])},
        'anchorGradient': nhwc(grads[n]),
        'weightGradients': {name: layout(g) for (name, (_, layout)), g in zip(named.items(), grads[n + 1:])},
    }


write_fixture(
    {
        'about': f'reference/pairwise_reference.py, PyTorch {torch.__version__}, float64: pairwise consistency, '
        'softmax segmentation',
        'batchSize': B,
        'height': H,
        'width': W,
        'classes': CLASSES,
        'anchorShape': [B, *ANCHOR_HW, STAGE_CHANNELS[-1]],
        'labelMask': LABELLED,
        'settings': {
            'widthMultiplier': WIDTH,
            'stages': len(STAGE_CHANNELS),
            'consistencyWeight': LAMBDA,
            'anchorWeight': R,
        },
        'labels': {name: nhwc(t.to(DT)) for name, t in labels.items()},
        'predictions': {name: nhwc(t) for name, t in predictions.items()},
        'anchor': nhwc(anchor),
        'weights': {name: layout(tensor) for name, (tensor, layout) in named.items()},
        'expected': {'faithful': expected('faithful'), 'clean': expected('clean')},
    }
)
