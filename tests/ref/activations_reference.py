#!/usr/bin/python3
"""Independent reference values for actlua's activations.

Evaluates every activation and its derivative in float64 with PyTorch
(Debian's python3-torch; derivatives through torch.autograd), or, for the
ones PyTorch lacks (step, sine, gcu, ncu, squ, dsu, ssu), with closed forms
written here from their definitions and Python's math module. Each
element-wise case is evaluated at the float64 points and again at the same
points rounded to float32, so a float32 test compares against the exact
value at its own input. Along-dim activations (softmax, log_softmax,
softmin, glu) and prelu get fixed small inputs and the gradient of
sum(w * y) for a fixed w.

Writes two files, one per kind of case:
    tests/data/activations_reference_elementwise.lua points, points32, elementwise
    tests/data/activations_reference_along_dim.lua   along_dim, prelu
Run from the repository root:
    /usr/bin/python3 tests/ref/activations_reference.py
"""
import math
import struct

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

POINTS = [
    -1000.0, -100.0, -20.5, -20.0, -10.0, -7.0, -5.0, -3.5, -3.0, -2.75,
    -2.0, -1.5, -1.0, -0.75, -0.5, -0.3, -0.1, -1e-3, -1e-8, 0.0, 1e-8,
    1e-3, 0.1, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 2.75, 3.0, 3.5, 5.0, 6.0,
    6.5, 7.0, 7.635, 9.0, 10.0, 19.5, 20.0, 20.5, 100.0, 1000.0,
    math.pi, -math.pi, 2 * math.pi,
]


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


# ------------------------------------------------------- closed forms

def sinc(z):
    return 1.0 if z == 0 else math.sin(z) / z


def dsinc(z):
    """sinc'(z); near 0 its series, summed until the terms vanish."""
    if abs(z) >= 0.5:
        return (z * math.cos(z) - math.sin(z)) / (z * z)
    total, k, fact = 0.0, 1, 6.0  # fact = (2k+1)!
    while True:
        term = (-1) ** k * 2 * k * z ** (2 * k - 1) / fact
        total += term
        if abs(term) <= 1e-20 * max(abs(total), 1e-300):
            return total
        k += 1
        fact *= (2 * k) * (2 * k + 1)


CLOSED = {
    "step": (lambda x: 1.0 if x > 0 else 0.0, lambda x: 0.0),
    "sine": (math.sin, math.cos),
    "gcu": (lambda x: x * math.cos(x), lambda x: math.cos(x) - x * math.sin(x)),
    "ncu": (lambda x: x - x ** 3, lambda x: 1 - 3 * x * x),
    "squ": (lambda x: x * x + x, lambda x: 2 * x + 1),
    "dsu": (lambda x: math.pi / 2 * (sinc(x - math.pi) - sinc(x + math.pi)),
            lambda x: math.pi / 2 * (dsinc(x - math.pi) - dsinc(x + math.pi))),
    "ssu": (lambda x: math.pi * sinc(x - math.pi),
            lambda x: math.pi * dsinc(x - math.pi)),
}

# ---------------------------------------------------- PyTorch's forms

# name -> function of (tensor, params) where params are the Lua-side named
# params of the case (defaults applied by PyTorch when absent).
TORCH = {
    "sigmoid": lambda x, p: torch.sigmoid(x),
    "tanh": lambda x, p: torch.tanh(x),
    "relu": lambda x, p: F.relu(x),
    "relu6": lambda x, p: F.relu6(x),
    "leaky_relu": lambda x, p: F.leaky_relu(x, p.get("negative_slope", 0.01)),
    "rrelu": lambda x, p: F.rrelu(x, p.get("lower", 1 / 8), p.get("upper", 1 / 3),
                                  training=False),
    "elu": lambda x, p: F.elu(x, p.get("alpha", 1.0)),
    "selu": lambda x, p: F.selu(x),
    "celu": lambda x, p: F.celu(x, p.get("alpha", 1.0)),
    "gelu": lambda x, p: F.gelu(x, approximate=p.get("approximate", "none")),
    "silu": lambda x, p: F.silu(x),
    "mish": lambda x, p: F.mish(x),
    "softplus": lambda x, p: F.softplus(x, p.get("beta", 1), p.get("threshold", 20)),
    "softsign": lambda x, p: F.softsign(x),
    "hardtanh": lambda x, p: F.hardtanh(x, p.get("min_val", -1.0), p.get("max_val", 1.0)),
    "hardsigmoid": lambda x, p: F.hardsigmoid(x),
    "hardswish": lambda x, p: F.hardswish(x),
    "logsigmoid": lambda x, p: F.logsigmoid(x),
    "tanhshrink": lambda x, p: F.tanhshrink(x),
    "softshrink": lambda x, p: F.softshrink(x, p.get("lambd", 0.5)),
    "hardshrink": lambda x, p: F.hardshrink(x, p.get("lambd", 0.5)),
    "threshold": lambda x, p: F.threshold(x, p.get("threshold", 0.0), p.get("value", 0.0)),
}

# Every element-wise case: (name, named params). Non-default params too.
CASES = [(n, {}) for n in [
    "step", "sigmoid", "tanh", "relu", "relu6", "leaky_relu", "rrelu", "elu",
    "selu", "celu", "gelu", "silu", "mish", "softplus", "softsign", "hardtanh",
    "hardsigmoid", "hardswish", "logsigmoid", "tanhshrink", "softshrink",
    "hardshrink", "threshold", "sine", "gcu", "ncu", "squ", "dsu", "ssu"]] + [
    ("leaky_relu", {"negative_slope": 0.2}),
    ("rrelu", {"lower": 0.1, "upper": 0.3}),
    ("elu", {"alpha": 2.0}),
    ("celu", {"alpha": 0.5}),
    ("gelu", {"approximate": "tanh"}),
    ("softplus", {"beta": 2.0, "threshold": 10.0}),
    ("hardtanh", {"min_val": -2.0, "max_val": 3.0}),
    ("softshrink", {"lambd": 1.0}),
    ("hardshrink", {"lambd": 1.0}),
    ("threshold", {"threshold": 0.5, "value": -1.0}),
]


# PyTorch's float64 hardsigmoid backward multiplies by the float constant
# 1.0f / 6.0f (0.1666666716..., 3e-8 off); actlua uses 1/6, and so does
# the reference. Nothing else of PyTorch's is changed.
FLOAT_SIXTH = struct.unpack("f", struct.pack("f", 1 / 6))[0]


def evaluate(name, params, xs):
    if name in CLOSED:
        f, d = CLOSED[name]
        return [f(x) for x in xs], [d(x) for x in xs]
    # Many points at once: the vectorised kernels run, as they do on any
    # tensor but the last few elements (PyTorch's scalar tail differs at a
    # kink: hardswish'(3) is 1 vectorised, 3/2 in the tail).
    x = torch.tensor(xs, requires_grad=True)
    y = TORCH[name](x, params)
    (g,) = torch.autograd.grad(y.sum(), x)
    dy = g.tolist()
    if name == "hardsigmoid":
        dy = [1 / 6 if v == FLOAT_SIXTH else v for v in dy]
    return y.detach().tolist(), dy


# ------------------------------------------- along a dim and prelu

def grad_of(fn, inputs, w):
    ts = [torch.tensor(v, requires_grad=True) for v in inputs]
    y = fn(*ts)
    grads = torch.autograd.grad((y * torch.tensor(w)).sum(), ts)
    return y.detach().tolist(), [g.tolist() for g in grads]


X23 = [[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0], [-5.0, 0.5, 7.0]]
W23 = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [1.0, 3.0, -2.0]]


def dim_cases():
    out = []
    for name, fn in [("softmax", F.softmax), ("log_softmax", F.log_softmax),
                     ("softmin", F.softmin)]:
        for dim in (1, 2):  # Lua's 1-based dims
            y, (g,) = grad_of(lambda t: fn(t, dim=dim - 1), [X23], W23)
            out.append({"name": name, "dim": dim, "x": X23, "w": W23,
                        "y": y, "gx": g})
    xg = [[1.0, -2.0, 0.5, 3.0], [-1.0, 2.5, 20.0, -20.0]]
    wg = [[1.0, -0.5], [2.0, 0.25]]
    y, (g,) = grad_of(lambda t: F.glu(t, dim=1), [xg], wg)
    out.append({"name": "glu", "dim": 2, "x": xg, "w": wg, "y": y, "gx": g})
    xt = [list(r) for r in zip(*xg)]  # [4, 2], split along dim 1
    wt = [list(r) for r in zip(*wg)]
    y, (g,) = grad_of(lambda t: F.glu(t, dim=0), [xt], wt)
    out.append({"name": "glu", "dim": 1, "x": xt, "w": wt, "y": y, "gx": g})
    return out


def prelu_cases():
    x = [[[-1.0, 2.0], [0.5, -3.0], [0.0, -0.25]],
         [[4.0, -5.0], [-6.0, 0.75], [-1.5, 1.0]]]  # [2, 3, 2], 3 channels
    w = [[[1.0, -1.0], [0.5, 2.0], [-0.5, 1.5]],
         [[2.0, 1.0], [-1.0, 0.5], [1.0, -2.0]]]
    out = []
    for weight in ([0.25, -0.5, 2.0], [0.1]):
        y, (gx, gw) = grad_of(F.prelu, [x, weight], w)
        out.append({"name": "prelu", "x": x, "weight": weight, "w": w,
                    "y": y, "gx": gx, "gweight": gw})
    return out


# ------------------------------------------------------------- output

def lua(v, indent=""):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        v = float(v)
        if math.isnan(v):
            return "0/0"
        if math.isinf(v):
            return "math.huge" if v > 0 else "-math.huge"
        return repr(v)
    if isinstance(v, str):
        return '"' + v + '"'
    if isinstance(v, dict):
        if not v:
            return "{}"
        inner = indent + "  "
        items = [f"{inner}{k} = {lua(v[k], inner)}," for k in v]
        return "{\n" + "\n".join(items) + "\n" + indent + "}"
    if isinstance(v, list):
        if all(not isinstance(e, (list, dict)) for e in v):
            return "{" + ", ".join(lua(e) for e in v) + "}"
        inner = indent + "  "
        return "{\n" + "\n".join(inner + lua(e, inner) + "," for e in v) + "\n" + indent + "}"
    raise TypeError(type(v))


def write(path, what, data):
    with open(path, "w") as f:
        f.write("-- Generated by tests/ref/activations_reference.py with "
                f"PyTorch {torch.__version__} (float64); do not edit.\n")
        f.write(f"-- {what}\n")
        f.write("return " + lua(data) + "\n")


def main():
    points32 = [f32(x) for x in POINTS]
    cases = []
    for name, params in CASES:
        y, dy = evaluate(name, params, POINTS)
        y32, dy32 = evaluate(name, params, points32)
        cases.append({"name": name, "params": params, "y": y, "dy": dy,
                      "y32": y32, "dy32": dy32})
    write("tests/data/activations_reference_elementwise.lua",
          "Element-wise activations: values and derivatives at the points, "
          "in float64 and at the points rounded to float32.",
          {"points": POINTS, "points32": points32, "elementwise": cases})
    write("tests/data/activations_reference_along_dim.lua",
          "Softmax family and glu along a dim, and prelu (a weight per "
          "channel): values and gradients of sum(w * y) on fixed inputs.",
          {"along_dim": dim_cases(), "prelu": prelu_cases()})


if __name__ == "__main__":
    main()
