-- actlua.loss (A.loss) — the loss functions, each fused in C (bindings/
-- lloss.c, engine/losses*.c); this file gathers them and documents them.
--
--   local cost = A.loss.mse(y_hat, y)                        -- mean
--   local cost = A.loss.cross_entropy(logits, classes, {label_smoothing = 0.1})
--   cost:backward()
--
-- Every loss is fn(input, target [, opts]); opts is a table or just a
-- reduction's name: reduction = "mean" (default) | "sum" | "none" (and
-- "batchmean" for kl_div). Input and target must have the same shape —
-- nothing is broadcast, so an [N,1] prediction against an [N] target is an
-- error, not an [N,N] loss — except class indices, which lack the class dim.
--   mse, l1                 (x - y)^2, |x - y|
--   smooth_l1 {beta = 1}    PyTorch's SmoothL1Loss
--   huber {delta = 1}       PyTorch's HuberLoss
--   bce(p, y)               probabilities p in [0, 1]; logs clamped at -100
--   bce_naive(h, y)         -mean(y log h + (1 - y) log(1 - h)), unclamped (fused in C):
--                           NaN or inf when h reaches 0 or 1, on purpose
--   bce_with_logits {pos_weight = tensor}   stable for logits of any size
--   cross_entropy(logits, target {label_smoothing = 0})   logits [C], [N,C]
--                           or [N,C,d...]; target 1-based class indices (any
--                           tensor type, e.g. what argmax returns) or
--                           probabilities of the logits' shape
--   nll(logp, classes)      negative log-likelihood of log-probabilities
--   kl_div(logp, p {log_target = false})   PyTorch's argument order
-- Gradients reach the input, and a float target too (except class indices).
local A = require "actlua"
local C = A._loss

local loss = {}
for name, fn in pairs(C) do loss[name] = fn end

return loss
