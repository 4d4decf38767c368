#!/usr/bin/python3
"""deep_xor.py — the PyTorch peer of bench/deep_xor.lua: experiment E8's
exact set-up (2 -> nine hidden layers of 5 -> 1, weights and biases from a
standard normal, sigmoid output, the naive cost, plain gradient descent at
lr 0.01, steps 0..20000). Run with Debian's python3-torch:
    /usr/bin/python3 bench/peers/deep_xor.py [--steps N] [--act NAME] [--seed N]
Prints the final cost and accuracy, and the time of the training loop."""
import argparse
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("--steps", type=int, default=20001)
p.add_argument("--act", default="sigmoid")
p.add_argument("--seed", type=int, default=0)
p.add_argument("--threads", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
       "leaky_relu": torch.nn.functional.leaky_relu}[a.act]

x = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = torch.tensor([[0.], [1.], [1.], [0.]])
sizes = [2] + [5] * 9 + [1]
params = []
for i in range(len(sizes) - 1):
    params.append(torch.randn(sizes[i], sizes[i + 1], requires_grad=True))
    params.append(torch.randn(sizes[i + 1], requires_grad=True))
opt = torch.optim.SGD(params, lr=0.01)

start = time.perf_counter()
for step in range(a.steps):
    h = x
    for i in range(0, len(params) - 2, 2):
        h = act(h @ params[i] + params[i + 1])
    out = torch.sigmoid(h @ params[-2] + params[-1])
    cost = -torch.mean(y * torch.log(out) + (1 - y) * torch.log(1 - out))
    opt.zero_grad()
    cost.backward()
    opt.step()
elapsed = time.perf_counter() - start
acc = ((out > 0.5).float() == y).float().mean().item()
print(f"@ loop_s {elapsed:.6g}")
print(f"torch {a.act}: cost {cost.item():.6f} accuracy {acc:.2f} "
      f"loop {elapsed:.3f} s ({elapsed / a.steps * 1e6:.1f} us/step)")
