#!/usr/bin/python3
"""activations.py — the PyTorch peer of bench/activations.lua (workload 3):
forward + backward of each activation on float32 tensors [n/1000, 1000]
through autograd, y = f(x), y.backward(gy), and x.clone() beside them.
Activations PyTorch lacks (the oscillatory dsu, gcu, ncu, squ, ssu) are
written with torch ops, as a user would; step has no PyTorch equivalent
with a gradient and is left out. Same reps and output lines as the Lua side.
    /usr/bin/python3 bench/peers/activations.py [reps [sizes...]] [--threads N]"""
import gc
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F

args = [a for a in sys.argv[1:] if not a.startswith("--threads")]
threads = 1
for a in sys.argv[1:]:
    if a.startswith("--threads="):
        threads = int(a.split("=", 1)[1])
torch.set_num_threads(threads)
reps = int(args[0]) if args else 3
sizes = [int(float(a)) for a in args[1:]] or [1000000, 10000000]
torch.manual_seed(0)
PI = math.pi


def sinc(z):  # sin(z) / z, as actlua's (torch.sinc is sin(pi z) / (pi z))
    return torch.sinc(z / PI)


ACTS = {
    "celu": F.celu,
    "dsu": lambda x: PI / 2 * (sinc(x - PI) - sinc(x + PI)),
    "elu": F.elu,
    "gcu": lambda x: x * torch.cos(x),
    "gelu": F.gelu,
    "glu": lambda x: F.glu(x, -1),
    "hardshrink": F.hardshrink,
    "hardsigmoid": F.hardsigmoid,
    "hardswish": F.hardswish,
    "hardtanh": F.hardtanh,
    "leaky_relu": F.leaky_relu,
    "log_softmax": lambda x: F.log_softmax(x, -1),
    "logsigmoid": F.logsigmoid,
    "mish": F.mish,
    "ncu": lambda x: x - x ** 3,
    "prelu": None,  # needs its weight: see call()
    "relu": F.relu,
    "relu6": F.relu6,
    "rrelu": lambda x: F.rrelu(x, training=False),
    "selu": F.selu,
    "sigmoid": torch.sigmoid,
    "silu": F.silu,
    "sine": torch.sin,
    "softmax": lambda x: F.softmax(x, -1),
    "softmin": lambda x: F.softmin(x, -1),
    "softplus": F.softplus,
    "softshrink": F.softshrink,
    "softsign": F.softsign,
    "squ": lambda x: x * x + x,
    "ssu": lambda x: PI * sinc(x - PI),
    "tanh": torch.tanh,
    "tanhshrink": F.tanhshrink,
    "threshold": lambda x: F.threshold(x, 0.0, 0.0),
}


def call(name, x, w):
    return F.prelu(x, w) if name == "prelu" else ACTS[name](x)


def plan(n):  # (first timed rep, last): as bench/activations.lua
    return (0, reps) if n < 5000000 else (1, max(1, (reps + 2) // 3))


def report(*values):
    print("@", " ".join(f"{v:.6g}" if isinstance(v, float) else str(v)
                        for v in values), flush=True)


def time_act(name, x, gys):
    w = torch.tensor([0.25], requires_grad=True) if name == "prelu" else None
    gy = gys["half"] if name == "glu" else gys["full"]
    fwd, bwd = [], []
    first, last = plan(x.numel())
    for r in range(first, last + 1):
        x.grad = None
        t0 = time.perf_counter()
        y = call(name, x, w)
        t1 = time.perf_counter()
        y.backward(gy)
        t2 = time.perf_counter()
        if r > 0:
            fwd.append(t1 - t0)
            bwd.append(t2 - t1)
        del y
        gc.collect()
    return statistics.median(fwd), statistics.median(bwd)


def time_copy(n):
    x, t = torch.randn(n // 1000, 1000), []
    first, last = plan(n)
    for r in range(first, last + 1):
        t0 = time.perf_counter()
        y = x.clone()
        if r > 0:
            t.append(time.perf_counter() - t0)
        del y
    return statistics.median(t)


for n in sizes:
    report("copy", n, time_copy(n))
    x = torch.randn(n // 1000, 1000, requires_grad=True)
    gys = {"full": torch.randn(n // 1000, 1000), "half": torch.randn(n // 1000, 500)}
    for name in ACTS:
        f, b = time_act(name, x, gys)
        report("act", name, n, f, b)
