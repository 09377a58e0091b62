# Independent PyTorch reference of JTR's loss in clean mode (Nishi, Kim, Li & Pfister, "Joint-Task Regularization
# for Partially Labeled Multi-Task Learning", CVPR 2024, arXiv 2404.01976), written from ../../../../shared/specs/jtr.md
# (§1 stacks, §2 gradient stopping, §3 SegNet_JTR with MaxPool indices and MaxUnpool, §4 distance and reconstruction,
# §8 the clean column), not from the TypeScript. It writes test/fixtures/jtr-reference.json: inputs, auto-encoder
# weights, and in float64 the loss, its parts and the gradients w.r.t. every prediction and every auto-encoder weight.
# jtr-reference.test.ts loads the same weights into createJointTaskRegularization and compares.
#
# Settings: tasks semseg (3 classes, ignore -1), depth (ignore 0), normals (ignore 0-vector); two samples per view at
# 8x8, one labelled for semseg, one for depth and normals; auto-encoder width 0.125 and 2 stages (channels 8, 16);
# weights 4 / 2 / 2; depth Phi constants 4.71 / 2.22; predicted segmentation encoded as the softmax (no Gumbel draw,
# so the two implementations see the same numbers). Some labels are invalid (-1, 0, zero normal) so the joint mask
# is not all ones.
#
# Usage (Debian's python3-torch 1.13): /usr/bin/python3 reference/jtr_reference.py > test/fixtures/jtr-reference.json
import math

import torch
import torch.nn.functional as F
from fixture_output import flat, hwio, nhwc, write_fixture

torch.manual_seed(7)
DT = torch.float64
B, H, W = 2, 8, 8
CLASSES = 3
CHANNELS = [8, 16]  # max(8, floor(64 * 0.125)), max(8, floor(128 * 0.125))
IN_CHANNELS = CLASSES + 1 + 3
WEIGHTS = {'distance': 4.0, 'second_distance': 2.0, 'reconstruction': 2.0}
PHI_MEAN, PHI_STD = 4.71, 2.22
LABELLED = [[1, 0, 0], [0, 1, 1]]  # [sample][task]: semseg, depth, normal
BN_EPS = 1e-5
COS_EPS = 1e-12


def phi(x):
    return 0.5 * (1 + torch.erf((x - PHI_MEAN) / (PHI_STD * math.sqrt(2))))


# ---- inputs (NCHW here; written NHWC) ----
def make_view():
    seg = torch.randint(0, CLASSES, (B, 1, H, W))
    seg[0, 0, 0, :3] = -1  # invalid segmentation pixels in the semseg-labelled sample
    depth = torch.rand(B, 1, H, W, dtype=DT) * 8 + 0.5
    depth[1, 0, 2, 2:5] = 0  # invalid depth in the depth-labelled sample
    normal = F.normalize(torch.randn(B, 3, H, W, dtype=DT), dim=1)
    normal[1, :, 5, 5] = 0  # one invalid normal
    logits = torch.randn(B, CLASSES, H, W, dtype=DT, requires_grad=True)
    pred_depth = (torch.rand(B, 1, H, W, dtype=DT) * 8 + 0.5).requires_grad_()
    pred_normal = F.normalize(torch.randn(B, 3, H, W, dtype=DT), dim=1).requires_grad_()
    return {
        'labels': {'semseg': seg, 'depth': depth, 'normal': normal},
        'predictions': {'semseg': logits, 'depth': pred_depth, 'normal': pred_normal},
    }


views = [make_view(), make_view()]


# ---- SegNet_JTR (jtr.md §3) at two stages ----
def conv_param(cin, cout, k):
    return {
        'weight': (torch.randn(cout, cin, k, k, dtype=DT) * math.sqrt(2.0 / (cin * k * k))).requires_grad_(),
        'bias': (torch.randn(cout, dtype=DT) * 0.1).requires_grad_(),
    }


def cbr_param(cin, cout):
    p = conv_param(cin, cout, 3)
    p['gamma'] = (1 + 0.2 * torch.randn(cout, dtype=DT)).requires_grad_()
    p['beta'] = (0.1 * torch.randn(cout, dtype=DT)).requires_grad_()
    return p


encoder = [
    [cbr_param(IN_CHANNELS, CHANNELS[0]), cbr_param(CHANNELS[0], CHANNELS[0])],
    [cbr_param(CHANNELS[0], CHANNELS[1]), cbr_param(CHANNELS[1], CHANNELS[1])],
]
# Decoder stage 0 mirrors encoder stage 1 (16 -> 8, then 8 -> 8); stage 1 mirrors stage 0 (8 -> 8, 8 -> 8).
decoder = [
    [cbr_param(CHANNELS[1], CHANNELS[0]), cbr_param(CHANNELS[0], CHANNELS[0])],
    [cbr_param(CHANNELS[0], CHANNELS[0]), cbr_param(CHANNELS[0], CHANNELS[0])],
]
head = [conv_param(CHANNELS[0], CHANNELS[0], 3), conv_param(CHANNELS[0], IN_CHANNELS, 1)]


def cbr(x, p, frozen=False):
    weight, bias, gamma, beta = (p[k].detach() if frozen else p[k] for k in ('weight', 'bias', 'gamma', 'beta'))
    y = F.conv2d(x, weight, bias, padding=1)
    y = F.batch_norm(y, None, None, gamma, beta, training=True, eps=BN_EPS)  # batch statistics (train mode)
    return F.relu(y)


def encode(x, frozen=False):
    """Latent z (the last pooling output), the pooling indices and each stage's pre-pooling features."""
    indices, features = [], []
    for stage in encoder:
        for block in stage:
            x = cbr(x, block, frozen)
        features.append(x)
        x, idx = F.max_pool2d(x, 2, 2, return_indices=True)
        indices.append(idx)
    return x, indices, features


def unpool(y, idx, before, ties):
    """'first': the official MaxUnpool2d with PyTorch's indices (first maximum of each window). 'all': jtr.md §3's
    TF.js rule, up2(y) * (x == up2(maxpool(x))) with x the encoder's pre-pooling map: every tied maximum gets y."""
    if ties == 'first':
        return F.max_unpool2d(y, idx, 2, 2)
    up = lambda t: t.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
    mask = (before == up(F.max_pool2d(before, 2, 2))).to(DT).detach()
    return up(y) * mask


def auto_encoder(x, ties):
    z, indices, features = encode(x)
    y = z
    for stage, idx, before in zip(decoder, reversed(indices), reversed(features)):
        y = unpool(y, idx, before, ties)
        for block in stage:
            y = cbr(y, block)
    r = F.conv2d(y, head[0]['weight'], head[0]['bias'], padding=1)
    r = F.conv2d(r, head[1]['weight'], head[1]['bias'])
    return z, r


def distance(a, b):
    """D(a, b) = 1 - mean_hw cos_c(a, b), per sample (jtr.md §4)."""
    dot = (a * b).sum(1)
    na = a.norm(dim=1).clamp_min(COS_EPS)
    nb = b.norm(dim=1).clamp_min(COS_EPS)
    return 1 - (dot / (na * nb)).mean(dim=(1, 2))


# ---- stacks (jtr.md §1-2, clean column of §8) ----
def stacks(view):
    labels, preds = view['labels'], view['predictions']
    labelled = torch.tensor(LABELLED, dtype=DT)
    valid = {
        'semseg': (labels['semseg'] != -1).to(DT),
        'depth': (labels['depth'] != 0).to(DT),
        'normal': (labels['normal'].sum(1, keepdim=True) != 0).to(DT),
    }
    names = ['semseg', 'depth', 'normal']
    m = torch.ones(B, 1, H, W, dtype=DT)
    for t, name in enumerate(names):
        is_l = labelled[:, t].view(B, 1, 1, 1)
        m = m * (is_l * valid[name] + (1 - is_l))
    y_parts, yhat_parts = [], []
    for t, name in enumerate(names):
        is_l = labelled[:, t].view(B, 1, 1, 1)
        # Labelled tasks' predictions are detached (§2.1).
        p = is_l * preds[name].detach() + (1 - is_l) * preds[name]
        if name == 'semseg':
            enc_pred = F.softmax(p, dim=1) * m
            ids = labels['semseg'][:, 0]
            one_hot = F.one_hot(ids.clamp_min(0), CLASSES).permute(0, 3, 1, 2).to(DT)
            enc_label = one_hot * (ids >= 0).unsqueeze(1).to(DT)
        elif name == 'depth':
            enc_pred = phi(p * m)
            y = labels['depth']
            enc_label = phi(y * (y != 0).to(DT))
        else:
            enc_pred = (p * m + 1) / 2
            enc_label = (labels['normal'] + 1) / 2
        # Clean quirk 6: "mask all channels of both stacks" (jtr.md §8), predictions included: Phi(p*m) and
        # (p*m+1)/2 are not zero where m is.
        enc_pred, enc_label = enc_pred * m, enc_label * m
        y_parts.append(is_l * enc_label + (1 - is_l) * enc_pred)
        yhat_parts.append(enc_pred)
    return torch.cat(y_parts, 1), torch.cat(yhat_parts, 1), m


def reconstruction(r, target, m):
    """Clean §4: per task, masked, divided by max(1, sum m); normals a true cosine (normalised target)."""
    count = m.sum(dim=(1, 2, 3)).clamp_min(1)
    r_seg, r_depth, r_normal = r[:, :CLASSES], r[:, CLASSES:CLASSES + 1], r[:, CLASSES + 1:]
    t_seg, t_depth, t_normal = target[:, :CLASSES], target[:, CLASSES:CLASSES + 1], target[:, CLASSES + 1:]
    seg = (F.binary_cross_entropy_with_logits(r_seg, t_seg, reduction='none') * m).sum(dim=(1, 2, 3)) / count
    squashed = 0.5 + (torch.sigmoid(r_depth) - 0.5) * (1 - 1e-5)
    depth = ((squashed - t_depth).abs() * m).sum(dim=(1, 2, 3)) / count
    unit_r = r_normal / r_normal.norm(dim=1, keepdim=True).clamp_min(COS_EPS)
    unit_t = t_normal / t_normal.norm(dim=1, keepdim=True).clamp_min(COS_EPS)
    normal = 1 - ((unit_r * unit_t).sum(1, keepdim=True) * m).sum(dim=(1, 2, 3)) / count
    return seg + depth + normal


def jtr_loss(ties):
    y1, yhat1, _ = stacks(views[0])
    z1 = encode(y1, frozen=True)[0]  # §2.2: the term that trains the network sees frozen encoder weights
    zhat1 = encode(yhat1, frozen=True)[0]
    d1 = distance(z1, zhat1)
    y2, yhat2, m2 = stacks(views[1])
    y2, yhat2 = y2.detach(), yhat2.detach()  # §2.3
    z2, r2 = auto_encoder(y2, ties)
    zhat2, rhat2 = auto_encoder(yhat2, ties)
    d2 = distance(z2, zhat2)
    rec = reconstruction(r2, y2, m2) + reconstruction(rhat2, yhat2, m2)  # clean quirk 4: reconstruct the input
    per_sample = WEIGHTS['distance'] * (d1 + WEIGHTS['second_distance'] * d2) + WEIGHTS['reconstruction'] * rec
    return per_sample.sum() / B, d1, d2, rec


# ---- output: NHWC tensors and HWIO kernels, as the TypeScript side uses them ----


named = {}  # our variable name -> (tensor, layout)
for part, stages in (('encoder', encoder), ('decoder', decoder)):
    for s, stage in enumerate(stages):
        for b, block in enumerate(stage):
            prefix = f'jtr.{part}.{s}.{b}'
            named[f'{prefix}.conv.weight'] = (block['weight'], hwio)
            named[f'{prefix}.conv.bias'] = (block['bias'], flat)
            named[f'{prefix}.bn.gamma'] = (block['gamma'], flat)
            named[f'{prefix}.bn.beta'] = (block['beta'], flat)
for i, conv in enumerate(head):
    named[f'jtr.head.{i}.weight'] = (conv['weight'], hwio)
    named[f'jtr.head.{i}.bias'] = (conv['bias'], flat)

task_names = ['semseg', 'depth', 'normal']
predictions = [view['predictions'][name] for view in views for name in task_names]
parameters = [tensor for tensor, _ in named.values()]


def expected(ties):
    loss, d1, d2, rec = jtr_loss(ties)
    grads = torch.autograd.grad(loss, predictions + parameters, allow_unused=True)
    grads = [g if g is not None else torch.zeros_like(x) for g, x in zip(grads, predictions + parameters)]
    prediction_grads = grads[: len(predictions)]
    return {
        'loss': loss.item(),
        'firstViewDistance': d1.tolist(),
        'secondViewDistance': d2.tolist(),
        'reconstruction': rec.tolist(),
        'predictionGradients': [
            {name: nhwc(prediction_grads[v * 3 + t]) for t, name in enumerate(task_names)} for v in range(2)
        ],
        'weightGradients': {
            name: layout(g) for (name, (_, layout)), g in zip(named.items(), grads[len(predictions):])
        },
    }


write_fixture(
    {
        'about': f'reference/jtr_reference.py, PyTorch {torch.__version__}, float64: JTR clean mode, softmax segmentation',
        'batchSize': B,
        'height': H,
        'width': W,
        'classes': CLASSES,
        'labelMask': LABELLED,
        'settings': {
            'widthMultiplier': 0.125,
            'stages': 2,
            'distanceWeight': WEIGHTS['distance'],
            'secondDistanceWeight': WEIGHTS['second_distance'],
            'reconstructionWeight': WEIGHTS['reconstruction'],
            'depthPhi': {'mean': PHI_MEAN, 'std': PHI_STD},
        },
        'views': [
            {
                'labels': {name: nhwc(t.to(DT)) for name, t in view['labels'].items()},
                'predictions': {name: nhwc(t) for name, t in view['predictions'].items()},
            }
            for view in views
        ],
        'weights': {name: layout(tensor) for name, (tensor, layout) in named.items()},
        'expected': {'first': expected('first'), 'all': expected('all')},
    }
)
