-- nn.Linear(in, out [, opts]) — y = x wᵀ + b, with weight [out, in] and
-- bias [out], computed by A.linear in one fused call.
--
-- opts:
--   bias = false        no bias
--   dtype = "float64"   the parameters' dtype (default: the default dtype)
--   init = name or fn   the weight's initialisation: "kaiming_uniform" (the
--                       default: PyTorch's: a = opts.a, or sqrt(5) unless
--                       opts.nonlinearity is given, so that by default
--                       |w| <= 1/sqrt(in)), "kaiming_normal",
--                       "xavier_uniform", "xavier_normal", "orthogonal"
--                       (these take opts.gain; kaiming also opts.a, mode,
--                       nonlinearity), "normal" (opts.std, default 0.01),
--                       "zeros", or function(weight) ... end
--   bias_init = ...     "zeros", a number, or function(bias, fan_in);
--                       default PyTorch's U(-1/sqrt(in), 1/sqrt(in))
local A = require "actlua"
local Module = require "actlua.nn.module"
local init = require "actlua.nn.initializers"

local Linear = Module:extend("nn.Linear")

local function check_count(v, what)
  if math.type(v) ~= "integer" or v < 1 then
    error(("nn.Linear: %s must be a positive integer, got %s"):format(what, tostring(v)), 0)
  end
end

local function init_weight(w, opts)
  local how = opts.init or "kaiming_uniform"
  if type(how) == "function" then return how(w) end
  if how == "kaiming_uniform" or how == "kaiming_normal" then
    return init[how](w, {a = opts.a or (opts.nonlinearity == nil and math.sqrt(5) or 0),
                         mode = opts.mode, nonlinearity = opts.nonlinearity})
  elseif how == "xavier_uniform" or how == "xavier_normal" or how == "orthogonal" then
    return init[how](w, opts.gain)
  elseif how == "normal" then
    return init.normal(w, 0, opts.std or 0.01)
  elseif how == "zeros" then
    return init.zeros(w)
  end
  error(("nn.Linear: unknown init '%s' (kaiming_uniform, kaiming_normal, " ..
         "xavier_uniform, xavier_normal, orthogonal, normal, zeros or a function)"):format(
         tostring(how)), 0)
end

local function init_bias(b, fan_in, how)
  if how == nil then
    local bound = 1 / math.sqrt(fan_in)
    return init.uniform(b, -bound, bound)
  elseif how == "zeros" then
    return init.zeros(b)
  elseif type(how) == "number" then
    return init.constant(b, how)
  elseif type(how) == "function" then
    return how(b, fan_in)
  end
  error(("nn.Linear: bias_init must be 'zeros', a number or a function, got %s"):format(
    tostring(how)), 0)
end

function Linear:__init(in_features, out_features, opts)
  check_count(in_features, "in_features")
  check_count(out_features, "out_features")
  if opts ~= nil and type(opts) ~= "table" then
    error(("nn.Linear: options must be a table, got %s"):format(type(opts)), 0)
  end
  opts = opts or {}
  rawset(self, "in_features", in_features)
  rawset(self, "out_features", out_features)
  local weight = A.empty({out_features, in_features}, {dtype = opts.dtype})
  init_weight(weight, opts)
  self:register_parameter("weight", weight:requires_grad(true))
  if opts.bias ~= false then
    local bias = A.empty({out_features}, {dtype = opts.dtype})
    init_bias(bias, in_features, opts.bias_init)
    self:register_parameter("bias", bias:requires_grad(true))
  end
end

function Linear:forward(x)
  return A.linear(x, self.weight, self.bias)
end

-- Sequential runs an nn.Linear (not a subclass) in C, with A.linear too.
A._nn.kinds[Linear] = A._nn.LINEAR

function Linear:extra_repr()
  return ("%d -> %d%s"):format(self.in_features, self.out_features,
                               self.bias == nil and ", no bias" or "")
end

return Linear
