# PyTorch side of `pnpm bench conv`: forward + backward of single 3×3/1×1 'same' convolutions, one line of JSON.
# Usage: python3 conv_torch.py '<json: {"threads": n, "reps": r, "layers": [{"input": [N,H,W,C], "filter": [kh,kw,C,Co], "inputGrad": bool}]}>'
import json
import sys
import time

import torch

options = json.loads(sys.argv[1])
torch.set_num_threads(int(options["threads"]))
torch.manual_seed(0)
results = []
for layer in options["layers"]:
    n, h, w, c = layer["input"]
    kh, kw, _, co = layer["filter"]
    x = torch.randn(n, c, h, w, requires_grad=bool(layer["inputGrad"]))
    weight = torch.randn(co, c, kh, kw, requires_grad=True)
    dy = torch.randn(n, co, h, w)
    times = []
    for rep in range(options["reps"] + 2):
        started = time.perf_counter()
        y = torch.nn.functional.conv2d(x, weight, padding=(kh // 2, kw // 2))
        y.backward(dy)
        elapsed = (time.perf_counter() - started) * 1000
        weight.grad = None
        if x.grad is not None:
            x.grad = None
        if rep >= 2:
            times.append(elapsed)
    times.sort()
    results.append(times[len(times) // 2])
print(json.dumps({"torch": torch.__version__, "threads": options["threads"], "ms": results}))
