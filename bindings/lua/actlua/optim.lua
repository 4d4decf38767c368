-- actlua.optim (A.optim) — optimizers and learning-rate schedulers, as in
-- torch.optim. The update rules run in C, one call for every parameter.
--
--   local opt = optim.Adam(model:parameters(), {lr = 1e-3})
--   local sched = optim.StepLR(opt, {step_size = 30, gamma = 0.1})
--   for epoch = 1, 100 do
--     opt:zero_grad(); loss_fn(model(x), y):backward(); opt:step()
--     sched:step()
--   end
--
-- Optimizers (PyTorch's defaults):
--   SGD     {lr = 1e-3, momentum = 0, dampening = 0, nesterov = false, weight_decay = 0}
--   Adam    {lr = 1e-3, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0, amsgrad = false}
--   AdamW   as Adam, weight_decay = 1e-2 (decoupled)
--   RMSprop {lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0, momentum = 0, centered = false}
--   Adagrad {lr = 1e-2, lr_decay = 0, weight_decay = 0, initial_accumulator_value = 0, eps = 1e-10}
-- params is an array of tensors (model:parameters()). Methods: opt:step([closure]),
-- opt:zero_grad([set_to_none = true]), opt.lr (read and write), opt:set_lr(x),
-- opt:get_lr(), opt:state_dict(), opt:load_state_dict(sd), opt.defaults.
-- Schedulers (PyTorch's chainable rules; made, they take their first step):
--   StepLR {step_size, gamma = 0.1}       ExponentialLR {gamma}
--   CosineAnnealingLR {T_max, eta_min = 0}
--   LinearLR {start_factor = 1/3, end_factor = 1, total_iters = 5}
--   LinearWarmup {warmup_steps = 5, start_factor = 1/3}   (LinearLR up to 1)
-- with sched:step(), sched:get_lr() and sched:get_last_lr() (the lr in force,
-- a number), sched.last_epoch.
-- clip_grad_norm(params, max_norm [, norm_type = 2 | math.huge | "inf"])
-- scales the gradients in place and returns their total norm before.
local A = require "actlua"
local C = A._optim

local optim = {}

-- ------------------------------------------------------------ optimizers

local Optimizer = {__name = "optim.Optimizer"}
optim.Optimizer = Optimizer

-- Calls C.fn(...), re-raising its error at the caller `level` frames up.
local function call(level, fn, ...)
  local ok, a, b = pcall(fn, ...)
  if not ok then error(a, level + 1) end
  return a, b
end

Optimizer.__index = function(self, key)
  local method = Optimizer[key] -- first: opt:step() runs every training step
  if method ~= nil then return method end
  if key == "lr" then return C.get_lr(rawget(self, "_handle")) end
  if key == "defaults" then return C.options(rawget(self, "_handle")) end
end

Optimizer.__newindex = function(self, key, value)
  if key == "lr" then
    call(2, C.set_lr, rawget(self, "_handle"), value)
  else
    rawset(self, key, value)
  end
end

function Optimizer.__tostring(self)
  local o, keys = C.options(self._handle), {}
  for k in pairs(o) do if k ~= "kind" then keys[#keys + 1] = k end end
  table.sort(keys)
  for i, k in ipairs(keys) do
    local v = o[k]
    if type(v) == "table" then v = ("{%.6g, %.6g}"):format(v[1], v[2])
    elseif type(v) == "number" then v = ("%.6g"):format(v) end
    keys[i] = k .. " = " .. tostring(v)
  end
  return ("optim.%s(%s; %d parameters)"):format(self.kind, table.concat(keys, ", "),
                                                #self.params)
end

local function new_optimizer(kind, params, opts)
  local handle = call(2, C.new, kind, params, opts) -- SGD(...) tail-calls here
  local copy = {}
  for i, p in ipairs(params) do copy[i] = p end
  local self = {_handle = handle, kind = kind, params = copy}
  return setmetatable(self, Optimizer)
end

for _, kind in ipairs{"SGD", "Adam", "AdamW", "RMSprop", "Adagrad"} do
  optim[kind] = function(params, opts) return new_optimizer(kind, params, opts) end
end

-- One update of every parameter with a gradient. With a closure, it is
-- called first (grad enabled) and its result returned, as in PyTorch.
function Optimizer:step(closure)
  local result
  if closure ~= nil then result = A.enable_grad(closure) end
  local err = C.step(self._handle) -- a message rather than an error: no pcall
  if err then error(err, 2) end
  return result
end

function Optimizer:zero_grad(set_to_none)
  local err = C.zero_grad(self._handle, set_to_none ~= false)
  if err then error(err, 2) end
end

function Optimizer:set_lr(lr) call(2, C.set_lr, self._handle, lr) end
function Optimizer:get_lr() return C.get_lr(self._handle) end

-- {kind, options, state = {[i] = {step = n, <buffer> = tensor copy, ...}}}
function Optimizer:state_dict()
  local sd = {kind = self.kind, options = C.options(self._handle), state = {}}
  for i = 1, #self.params do
    local steps, buffers = C.state(self._handle, i)
    buffers.step = steps
    sd.state[i] = buffers
  end
  return sd
end

-- Restores the learning rate, step counts and buffers (the other options
-- are fixed when the optimizer is made).
function Optimizer:load_state_dict(sd)
  if type(sd) ~= "table" or sd.kind ~= self.kind or type(sd.state) ~= "table" then
    error(("%s: load_state_dict needs a state_dict of a %s optimizer"):format(
      self.kind, self.kind), 2)
  end
  if #sd.state ~= #self.params then
    error(("%s: the state_dict has %d parameters, this optimizer %d"):format(
      self.kind, #sd.state, #self.params), 2)
  end
  if sd.options and sd.options.lr then self:set_lr(sd.options.lr) end
  for i, st in ipairs(sd.state) do
    call(2, C.set_state, self._handle, i, st.step or 0, st)
  end
end

optim.clip_grad_norm = C.clip_grad_norm
optim.clip_grad_norm_ = C.clip_grad_norm

-- ------------------------------------------------------------ schedulers

local Scheduler = {__name = "optim.Scheduler"}
Scheduler.__index = Scheduler
optim.Scheduler = Scheduler

function Scheduler:step()
  self._step_count = self._step_count + 1
  self.last_epoch = self.last_epoch + 1
  local lr = self:_next(self.optimizer.lr)
  call(2, C.set_lr, self.optimizer._handle, lr)
  self._last_lr = lr
end

-- The lr this scheduler set last (PyTorch's get_last_lr()[1]; its get_lr()
-- is an internal that recomputes a step).
function Scheduler:get_last_lr() return self._last_lr end
Scheduler.get_lr = Scheduler.get_last_lr

function Scheduler.__tostring(self)
  return ("optim.%s(last_epoch = %d, lr = %.6g)"):format(self.name, self.last_epoch,
                                                        self._last_lr)
end

-- Reads opts.<key> (or opts[pos]) as a number satisfying ok; def when nil,
-- an error when def is nil too. Errors point at the scheduler's caller:
-- every caller is a constructor (or tail-called from one).
local function number(name, opts, key, pos, def, ok, what)
  local v = opts[key]
  if v == nil then v = opts[pos] end
  if v == nil then v = def end
  if v == nil then error(("%s: option '%s' is required"):format(name, key), 3) end
  if type(v) ~= "number" or not ok(v) then
    error(("%s: %s must be %s, got %s"):format(name, key, what, tostring(v)), 3)
  end
  return v
end

local function positive_integer(v) return v >= 1 and math.floor(v) == v end
local function positive(v) return v > 0 and v < math.huge end
local function non_negative(v) return v >= 0 and v < math.huge end
local function unit(v) return v > 0 and v <= 1 end

local function new_scheduler(name, opt, opts, keys, next_lr)
  if getmetatable(opt) ~= Optimizer then
    error(("%s: the first argument must be an optimizer (optim.SGD, ...), got %s")
          :format(name, type(opt)), 3)
  end
  if opts ~= nil and type(opts) ~= "table" then
    error(("%s: the options must be a table, got %s"):format(name, type(opts)), 3)
  end
  opts = opts or {}
  for k in pairs(opts) do
    local known = math.type(k) == "integer" and k >= 1 and k <= #keys
    for _, key in ipairs(keys) do known = known or k == key end
    if not known then error(("%s: unknown option '%s'"):format(name, tostring(k)), 3) end
  end
  local self = setmetatable({name = name, optimizer = opt, base_lr = opt.lr,
                             last_epoch = -1, _step_count = 0, _next = next_lr}, Scheduler)
  return self, opts
end

function optim.StepLR(opt, opts)
  local self
  self, opts = new_scheduler("StepLR", opt, opts, {"step_size", "gamma"}, function(s, lr)
    if s.last_epoch == 0 or s.last_epoch % s.step_size ~= 0 then return lr end
    return lr * s.gamma
  end)
  self.step_size = number("StepLR", opts, "step_size", 1, nil, positive_integer,
                          "a positive integer")
  self.gamma = number("StepLR", opts, "gamma", 2, 0.1, positive, "a finite number > 0")
  self:step()
  return self
end

function optim.ExponentialLR(opt, opts)
  local self
  self, opts = new_scheduler("ExponentialLR", opt, opts, {"gamma"}, function(s, lr)
    if s.last_epoch == 0 then return lr end
    return lr * s.gamma
  end)
  self.gamma = number("ExponentialLR", opts, "gamma", 1, nil, positive,
                      "a finite number > 0")
  self:step()
  return self
end

function optim.CosineAnnealingLR(opt, opts)
  local self
  self, opts = new_scheduler("CosineAnnealingLR", opt, opts, {"T_max", "eta_min"},
                             function(s, lr)
    local e, T, base, eta = s.last_epoch, s.T_max, s.base_lr, s.eta_min
    if e == 0 then return lr end
    if s._step_count == 1 and e > 0 then
      return eta + (base - eta) * (1 + math.cos(e * math.pi / T)) / 2
    end
    if (e - 1 - T) % (2 * T) == 0 then
      return lr + (base - eta) * (1 - math.cos(math.pi / T)) / 2
    end
    return (1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T)) *
           (lr - eta) + eta
  end)
  self.T_max = number("CosineAnnealingLR", opts, "T_max", 1, nil, positive_integer,
                      "a positive integer")
  self.eta_min = number("CosineAnnealingLR", opts, "eta_min", 2, 0, non_negative,
                        "a finite number >= 0")
  self:step()
  return self
end

local function linear(name, opt, opts, keys, start_key, iters_key, has_end)
  local self
  self, opts = new_scheduler(name, opt, opts, keys, function(s, lr)
    local e, n, a, b = s.last_epoch, s.total_iters, s.start_factor, s.end_factor
    if e == 0 then return lr * a end
    if e > n then return lr end
    return lr * (1 + (b - a) / (n * a + (e - 1) * (b - a)))
  end)
  self.start_factor = number(name, opts, start_key, has_end and 1 or 2, 1 / 3, unit,
                             "in (0, 1]")
  self.end_factor = has_end and number(name, opts, "end_factor", 2, 1,
    function(v) return v >= 0 and v <= 1 end, "in [0, 1]") or 1
  self.total_iters = number(name, opts, iters_key, has_end and 3 or 1, 5,
                            positive_integer, "a positive integer")
  self:step()
  return self
end

function optim.LinearLR(opt, opts)
  return linear("LinearLR", opt, opts, {"start_factor", "end_factor", "total_iters"},
                "start_factor", "total_iters", true)
end

function optim.LinearWarmup(opt, opts)
  return linear("LinearWarmup", opt, opts, {"warmup_steps", "start_factor"},
                "start_factor", "warmup_steps", false)
end

return optim
