#!/usr/bin/python3
"""defined_activations.py — the PyTorch peer of bench/defined_activations.lua:
forward + backward through autograd on float32 tensors, y = f(x),
y.backward(gy), of the built-in silu and of the formulas composed from
tensor ops (x * sigmoid(x), x - x^3), as a PyTorch user writes a new
activation without a C++ extension. One thread; medians of CPU seconds.
    /usr/bin/python3 bench/peers/defined_activations.py [elements [runs]]"""
import statistics
import sys
import time

import torch

n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 1000000
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
torch.set_num_threads(1)
torch.manual_seed(0)
x = torch.randn(n, requires_grad=True)
gy = torch.ones(n)

CASES = [
    ("silu: built-in F.silu", torch.nn.functional.silu),
    ("silu: composed x * torch.sigmoid(x)", lambda t: t * torch.sigmoid(t)),
    ("ncu: composed x - x**3", lambda t: t - t ** 3),
]
times = {name: [] for name, _ in CASES}
for _ in range(runs):
    for name, fn in CASES:
        t0 = time.process_time()
        fn(x).backward(gy)
        times[name].append(time.process_time() - t0)
        x.grad = None
for name, _ in CASES:
    print("@ peer %s|%.6f" % (name, statistics.median(times[name])))
