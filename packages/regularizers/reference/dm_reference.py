# Independent PyTorch reference of distribution matching and soft co-annotation (Kollias, Sharmanska & Zafeiriou,
# "Distribution Matching for Multi-Task Learning of Classification Tasks", AAAI 2024, arXiv 2401.01219), written from
# ../../../../shared/specs/distribution-matching.md (§2 notation, §3 relatedness: Du 2014 table and empirical estimate,
# §4 losses, §6 any class -> attribute pair), not from the TypeScript. It writes test/fixtures/dm-reference.json: the
# inputs, the relatedness matrices and, in float64, per configuration the regularizer's loss, its four logged parts and
# the gradients of the loss and of each part w.r.t. both tasks' logits; and the supervised L_exp + L_au.
# dm-reference.test.ts runs createDistributionMatching (and supervisedClassificationLoss) on the same inputs.
#
# Setting (§6: "expression" = a multiclass task, K = 4 classes; "AU" = a multilabel task, M = 3 attributes), B = 6:
#   0: class 2;               attribute task not labelled (its label row holds 0/1 values that must be ignored)
#   1: class not labelled (label 3 must be ignored); attributes [1, ?, 0]
#   2: class 0;               attributes [1, 0, ?]
#   3: class not labelled;    attribute task labelled but every entry unknown (-1): neither
#   4: class labelled as -1 (unknown); attributes [0, 1, 1]
#   5: class 3;               attributes [?, ?, 1]
# "?" is -1 (EmotioNet's unknown, §4 "per-sample unknowns"). A label counts when the task's label-mask entry is 1 and
# it is not -1 (README "Distribution matching", Masks). Logits are random; sample 3 has one dominant class, so some
# implied marginals q fall below the 1e-6 clip (and their gradient is zero). The hand-chosen R has no one-hot row, a 1
# (so R' clips) and a zero (so log R' clips). Other matrices: Du 2014 (§3 table, classes Happiness, Sadness, Surprise,
# Neutral and attributes AU1, AU6, AU14, so the Neutral row and the AU14 column are zero: AU14 takes no part, §4
# `relatedAus`), with observational shares and with ones, and the empirical estimate (§3 formula, alpha 0.5) from a
# separate co-annotated set.
#
# Reading of the spec where it leaves a choice (each stated, none taken from the TypeScript):
# - "no AU labels" / "with AUs" (§4 co-annotation; `dmOn: 'missingOther'`) count only related AUs, as §4's last bullet
#   says co-annotation and matching use only the AUs R covers (README: "no related attribute label").
# - `dmOn: 'missingOther'`: each direction only on samples without a label of the head it trains (expression -> AU on
#   samples without related AU labels, AU -> expression on samples without a class).
# - `coannotation: 'hard'` (§4 names it, no formula): README "binarises R[y,:] at 0.5 and takes the posterior's
#   argmax" (no R entry here is 0.5).
# - The regularizer's loss is `lambdaSca * L_sca + lambdaDm * L_dm` without L_exp + L_au (§4 "Total" has them): README
#   "Supervised losses are not a regularizer's job". L_exp + L_au are written separately ('supervised'), with
#   `auNormalisation: 'sample'` read as the mean over samples with an annotated AU of each one's masked mean BCE.
#
# Usage (Debian's python3-torch 1.13), from packages/regularizers:
#   /usr/bin/python3 reference/dm_reference.py > test/fixtures/dm-reference.json

import torch
from fixture_output import write_fixture

torch.manual_seed(2401)
DT = torch.float64
K, M, B = 4, 3, 6

CLASS_LABELS = [2, 3, 0, 1, -1, 3]
CLASS_MASK = [1, 0, 1, 0, 1, 1]
ATTRIBUTE_LABELS = [[1, 0, 1], [1, -1, 0], [1, 0, -1], [-1, -1, -1], [0, 1, 1], [-1, -1, 1]]
ATTRIBUTE_MASK = [0, 1, 1, 1, 1, 1]

MATRIX = [
    [0.9, 0.2, 0.0],
    [0.1, 0.7, 0.4],
    [0.0, 1.0, 0.6],
    [0.3, 0.0, 0.05],
]

# §3 table: expression -> {AU: value}; prototypical 1, observational the share of subjects.
DU2014 = {
    'Happiness': {12: 1, 25: 1, 6: 0.51},
    'Sadness': {4: 1, 15: 1, 1: 0.60, 6: 0.50, 11: 0.26, 17: 0.67},
    'Fear': {1: 1, 4: 1, 20: 1, 25: 1, 2: 0.57, 5: 0.63, 26: 0.33},
    'Anger': {4: 1, 7: 1, 24: 1, 10: 0.26, 17: 0.52, 23: 0.29},
    'Surprise': {1: 1, 2: 1, 25: 1, 26: 1, 5: 0.66},
    'Disgust': {9: 1, 10: 1, 17: 1, 4: 0.31, 24: 0.26},
    'Neutral': {},
}
DU_CLASSES = ['Happiness', 'Sadness', 'Surprise', 'Neutral']
DU_AUS = [1, 6, 14]


def du2014(observational):
    """R[k, i]: 1 for prototypical AUs, the share (or 1 with 'one') for observational ones, 0 otherwise."""
    rows = []
    for name in DU_CLASSES:
        table = DU2014[name]
        rows.append([(1.0 if observational == 'one' else float(table[au])) if au in table else 0.0 for au in DU_AUS])
    return torch.tensor(rows, dtype=DT)


# Co-annotated data for the empirical estimate (class -1 = none: skipped; attribute -1 = not annotated).
N_COANNOTATED = 14
coannotated_classes = torch.randint(-1, K, (N_COANNOTATED,))
coannotated_attributes = torch.randint(-1, 2, (N_COANNOTATED, M))
ALPHA = 0.5


def empirical(alpha):
    """§3: R[k, i] = (n_ki + alpha) / (n_k + 2 alpha), n_k (per i) the class-k samples with AU i annotated."""
    R = torch.zeros(K, M, dtype=DT)
    for k in range(K):
        for i in range(M):
            annotated = [n for n in range(N_COANNOTATED)
                         if coannotated_classes[n] == k and coannotated_attributes[n, i] >= 0]
            on = [n for n in annotated if coannotated_attributes[n, i] == 1]
            R[k, i] = (len(on) + alpha) / (len(annotated) + 2 * alpha)
    return R


# Logits.
class_logits = (torch.randn(B, K, dtype=DT) * 1.5)
class_logits[3] = torch.tensor([9.0, -8.0, -8.5, -7.5], dtype=DT)  # q of AUs off for class 0 falls below the clip
attribute_logits = torch.randn(B, M, dtype=DT) * 1.5
class_logits.requires_grad_()
attribute_logits.requires_grad_()

# ---- labels as the spec's y, u, m (§2) ----
labels_t = torch.tensor(ATTRIBUTE_LABELS, dtype=DT)
has_y = [CLASS_MASK[b] == 1 and CLASS_LABELS[b] >= 0 for b in range(B)]
annotated = (torch.tensor(ATTRIBUTE_MASK, dtype=DT).view(B, 1) * (labels_t >= 0).to(DT))  # m [B, M]
u = labels_t.clamp_min(0)  # 0/1 where annotated


def log_sigmoid(z):
    return torch.nn.functional.logsigmoid(z)


def bce(t, z):
    """Binary cross-entropy of target t (soft, maybe differentiable) against logit z, elementwise."""
    return -(t * log_sigmoid(z) + (1 - t) * log_sigmoid(-z))


def mean_over(values, samples):
    """§4: a mean over the samples the term applies to; none gives 0."""
    if not samples:
        return torch.zeros((), dtype=DT)
    return torch.stack([values(b) for b in samples]).mean()


def losses(R, cfg):
    """The four terms of §4 (co-annotation both ways, matching both ways) for the options in cfg."""
    rel = [i for i in range(M) if bool((R[:, i] != 0).any())]  # relatedAus: AUs with a non-zero column
    Rr = R[:, rel]
    Rc = Rr.clamp(cfg['relatednessClip'], 1 - cfg['relatednessClip'])  # R'
    has_au = [bool(annotated[b, rel].sum() > 0) for b in range(B)]
    log_p = torch.log_softmax(class_logits, dim=1)
    p = torch.softmax(class_logits, dim=1)
    zA = attribute_logits[:, rel]
    sg = (lambda x: x.detach()) if cfg['detachTarget'] else (lambda x: x)
    zero = torch.zeros((), dtype=DT)

    # Soft (or hard) co-annotation.
    sca_to_au, sca_to_exp = zero, zero
    if cfg['coannotation'] != 'off':
        def to_au(b):
            t = Rr[CLASS_LABELS[b]]
            if cfg['coannotation'] == 'hard':
                t = (t >= 0.5).to(DT)
            return bce(t, zA[b]).mean()

        def to_exp(b):
            mb, ub = annotated[b, rel], u[b, rel]
            log_s = torch.stack([(mb * (ub * torch.log(Rc[k]) + (1 - ub) * torch.log(1 - Rc[k]))).sum()
                                 for k in range(K)])
            t = torch.softmax(log_s, dim=0)
            if cfg['coannotation'] == 'hard':
                t = torch.nn.functional.one_hot(t.argmax(), K).to(DT)
            return -(t * log_p[b]).sum()

        sca_to_au = mean_over(to_au, [b for b in range(B) if has_y[b] and not has_au[b]])
        sca_to_exp = mean_over(to_exp, [b for b in range(B) if has_au[b] and not has_y[b]])

    # Distribution matching.
    q = (p @ Rr).clamp(cfg['probabilityClip'], 1 - cfg['probabilityClip'])
    dm_to_au, dm_to_exp = zero, zero
    if cfg['direction'] in ('both', 'expToAu'):
        samples = range(B) if cfg['dmOn'] == 'all' else [b for b in range(B) if not has_au[b]]
        dm_to_au = mean_over(lambda b: bce(sg(q[b]), zA[b]).mean(), list(samples))
    if cfg['direction'] in ('both', 'auToExp'):
        samples = range(B) if cfg['dmOn'] == 'all' else [b for b in range(B) if not has_y[b]]
        a = torch.sigmoid(zA)
        if cfg['auToExpForm'] == 'perAu':
            def to_exp_dm(b):
                ab = sg(a[b])
                return -(ab * torch.log(q[b]) + (1 - ab) * torch.log(1 - q[b])).mean()
        else:
            log_r, log_not_r = torch.log(Rc), torch.log(1 - Rc)  # [K, |rel|]

            def to_exp_dm(b):
                t = torch.softmax(a[b] @ log_r.T + (1 - a[b]) @ log_not_r.T, dim=0)
                if cfg['detachTarget']:
                    t = t.detach()
                return -(t * log_p[b]).sum()
        dm_to_exp = mean_over(to_exp_dm, list(samples))
    return {
        'coannotationClassToAttribute': sca_to_au,
        'coannotationAttributeToClass': sca_to_exp,
        'matchingClassToAttribute': dm_to_au,
        'matchingAttributeToClass': dm_to_exp,
    }


def supervised(normalisation):
    """§4 supervised: L_exp = CE on samples with y; L_au = masked BCE over all M attributes, batch or per sample."""
    l_exp = mean_over(lambda b: -torch.log_softmax(class_logits[b], 0)[CLASS_LABELS[b]],
                      [b for b in range(B) if has_y[b]])
    terms = annotated * bce(u, attribute_logits)
    if normalisation == 'batch':
        l_au = terms.sum() / annotated.sum()
    else:
        l_au = mean_over(lambda b: terms[b].sum() / annotated[b].sum(),
                         [b for b in range(B) if annotated[b].sum() > 0])
    return l_exp + l_au


def gradients(value):
    """d value / d logits; a term with no path to a logit (stop-gradient, no eligible sample) gives exact zeros."""
    gc, ga = None, None
    if value.requires_grad:
        gc, ga = torch.autograd.grad(value, [class_logits, attribute_logits], retain_graph=True, allow_unused=True)
    gc = torch.zeros_like(class_logits) if gc is None else gc
    ga = torch.zeros_like(attribute_logits) if ga is None else ga
    return {'classLogits': gc.flatten().tolist(), 'attributeLogits': ga.flatten().tolist()}


BASE = {
    'relatedness': 'matrix',
    'coannotation': 'soft',
    'direction': 'both',
    'auToExpForm': 'perAu',
    'detachTarget': True,
    'dmOn': 'all',
    'lambdaSca': 0.7,
    'lambdaDm': 1.3,
    'probabilityClip': 1e-6,
    'relatednessClip': 1e-3,
}
CONFIGS = {
    'perAu': {},
    'perAuNoDetach': {'detachTarget': False},
    'naiveBayes': {'auToExpForm': 'naiveBayes'},
    'naiveBayesNoDetach': {'auToExpForm': 'naiveBayes', 'detachTarget': False},
    'hardCoannotation': {'coannotation': 'hard'},
    'missingOther': {'dmOn': 'missingOther', 'lambdaSca': 0.4},
    'expToAuOnly': {'direction': 'expToAu', 'coannotation': 'off', 'lambdaDm': 0.6},
    # The recalled FaceBehaviorNet form (§4): AU -> expression only, no detach.
    'faceBehaviorNet': {'direction': 'auToExp', 'detachTarget': False, 'coannotation': 'off'},
    'clips': {'auToExpForm': 'naiveBayes', 'probabilityClip': 0.02, 'relatednessClip': 0.05},
    'du2014Share': {'relatedness': 'du2014', 'observationalValue': 'share'},
    'du2014One': {'relatedness': 'du2014', 'observationalValue': 'one', 'auToExpForm': 'naiveBayes'},
    'empirical': {'relatedness': 'empirical', 'alpha': ALPHA, 'detachTarget': False},
}


def matrix_of(cfg):
    if cfg['relatedness'] == 'matrix':
        return torch.tensor(MATRIX, dtype=DT)
    if cfg['relatedness'] == 'du2014':
        return du2014(cfg['observationalValue'])
    return empirical(cfg['alpha'])


def expected(cfg):
    R = matrix_of(cfg)
    parts = losses(R, cfg)
    loss = (cfg['lambdaSca'] * (parts['coannotationClassToAttribute'] + parts['coannotationAttributeToClass'])
            + cfg['lambdaDm'] * (parts['matchingClassToAttribute'] + parts['matchingAttributeToClass']))
    return {
        'options': cfg,
        'relatednessMatrix': R.tolist(),
        'loss': loss.item(),
        'parts': {key: value.item() for key, value in parts.items()},
        'gradients': {'loss': gradients(loss), **{key: gradients(value) for key, value in parts.items()}},
    }


write_fixture(
    {
        'about': f'reference/dm_reference.py, PyTorch {torch.__version__}, float64: distribution matching and '
        'soft co-annotation',
        'batchSize': B,
        'classes': K,
        'attributes': M,
        'classLabels': CLASS_LABELS,
        'attributeLabels': ATTRIBUTE_LABELS,
        'labelMask': [[c, a] for c, a in zip(CLASS_MASK, ATTRIBUTE_MASK)],
        'classLogits': class_logits.detach().tolist(),
        'attributeLogits': attribute_logits.detach().tolist(),
        'relatedness': MATRIX,
        'du2014': {'classNames': DU_CLASSES, 'attributeNames': [f'AU{au}' for au in DU_AUS]},
        'coannotatedData': {
            'classLabels': coannotated_classes.tolist(),
            'attributeLabels': coannotated_attributes.tolist(),
        },
        'expected': {name: expected({**BASE, **overrides}) for name, overrides in CONFIGS.items()},
        'supervised': {
            norm: {'loss': supervised(norm).item(), 'gradients': gradients(supervised(norm))}
            for norm in ('batch', 'sample')
        },
    }
)
