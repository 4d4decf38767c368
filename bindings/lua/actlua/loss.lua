-- actlua.loss (A.loss) — loss functions: the fused C ones, and bce_naive,
-- the textbook formula written with tensor ops for experiments.
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
--   bce_naive(h, y)         -mean(y log h + (1 - y) log(1 - h)), unclamped:
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

local function shape_str(t)
  return "[" .. table.concat(t:shape(), ",") .. "]"
end

local REDUCTIONS = {mean = true, sum = true, none = true}

function loss.bce_naive(h, y, opts)
  if not A.is_tensor(h) then
    error(("bad argument #1 to 'bce_naive' (tensor expected, got %s)"):format(type(h)), 2)
  end
  if not A.is_tensor(y) then
    error(("bad argument #2 to 'bce_naive' (tensor expected, got %s)"):format(type(y)), 2)
  end
  local same = h:dim() == y:dim()
  for d = 1, h:dim() do same = same and h:size(d) == y:size(d) end
  if not same then
    error(("bce_naive: input %s and target %s differ (losses do not broadcast: " ..
           "reshape one of them)"):format(shape_str(h), shape_str(y)), 2)
  end
  local reduction = type(opts) == "table" and opts.reduction or opts or "mean"
  if not REDUCTIONS[reduction] then
    error(("bad argument #3 to 'bce_naive' (unknown reduction '%s')"):format(
      tostring(reduction)), 2)
  end
  local inner = y * A.log(h) + (1 - y) * A.log(1 - h)
  if reduction == "none" then return -inner end
  if reduction == "sum" then return -inner:sum() end
  return -inner:mean()
end

return loss
