-- nn.Swish{beta = 1, learnable = false} — x sigmoid(beta x). With beta 1
-- it is SiLU (and runs as A.silu); learnable = true makes beta a
-- one-element parameter that training moves. nn.Swish(beta) also works.
local A = require "actlua"
local Module = require "actlua.nn.module"

local Swish = Module:extend("nn.Swish")

function Swish:__init(opts)
  if type(opts) == "number" then opts = {beta = opts} end
  if opts ~= nil and type(opts) ~= "table" then
    error(("nn.Swish: options must be a table or beta, got %s"):format(type(opts)), 0)
  end
  opts = opts or {}
  local beta = opts.beta == nil and 1 or opts.beta
  if type(beta) ~= "number" then
    error(("nn.Swish: beta must be a number, got %s"):format(type(beta)), 0)
  end
  rawset(self, "learnable", not not opts.learnable)
  if self.learnable then
    self:register_parameter("beta", A.full({1}, beta, {dtype = opts.dtype}):requires_grad(true))
  else
    rawset(self, "beta", beta)
  end
end

function Swish:forward(x)
  local beta = self.beta
  if not self.learnable and beta == 1 then return A.silu(x) end
  return x * A.sigmoid(x * beta)
end

function Swish:extra_repr()
  if self.learnable then return ("beta = %g, learnable"):format(self.beta:item()) end
  return ("beta = %g"):format(self.beta)
end

return Swish
