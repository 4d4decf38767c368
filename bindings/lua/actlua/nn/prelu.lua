-- nn.PReLU(num_parameters = 1, init = 0.25) — x > 0 ? x : a x with the
-- slope a learnt: one for all channels, or one per channel (dim 2 of the
-- input) when num_parameters is the channel count. Also
-- nn.PReLU{num_parameters = 3, init = 0.1, dtype = "float64"}.
local A = require "actlua"
local Module = require "actlua.nn.module"

local PReLU = Module:extend("nn.PReLU")

function PReLU:__init(num_parameters, init)
  local dtype
  if type(num_parameters) == "table" then
    local opts = num_parameters
    num_parameters, init, dtype = opts.num_parameters, opts.init, opts.dtype
  end
  num_parameters = num_parameters or 1
  init = init == nil and 0.25 or init
  if math.type(num_parameters) ~= "integer" or num_parameters < 1 then
    error(("nn.PReLU: num_parameters must be a positive integer, got %s"):format(
      tostring(num_parameters)), 0)
  end
  if type(init) ~= "number" then
    error(("nn.PReLU: init must be a number, got %s"):format(type(init)), 0)
  end
  rawset(self, "slopes", num_parameters) -- num_parameters() is the method
  self:register_parameter("weight",
    A.full({num_parameters}, init, {dtype = dtype}):requires_grad(true))
end

function PReLU:forward(x)
  return A.prelu(x, self.weight)
end

function PReLU:extra_repr()
  return ("num_parameters = %d"):format(self.slopes)
end

return PReLU
