# Shared output helpers of the PyTorch reference scripts (jtr_reference.py, pairwise_reference.py,
# dm_reference.py): tensors in the TypeScript side's layouts, and the fixture written as rounded JSON on stdout.
import json
import sys


def nhwc(x):
    """An NCHW tensor as a flat NHWC list (tfjs's layout)."""
    return x.detach().permute(0, 2, 3, 1).contiguous().flatten().tolist()


def hwio(w):
    """A PyTorch conv kernel [out, in, kh, kw] as a flat tfjs kernel [kh, kw, in, out]."""
    return w.detach().permute(2, 3, 1, 0).contiguous().flatten().tolist()


def flat(t):
    return t.detach().flatten().tolist()


def rounded(value):
    """Floats to 9 significant digits (float32 holds ~7), to keep the fixture small."""
    if isinstance(value, float):
        return float('%.9g' % value)
    if isinstance(value, list):
        return [rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


def write_fixture(fixture):
    """The fixture, rounded, as JSON on stdout."""
    json.dump(rounded(fixture), sys.stdout)
