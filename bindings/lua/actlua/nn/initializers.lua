-- nn.init — fills parameters in place, as torch.nn.init does, under
-- A.no_grad so that leaves that require grad can be written. Each returns
-- the tensor. PyTorch's underscored names (xavier_uniform_, ...) are
-- aliases.
--
--   nn.init.xavier_uniform(layer.weight, nn.init.calculate_gain("tanh"))
--   nn.init.kaiming_normal(layer.weight, {mode = "fan_out", nonlinearity = "relu"})
--
-- Fans follow PyTorch: for a weight [out, in, k...], fan_in = in * prod(k)
-- and fan_out = out * prod(k).
local A = require "actlua"

local init = {}

local function check_tensor(fn, t)
  if not A.is_tensor(t) then
    error(("bad argument #1 to '%s' (tensor expected, got %s)"):format(fn, type(t)), 3)
  end
end

local function fill(t, fn)
  A.no_grad(fn)
  return t
end

-- fan_in, fan_out of a tensor of 2 or more dims.
function init.calculate_fan_in_and_fan_out(t)
  local shape = t:shape()
  if #shape < 2 then
    error(("nn.init: fans need a tensor of 2 or more dims, got shape [%s]"):format(
      table.concat(shape, ",")), 3)
  end
  local receptive = 1
  for d = 3, #shape do receptive = receptive * shape[d] end
  return shape[2] * receptive, shape[1] * receptive
end

-- The recommended gain for a nonlinearity (PyTorch's table): 1 for linear,
-- conv and sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2))
-- for leaky_relu (slope default 0.01), 3/4 for selu.
function init.calculate_gain(nonlinearity, param)
  local linear = {linear = true, conv1d = true, conv2d = true, conv3d = true,
                  conv_transpose1d = true, conv_transpose2d = true,
                  conv_transpose3d = true, sigmoid = true}
  if linear[nonlinearity] then return 1 end
  if nonlinearity == "tanh" then return 5 / 3 end
  if nonlinearity == "relu" then return math.sqrt(2) end
  if nonlinearity == "selu" then return 3 / 4 end
  if nonlinearity == "leaky_relu" then
    local slope = param == nil and 0.01 or param
    if type(slope) ~= "number" then
      error(("calculate_gain: negative_slope %s is not a valid number"):format(tostring(param)), 2)
    end
    return math.sqrt(2 / (1 + slope * slope))
  end
  error(("calculate_gain: unsupported nonlinearity '%s'"):format(tostring(nonlinearity)), 2)
end

function init.uniform(t, a, b)
  check_tensor("uniform", t)
  return fill(t, function() t:uniform_(a or 0, b or 1) end)
end

function init.normal(t, mean, std)
  check_tensor("normal", t)
  return fill(t, function() t:normal_(mean or 0, std or 1) end)
end

function init.constant(t, v)
  check_tensor("constant", t)
  return fill(t, function() t:fill_(v) end)
end

function init.zeros(t) check_tensor("zeros", t); return fill(t, function() t:fill_(0) end) end
function init.ones(t) check_tensor("ones", t); return fill(t, function() t:fill_(1) end) end

-- U(-a, a), a = gain sqrt(6 / (fan_in + fan_out))
function init.xavier_uniform(t, gain)
  check_tensor("xavier_uniform", t)
  local fan_in, fan_out = init.calculate_fan_in_and_fan_out(t)
  local a = (gain or 1) * math.sqrt(6 / (fan_in + fan_out))
  return fill(t, function() t:uniform_(-a, a) end)
end

-- N(0, std^2), std = gain sqrt(2 / (fan_in + fan_out))
function init.xavier_normal(t, gain)
  check_tensor("xavier_normal", t)
  local fan_in, fan_out = init.calculate_fan_in_and_fan_out(t)
  local std = (gain or 1) * math.sqrt(2 / (fan_in + fan_out))
  return fill(t, function() t:normal_(0, std) end)
end

-- kaiming's options, as a table {a, mode, nonlinearity} or positionally.
local function kaiming_std(fn, t, a, mode, nonlinearity)
  check_tensor(fn, t)
  if type(a) == "table" then
    a, mode, nonlinearity = a.a, a.mode, a.nonlinearity
  end
  a, mode, nonlinearity = a or 0, mode or "fan_in", nonlinearity or "leaky_relu"
  if mode ~= "fan_in" and mode ~= "fan_out" then
    error(("%s: mode must be 'fan_in' or 'fan_out', got '%s'"):format(fn, tostring(mode)), 3)
  end
  local fan_in, fan_out = init.calculate_fan_in_and_fan_out(t)
  local fan = mode == "fan_in" and fan_in or fan_out
  return init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
end

-- U(-b, b), b = gain sqrt(3 / fan); gain = calculate_gain(nonlinearity, a)
function init.kaiming_uniform(t, a, mode, nonlinearity)
  local bound = math.sqrt(3) * kaiming_std("kaiming_uniform", t, a, mode, nonlinearity)
  return fill(t, function() t:uniform_(-bound, bound) end)
end

-- N(0, std^2), std = gain / sqrt(fan)
function init.kaiming_normal(t, a, mode, nonlinearity)
  local std = kaiming_std("kaiming_normal", t, a, mode, nonlinearity)
  return fill(t, function() t:normal_(0, std) end)
end

-- Q from the QR decomposition (modified Gram-Schmidt) of rows x cols
-- normal numbers with rows >= cols: orthonormal columns, and the signs
-- PyTorch gets from diag(R) > 0.
local function orthonormal_columns(rows, cols)
  local m = A.randn({rows, cols}, {dtype = "float64"}):totable()
  for j = 1, cols do
    for k = 1, j - 1 do
      local dot = 0
      for i = 1, rows do dot = dot + m[i][k] * m[i][j] end
      for i = 1, rows do m[i][j] = m[i][j] - dot * m[i][k] end
    end
    local norm = 0
    for i = 1, rows do norm = norm + m[i][j] * m[i][j] end
    norm = math.sqrt(norm)
    if norm < 1e-12 then norm = 1 end -- a degenerate draw; practically never
    for i = 1, rows do m[i][j] = m[i][j] / norm end
  end
  return m
end

-- A (semi-)orthogonal matrix times gain, over t viewed as [size(1), rest]:
-- orthonormal rows when rows <= cols, orthonormal columns otherwise.
function init.orthogonal(t, gain)
  check_tensor("orthogonal", t)
  local shape = t:shape()
  if #shape < 2 then
    error("orthogonal: only tensors with 2 or more dims are supported", 2)
  end
  local rows = shape[1]
  local cols = t:numel() // rows
  local q
  if rows < cols then
    local qt = orthonormal_columns(cols, rows)
    q = {}
    for i = 1, rows do
      q[i] = {}
      for j = 1, cols do q[i][j] = qt[j][i] end
    end
  else
    q = orthonormal_columns(rows, cols)
  end
  gain = gain or 1
  local src = A.tensor(q, {dtype = t:dtype()}):view(shape)
  return fill(t, function() t:copy_(src * gain) end)
end

for _, name in ipairs{"uniform", "normal", "constant", "zeros", "ones",
                      "xavier_uniform", "xavier_normal", "kaiming_uniform",
                      "kaiming_normal", "orthogonal"} do
  init[name .. "_"] = init[name]
end

return init
