#!/usr/bin/env python3
"""Expected numbers for test/segnet-parity.test.ts, from the PyTorch reference network itself.

Run: /usr/bin/python3 packages/models/test/reference/segnet-parity.py  (needs Debian's python3-torch)
Builds SegNetMTL from /work/shared/bench/segnet_torch_step.py at width 0.125, sets every parameter by a formula
(the test uses the same formula, in PyTorch's [out, in, kh, kw] layout), runs one train-mode forward (batch
statistics, running statistics updated) and one eval-mode forward on a formula input, and prints summary numbers.
Then, on a fresh copy in float64 (the same float32 weights and inputs, widened), the reference script's supervised
loss on formula labels and the gradients of a few parameters: float64 because float32 PyTorch itself differs from
them by up to 5e-3 relative on this deep network whose deepest batch norms see 8 values.
"""
import json, math, sys
import torch
import torch.nn.functional as F

sys.path.insert(0, "/work/shared/bench")
from segnet_torch_step import SegNetMTL  # noqa: E402


def formula(n, k, kind, fan_in):
    i = torch.arange(n, dtype=torch.float64)
    wave = torch.sin(0.37 * i + 1.3 * k)
    if kind == "weight":
        return wave * (1.7 / math.sqrt(fan_in))
    if kind == "gamma":
        return 1 + 0.1 * wave
    return 0.1 * wave  # conv bias, BN beta


def set_formula_weights(model):
    modules = dict(model.named_modules())
    with torch.no_grad():
        for k, (name, p) in enumerate(model.named_parameters()):
            owner = modules[name.rsplit(".", 1)[0]]
            if p.dim() == 4:
                kind, fan_in = "weight", p.shape[1] * p.shape[2] * p.shape[3]
            elif isinstance(owner, torch.nn.BatchNorm2d) and name.endswith("weight"):
                kind, fan_in = "gamma", 1
            else:
                kind, fan_in = "shift", 1
            p.copy_(formula(p.numel(), k, kind, fan_in).reshape(p.shape).float())


model = SegNetMTL(width=0.125)
set_formula_weights(model)

x = torch.sin(0.05 * torch.arange(2 * 3 * 32 * 32, dtype=torch.float64)).reshape(2, 3, 32, 32).float()
probe = [0, 1, 777, 2047, 2048, 5000, 13 * 1024 + 5]


def summarise(outputs):
    result = {}
    for task, tensor in zip(("semseg", "depth", "normal"), outputs):
        nhwc = tensor.permute(0, 2, 3, 1).contiguous().reshape(-1).double()
        result[task] = {
            "sum": nhwc.sum().item(),
            "absSum": nhwc.abs().sum().item(),
            "probe": [nhwc[i % nhwc.numel()].item() for i in probe],
        }
    return result


model.train()
train = summarise(model(x))
model.eval()
with torch.no_grad():
    evaluation = summarise(model(x))
# Loss and gradients, train mode, fresh weights. Labels by formula over the flattened index i.
fresh = SegNetMTL(width=0.125)
set_formula_weights(fresh)
fresh.double()
fresh.train()
n = 2 * 32 * 32
i = torch.arange(n)
seg = ((i * 7) % 14 - 1).reshape(2, 32, 32)
depth = (1 + 2 * (1 + torch.sin(0.3 * i.double()))).float().double().reshape(2, 1, 32, 32)
normal_nhwc = torch.stack([torch.sin(0.1 * i.double()), torch.cos(0.13 * i.double()), 0.5 + 0 * i.double()], dim=1)
normal_nhwc = (normal_nhwc / normal_nhwc.norm(dim=1, keepdim=True)).float().double().reshape(2, 32, 32, 3)
normal = normal_nhwc.permute(0, 3, 1, 2)
ps, pd, pn = fresh(x.double())
loss = F.cross_entropy(ps, seg, ignore_index=-1) + (pd - depth).abs().mean() + (1 - (pn * normal).sum(1)).mean()
loss.backward()
names = ["enc.0.0.weight", "enc.0.1.weight", "enc.4.6.weight", "dec.4.3.weight", "dec.4.4.bias", "heads.seg.1.weight", "heads.normal.0.weight"]
params = dict(fresh.named_parameters())
gradients = {}
for name in names:
    g = params[name].grad.double()
    gradients[name] = {"sum": g.sum().item(), "absSum": g.abs().sum().item()}
print(json.dumps({"probe": probe, "train": train, "eval": evaluation, "loss": loss.item(), "gradients": gradients}))
