#!/usr/bin/python3
"""Independent reference values for actlua's losses.

Evaluates each loss of torch.nn.functional in float64 (Debian's
python3-torch) on small fixed inputs, for every reduction and option the
Lua API takes, with the gradients of the input and, where PyTorch gives
one, of the target: backward() of the reduced loss, or backward(weight) of
the per-element losses ("none") with a fixed weight, so that the upstream
gradient of each element is checked too. Inputs include the extremes
(logits of +-1000, probabilities of exactly 0 and 1).

Class indices are written 1-based, as the Lua API takes them.

Writes tests/data/losses_reference_class.lua (cross_entropy, nll) and
tests/data/losses_reference_pointwise.lua (the rest). Run from the
repository root:
    /usr/bin/python3 tests/ref/losses_reference.py
"""
import math

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

REDUCTIONS = ["mean", "sum", "none"]


def lua(v, indent=""):
    """A Python value as Lua source."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "0/0"
        if math.isinf(v):
            return "1/0" if v > 0 else "-1/0"
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


def nested(t):
    return t.detach().tolist() if t.dim() > 0 else t.item()


def weights_like(t):
    """A fixed upstream gradient for the per-element losses."""
    n = t.numel()
    return (torch.arange(n, dtype=torch.float64) * 0.25 + 0.5).reshape(t.shape)


def case(name, fn, x, y, opts, classes=False, target_grad=True, note=None):
    """Evaluates fn(x, y) for one reduction (in opts) and its gradients."""
    xi = x.clone().requires_grad_(True)
    yi = y.clone()
    if target_grad and not classes:
        yi.requires_grad_(True)
    out = fn(xi, yi)
    entry = {
        "name": name,
        "opts": opts,
        "input": nested(x),
        "target": nested(y + 1) if classes else nested(y),
        "value": nested(out),
    }
    if classes:
        entry["classes"] = True
    if note:
        entry["note"] = note
    if out.dim() > 0 or opts.get("reduction") == "none":
        w = weights_like(out)
        entry["weight"] = nested(w)
        out.backward(w)
    else:
        out.backward()
    entry["grad_input"] = nested(xi.grad)
    if yi.requires_grad and yi.grad is not None:
        entry["grad_target"] = nested(yi.grad)
    return entry


def with_reductions(name, fn_of, x, y, extra=None, **kw):
    """One case per reduction; fn_of(opts) gives the torch call."""
    out = []
    for r in REDUCTIONS + (["batchmean"] if name == "kl_div" else []):
        opts = dict(extra or {})
        opts["reduction"] = r
        out.append(case(name, fn_of(opts), x, y, opts, **kw))
    return out


def t(v):
    return torch.tensor(v, dtype=torch.float64)


def build():
    cases = []
    x = t([[0.5, -1.25, 3.0], [2.0, 0.0, -0.5]])
    y = t([[1.0, -1.25, 0.5], [-1.0, 0.75, 2.5]])  # one tie: l1's gradient 0
    cases += with_reductions(
        "mse", lambda o: lambda a, b: F.mse_loss(a, b, reduction=o["reduction"]), x, y)
    cases += with_reductions(
        "l1", lambda o: lambda a, b: F.l1_loss(a, b, reduction=o["reduction"]), x, y)
    # smooth_l1 with |d| below, at and above beta; beta 0 is l1. (At d = 0
    # with beta 0, PyTorch 1.13's kernel gives the gradient -1; actlua gives
    # l1's 0, so that case has no tie.)
    xs = t([0.0, 0.25, 1.0, -1.0, 3.0, -0.5, 0.5])
    ys = t([0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 1.0])
    for beta in (1.0, 0.5, 0.0):
        cases += with_reductions(
            "smooth_l1",
            lambda o: lambda a, b: F.smooth_l1_loss(a, b, reduction=o["reduction"],
                                                    beta=o["beta"]),
            xs + (0.125 if beta == 0 else 0), ys, {"beta": beta})
    for delta in (1.0, 2.0):
        cases += with_reductions(
            "huber",
            lambda o: lambda a, b: F.huber_loss(a, b, reduction=o["reduction"],
                                                delta=o["delta"]),
            xs * 2, ys, {"delta": delta})
    # bce inside (0, 1), with soft targets.
    p = t([[0.1, 0.5, 0.9], [0.25, 0.75, 0.999]])
    q = t([[0.0, 1.0, 1.0], [0.3, 0.0, 1.0]])
    cases += with_reductions(
        "bce", lambda o: lambda a, b: F.binary_cross_entropy(a, b, reduction=o["reduction"]),
        p, q)
    # bce at p = 0 and 1: clamped logs, finite values and input gradients.
    pe = t([0.0, 1.0, 0.0, 1.0, 1e-300])
    qe = t([1.0, 0.0, 0.0, 1.0, 1.0])
    cases += with_reductions(
        "bce", lambda o: lambda a, b: F.binary_cross_entropy(a, b, reduction=o["reduction"]),
        pe, qe, target_grad=False, note="extremes")
    # bce_with_logits, ordinary and extreme logits, with and without pos_weight.
    z = t([[-1000.0, -30.0, -1.5], [0.0, 2.0, 1000.0]])
    zt = t([[1.0, 0.0, 0.25], [1.0, 0.0, 0.0]])
    cases += with_reductions(
        "bce_with_logits",
        lambda o: lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=o["reduction"]),
        z, zt)
    pw = [0.5, 2.0, 3.0]
    cases += with_reductions(
        "bce_with_logits",
        lambda o: lambda a, b: F.binary_cross_entropy_with_logits(
            a, b, reduction=o["reduction"], pos_weight=t(o["pos_weight"])),
        z, zt, {"pos_weight": pw})
    cases += classification()
    cases += kl()
    return cases


def classification():
    cases = []
    logits = t([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0], [0.25, 0.25, 0.25], [2.0, -2.0, 0.0]])
    classes = torch.tensor([1, 2, 0, 0])
    for ls in (0.0, 0.1):
        cases += with_reductions(
            "cross_entropy",
            lambda o: lambda a, b: F.cross_entropy(a, b, reduction=o["reduction"],
                                                   label_smoothing=o["label_smoothing"]),
            logits, classes, {"label_smoothing": ls}, classes=True)
    probs = torch.softmax(t([[0.0, 1.0, 2.0], [1.0, 1.0, -1.0], [3.0, 0.0, 0.0],
                             [0.5, 0.5, 0.5]]), 1)
    for ls in (0.0, 0.2):
        cases += with_reductions(
            "cross_entropy",
            lambda o: lambda a, b: F.cross_entropy(a, b, reduction=o["reduction"],
                                                   label_smoothing=o["label_smoothing"]),
            logits, probs, {"label_smoothing": ls})
    # Extreme logits stay finite.
    big = t([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]])
    cases += with_reductions(
        "cross_entropy",
        lambda o: lambda a, b: F.cross_entropy(a, b, reduction=o["reduction"]),
        big, torch.tensor([1, 2]), {}, classes=True, note="extremes")
    # One sample ([C] and a 0-d class) and positions ([N,C,d]).
    cases += with_reductions(
        "cross_entropy",
        lambda o: lambda a, b: F.cross_entropy(a, b, reduction=o["reduction"]),
        t([0.5, -0.5, 2.0]), torch.tensor(2), {}, classes=True)
    spatial = t([[[1.0, 0.0], [2.0, -1.0], [0.5, 0.5]],
                 [[-1.0, 3.0], [0.0, 0.0], [1.0, 2.0]]])
    cases += with_reductions(
        "cross_entropy",
        lambda o: lambda a, b: F.cross_entropy(a, b, reduction=o["reduction"],
                                               label_smoothing=o["label_smoothing"]),
        spatial, torch.tensor([[1, 2], [0, 1]]), {"label_smoothing": 0.1}, classes=True)
    logp = torch.log_softmax(logits, 1)
    cases += with_reductions(
        "nll", lambda o: lambda a, b: F.nll_loss(a, b, reduction=o["reduction"]),
        logp, classes, classes=True)
    return cases


def kl():
    cases = []
    logq = torch.log_softmax(t([[0.0, 1.0, -1.0], [2.0, 0.5, 0.5]]), 1)
    p = torch.softmax(t([[1.0, 1.0, 0.0], [-1.0, 0.0, 2.0]]), 1)
    cases += with_reductions(
        "kl_div", lambda o: lambda a, b: F.kl_div(a, b, reduction=o["reduction"]),
        logq, p)
    cases += with_reductions(
        "kl_div",
        lambda o: lambda a, b: F.kl_div(a, b, reduction=o["reduction"], log_target=True),
        logq, torch.log(p), {"log_target": True})
    # A target of exactly 0 contributes 0 (xlogy), not NaN.
    p0 = t([[0.0, 0.25, 0.75], [0.5, 0.5, 0.0]])
    cases += with_reductions(
        "kl_div", lambda o: lambda a, b: F.kl_div(a, b, reduction=o["reduction"]),
        logq, p0, target_grad=False, note="zero targets")
    return cases


# The class losses and the rest, one file each (a file of data under ~600
# lines, as the house rules ask of every file).
FILES = {
    "tests/data/losses_reference_class.lua": lambda c: c["name"] in CLASS_LOSSES,
    "tests/data/losses_reference_pointwise.lua": lambda c: c["name"] not in CLASS_LOSSES,
}
CLASS_LOSSES = ("cross_entropy", "nll")


def main():
    cases = build()
    for path, wanted in FILES.items():
        mine = [c for c in cases if wanted(c)]
        with open(path, "w") as f:
            f.write("-- Generated by tests/ref/losses_reference.py with PyTorch "
                    f"{torch.__version__} (float64); do not edit.\n")
            f.write("return {\n")
            for c in mine:
                f.write("  " + lua(c, "  ") + ",\n")
            f.write("}\n")
        print(f"wrote {len(mine)} cases to {path}")


if __name__ == "__main__":
    main()
