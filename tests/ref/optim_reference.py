#!/usr/bin/python3
"""Independent reference trajectories for actlua's optimizers, schedulers
and clip_grad_norm, from torch.optim itself (Debian's python3-torch).

Each optimizer case runs a fixed tiny problem in float64: two parameters,
and at every step the gradient g = a * p + b of a quadratic (a, b fixed per
parameter, so the gradient depends on where the optimizer has taken p and
changes sign), assigned to p.grad directly rather than through autograd so
that both sides compute it with the same two roundings. The second
parameter has no gradient at step 3 (PyTorch skips it, and its step count
and state stand still). The parameters after every step are written.

Scheduler cases record the learning rate after construction and after each
step (optimizer.step() first, as PyTorch wants). clip_grad_norm cases give
the total norm and the clipped gradients.

Writes tests/data/optim_reference.lua. Run from the repository root:
    /usr/bin/python3 tests/ref/optim_reference.py
"""
import math

import torch

torch.set_default_dtype(torch.float64)

STEPS = 6
SKIP = {(1, 3)}  # (parameter index, step): no gradient there

# Values exact in float32 too, so a float32 run starts where this one does.
P0 = [[1.0, -2.0, 0.5], [[0.25, -0.75], [1.5, 0.0]]]
A = [[0.5, 2.0, 1.0], [[1.0, 0.25], [3.0, 0.5]]]
B = [[-0.25, 0.5, 1.0], [[0.0, -1.0], [0.5, 2.0]]]

OPTIMIZERS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.2}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.05, "betas": [0.8, 0.99]}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "eps": 1e-3, "amsgrad": True, "weight_decay": 0.05}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.05, "betas": [0.5, 0.9]}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.02, "eps": 1e-4, "weight_decay": 0.05}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6}),
]

SCHEDULERS = [
    # (actlua name, its options, the torch class and its keyword arguments)
    ("StepLR", {"step_size": 3, "gamma": 0.5}, "StepLR", {"step_size": 3, "gamma": 0.5}),
    ("StepLR", {"step_size": 2}, "StepLR", {"step_size": 2}),
    ("ExponentialLR", {"gamma": 0.9}, "ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 5, "eta_min": 0.01}, "CosineAnnealingLR",
     {"T_max": 5, "eta_min": 0.01}),
    ("CosineAnnealingLR", {"T_max": 4}, "CosineAnnealingLR", {"T_max": 4}),
    ("LinearLR", {"start_factor": 0.25, "total_iters": 4}, "LinearLR",
     {"start_factor": 0.25, "total_iters": 4}),
    ("LinearLR", {"start_factor": 0.5, "end_factor": 0.8, "total_iters": 3}, "LinearLR",
     {"start_factor": 0.5, "end_factor": 0.8, "total_iters": 3}),
    ("LinearLR", {}, "LinearLR", {}),
    ("LinearWarmup", {"warmup_steps": 4, "start_factor": 0.1}, "LinearLR",
     {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 4}),
    ("LinearWarmup", {}, "LinearLR", {}),
]
SCHEDULER_STEPS = 12
BASE_LR = 0.1

CLIPS = [(1.0, 2.0), (0.5, 1.0), (2.0, math.inf), (0.1, 3.0), (100.0, 2.0)]


def lua(v, indent=""):
    """A Python value as Lua source."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isinf(v):
            return "math.huge" if v > 0 else "-math.huge"
        return repr(v)
    if isinstance(v, str):
        return '"' + v + '"'
    if isinstance(v, dict):
        inner = indent + "  "
        items = [f"{inner}{k} = {lua(v[k], inner)}," for k in sorted(v)]
        return "{\n" + "\n".join(items) + "\n" + indent + "}"
    if isinstance(v, (list, tuple)):
        return "{" + ", ".join(lua(x, indent) for x in v) + "}"
    raise TypeError(type(v))


def torch_options(opts):
    o = dict(opts)
    if "betas" in o:
        o["betas"] = tuple(o["betas"])
    return o


def trajectory(kind, opts):
    params = [torch.tensor(p, requires_grad=True) for p in P0]
    a = [torch.tensor(v) for v in A]
    b = [torch.tensor(v) for v in B]
    opt = getattr(torch.optim, kind)(params, **torch_options(opts))
    steps = []
    for step in range(1, STEPS + 1):
        opt.zero_grad(set_to_none=True)
        with torch.no_grad():
            for i, p in enumerate(params):
                if (i, step) not in SKIP:
                    p.grad = a[i] * p + b[i]
        opt.step()
        steps.append([p.detach().tolist() for p in params])
    return {"kind": kind, "opts": opts, "steps": steps}


def schedule(name, opts, torch_name, kwargs):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=BASE_LR)
    sched = getattr(torch.optim.lr_scheduler, torch_name)(opt, **kwargs)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(SCHEDULER_STEPS):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return {"name": name, "opts": opts, "lrs": lrs}


def clip(max_norm, norm_type):
    grads = [torch.tensor(v) for v in B] + [torch.tensor([3.0, -4.0])]
    params = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    params.append(torch.zeros(2, requires_grad=True))  # no gradient: skipped
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
    return {
        "max_norm": max_norm,
        "norm_type": norm_type,
        "grads": [g.tolist() for g in grads],
        "total": total.item(),
        "clipped": [p.grad.tolist() for p in params[:-1]],
    }


def main():
    data = {
        "p0": P0, "a": A, "b": B, "skip": [[i + 1, s] for i, s in sorted(SKIP)],
        "optimizers": [trajectory(k, o) for k, o in OPTIMIZERS],
        "base_lr": BASE_LR,
        "schedulers": [schedule(*s) for s in SCHEDULERS],
        "clips": [clip(*c) for c in CLIPS],
    }
    with open("tests/data/optim_reference.lua", "w") as f:
        f.write("-- Generated by tests/ref/optim_reference.py with PyTorch "
                f"{torch.__version__} (float64); do not edit.\n")
        f.write("return " + lua(data) + "\n")
    print(f"wrote {len(data['optimizers'])} optimizer, {len(data['schedulers'])} "
          f"scheduler and {len(data['clips'])} clipping cases")


if __name__ == "__main__":
    main()
