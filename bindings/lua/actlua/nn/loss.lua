-- Loss modules: thin wrappers over A.loss.<name>(input, target, opts),
-- made from one table. Options are given once, when the module is made:
--
--   local crit = nn.CrossEntropyLoss{label_smoothing = 0.1}
--   local loss = crit(logits, classes)   -- a tensor; loss:backward()
--
-- A string is taken as the reduction: nn.MSELoss("sum").
local A = require "actlua"
local Module = require "actlua.nn.module"

local Loss = Module:extend("nn.Loss")

local LOSSES = {
  MSELoss = "mse", L1Loss = "l1", SmoothL1Loss = "smooth_l1",
  HuberLoss = "huber", BCELoss = "bce", BCEWithLogitsLoss = "bce_with_logits",
  CrossEntropyLoss = "cross_entropy", NLLLoss = "nll", KLDivLoss = "kl_div",
}

function Loss:__init(opts)
  if type(opts) == "string" then opts = {reduction = opts} end
  if opts ~= nil and type(opts) ~= "table" then
    error(("%s: options must be a table, got %s"):format(self.__name, type(opts)), 0)
  end
  local copy = {}
  for k, v in pairs(opts or {}) do copy[k] = v end
  rawset(self, "opts", next(copy) ~= nil and copy or nil)
end

function Loss:forward(input, target)
  local fn = A.loss and A.loss[self.loss_name]
  if not fn then
    error(("%s: A.loss.%s is not available"):format(self.__name, self.loss_name), 2)
  end
  return fn(input, target, self.opts)
end

function Loss:extra_repr()
  local keys = {}
  for k in pairs(self.opts or {}) do keys[#keys + 1] = k end
  table.sort(keys)
  for i, k in ipairs(keys) do
    local v = self.opts[k]
    keys[i] = k .. " = " .. (type(v) == "string" and ("%q"):format(v)
                             or A.is_tensor(v) and "tensor " .. Module.shape_str(v)
                             or tostring(v))
  end
  return table.concat(keys, ", ")
end

-- The classes, keyed by their names (MSELoss, ...).
function Loss.classes()
  local classes = {}
  for class_name, loss_name in pairs(LOSSES) do
    local cls = Loss:extend("nn." .. class_name)
    cls.loss_name = loss_name
    classes[class_name] = cls
  end
  return classes
end

return Loss
