-- nn.Activation(name [, params]) — any activation of the registry as a
-- module, and the classes nn.ReLU, nn.LeakyReLU, ... made from it, one per
-- registered name (CamelCase as in PyTorch; an unknown name gets a plain
-- CamelCase). Parameters go positionally in PyTorch's order or as one
-- table of named ones, and are checked when the module is made:
--
--   nn.Activation("leaky_relu", {negative_slope = 0.2})
--   nn.LeakyReLU(0.2)   nn.GELU{approximate = "tanh"}   nn.Softmax(2)
--
-- rrelu draws random slopes while the module is training and uses their
-- mean in evaluation. nn.PReLU and nn.Swish have learnable variants and
-- live in their own files.
--
-- An activation defined with A.act.define can learn its parameters:
--   nn.Activation("swish_b", {learnable = true})                  one beta
--   nn.Activation("swish_b", {learnable = true, num_parameters = 16,
--                             beta = 1.5, dtype = "float64"})     one per channel
-- Each parameter becomes a module parameter of that name (m.beta), starting
-- at the given value or the default; per channel means along dim 2 of the
-- input, as nn.PReLU.
local A = require "actlua"
local Module = require "actlua.nn.module"

local Activation = Module:extend("nn.Activation")

-- PyTorch's spelling where plain CamelCase would differ.
local CAMEL = {
  relu = "ReLU", relu6 = "ReLU6", leaky_relu = "LeakyReLU", rrelu = "RReLU",
  elu = "ELU", selu = "SELU", celu = "CELU", gelu = "GELU", silu = "SiLU",
  logsigmoid = "LogSigmoid", log_softmax = "LogSoftmax", glu = "GLU",
  gcu = "GCU", ncu = "NCU", squ = "SQU", dsu = "DSU", ssu = "SSU",
}

local function camel(name)
  return CAMEL[name] or (name:gsub("^%l", string.upper):gsub("_(%l)", string.upper))
end

-- "bad argument #2 to 'info' (what)" -> "what"
local function reason(err)
  err = tostring(err)
  return err:match("^bad argument #%d+ to '[^']*' %((.*)%)$") or err
end

-- Parameters the module sets itself rather than the user.
local FROM_MODULE = {rrelu = {training = true}}

function Activation:__init(name, ...)
  local label = rawget(getmetatable(self), "act_name") and self.__name or "nn.Activation"
  local ok, info = pcall(A.act.info, name)
  if not ok then error(label .. ": " .. reason(info), 0) end
  if info.form == "weighted" then
    error(label .. ": " .. info.name .. " learns a weight: use nn.PReLU", 0)
  end
  local params, first = {}, ...
  if select("#", ...) == 1 and type(first) == "table" and not A.is_tensor(first) then
    for k, v in pairs(first) do params[k] = v end
  else
    local args = table.pack(...)
    if args.n > #info.params then
      error(("%s: too many parameters (%s takes %d)"):format(label, info.name, #info.params), 0)
    end
    for i = 1, args.n do
      if args[i] ~= nil then params[info.params[i].name] = args[i] end
    end
  end
  for k in pairs(FROM_MODULE[info.name] or {}) do
    if params[k] ~= nil then
      error(("%s: %s comes from the module (train/evaluate)"):format(label, k), 0)
    end
  end
  local learnable = params.learnable
  if learnable ~= nil then
    params.learnable = nil
    if learnable then self:_make_learnable(label, info, params) end
  end
  local valid, err = pcall(A.act.info, info.name, params)
  if not valid then error(label .. ": " .. reason(err), 0) end
  rawset(self, "act_name", info.name)
  rawset(self, "info", info)
  rawset(self, "uses_training", FROM_MODULE[info.name] ~= nil)
  rawset(self, "params", next(params) ~= nil and params or nil)
  rawset(self, "fn", A[info.name] or function(x, p) return A.act.apply(info.name, x, p) end)
  -- A built-in element-wise activation with its default parameters: what
  -- Sequential may run in C (lnn.c), as A[name](x) would.
  if info.form == "elementwise" and not self.uses_training and rawget(self, "params") == nil
     and self.fn == A[info.name] and not A.act.is_defined(info.name) then
    rawset(self, "_act_id", A._nn.activation_id(info.name))
  end
end

-- The parameters of a defined activation as module parameters, created
-- from params (which keeps only the tensors afterwards).
function Activation:_make_learnable(label, info, params)
  if not A.act.is_defined(info.name) then
    error(("%s: %s's parameters are fixed numbers; only activations defined with "
           .. "A.act.define can learn theirs"):format(label, info.name), 0)
  end
  if #info.params == 0 then
    error(("%s: %s has no parameters to learn"):format(label, info.name), 0)
  end
  local n, dtype = params.num_parameters or 1, params.dtype
  params.num_parameters, params.dtype = nil, nil
  if math.type(n) ~= "integer" or n < 1 then
    error(("%s: num_parameters must be a positive integer, got %s"):format(label, tostring(n)), 0)
  end
  for _, p in ipairs(info.params) do
    local v = params[p.name]
    if v == nil then v = p.default end
    if type(v) ~= "number" then
      error(("%s: %s must be a number, got %s"):format(label, p.name, type(v)), 0)
    end
    if Activation[p.name] ~= nil then
      error(("%s: a parameter called %s would hide the module's method"):format(label, p.name), 0)
    end
    params[p.name] = self:register_parameter(p.name,
      A.full({n}, v, {dtype = dtype}):requires_grad(true))
  end
  rawset(self, "num_learnable", n)
end
A._nn.kinds[Activation] = A._nn.ACTIVATION

function Activation:forward(x)
  if self.uses_training then
    local p = self.params or {}
    p.training = self.training
    rawset(self, "params", p)
  end
  return self.fn(x, self.params)
end

local function fmt(v)
  if type(v) == "number" then return ("%g"):format(v) end
  if type(v) == "string" then return ("%q"):format(v) end
  return tostring(v)
end

-- The parameters the user gave, in the registry's order.
function Activation:extra_repr()
  local parts = {}
  if not rawget(getmetatable(self), "act_name") then parts[1] = self.act_name end
  local hidden = FROM_MODULE[self.act_name] or {}
  for _, p in ipairs(self.info.params) do
    local v = self.params and self.params[p.name]
    if A.is_tensor(v) then
      parts[#parts + 1] = ("%s learnable [%d]"):format(p.name, v:numel())
    elseif v ~= nil and not hidden[p.name] then
      parts[#parts + 1] = p.name .. " = " .. fmt(v)
    end
  end
  return table.concat(parts, ", ")
end

-- The classes nn.<CamelName>, keyed by that name; prelu (a learnt weight)
-- is left to nn.PReLU.
function Activation.classes()
  local classes = {}
  for _, name in ipairs(A.act.names()) do
    if A.act.info(name).form ~= "weighted" then
      local cls = Activation:extend("nn." .. camel(name))
      cls.act_name = name
      function cls.__init(self, ...) Activation.__init(self, name, ...) end
      A._nn.kinds[cls] = A._nn.ACTIVATION
      classes[camel(name)] = cls
    end
  end
  return classes
end

return Activation
