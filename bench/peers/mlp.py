#!/usr/bin/python3
"""mlp.py — the PyTorch peer of bench/mlp.lua (workload 2): an MLP
784-512-512-10 with ReLU, cross-entropy, SGD (momentum 0.9, lr 0.01),
batches of 128, one epoch over 60,000 seeded synthetic samples (inputs
N(0,1), labels the argmax of a fixed random linear teacher). Prints the
epoch's time, data made beforehand. Run with Debian's python3-torch:
    /usr/bin/python3 bench/peers/mlp.py [--samples N] [--seed N] [--threads N]
Set OPENBLAS_NUM_THREADS and OMP_NUM_THREADS to the same N: PyTorch 1.13
from Debian does its GEMMs in the system OpenBLAS, whose pool
torch.set_num_threads does not limit."""
import argparse
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("--samples", type=int, default=60000)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--threads", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
batch = 128

x = torch.randn(a.samples, 784)
labels = (x @ torch.randn(784, 10)).argmax(1)
model = torch.nn.Sequential(
    torch.nn.Linear(784, 512), torch.nn.ReLU(),
    torch.nn.Linear(512, 512), torch.nn.ReLU(),
    torch.nn.Linear(512, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = torch.nn.CrossEntropyLoss()

start = time.perf_counter()
phase = [0.0, 0.0, 0.0, 0.0]  # forward, loss, zero_grad + backward, step
first = None
for i in range(0, a.samples, batch):
    ta = time.perf_counter()
    out = model(x[i:i + batch])
    tb = time.perf_counter()
    loss = loss_fn(out, labels[i:i + batch])
    tc = time.perf_counter()
    opt.zero_grad()
    loss.backward()
    td = time.perf_counter()
    opt.step()
    te = time.perf_counter()
    phase[0] += tb - ta
    phase[1] += tc - tb
    phase[2] += td - tc
    phase[3] += te - td
    if first is None:
        first = loss.item()
elapsed = time.perf_counter() - start
peak = 0.0
with open("/proc/self/status") as f:
    for line in f:
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
print(f"@ epoch_s {elapsed:.6g}")
print("@ phases " + " ".join(f"{p:.6g}" for p in phase))
print(f"@ loss {first:.6g} {loss.item():.6g}")
print(f"@ peak_mib {peak:.6g}")
print(f"torch mlp, {torch.get_num_threads()} threads: loss {first:.4f} -> "
      f"{loss.item():.4f}, epoch {elapsed:.3f} s")
