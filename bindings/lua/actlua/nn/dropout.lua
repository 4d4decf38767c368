-- nn.Dropout(p = 0.5) — inverted dropout: while training, each element is
-- zeroed with probability p and the survivors are scaled by 1 / (1 - p),
-- so that evaluation is the identity. Draws from the context's generator
-- (A.manual_seed).
local A = require "actlua"
local Module = require "actlua.nn.module"

local Dropout = Module:extend("nn.Dropout")

function Dropout:__init(p)
  if p == nil then p = 0.5 end
  if type(p) ~= "number" or not (p >= 0 and p <= 1) then
    error(("nn.Dropout: p must be a probability in [0, 1], got %s"):format(tostring(p)), 0)
  end
  rawset(self, "p", p)
end

function Dropout:forward(x)
  local p = self.p
  if not self.training or p == 0 then return x end
  if p == 1 then return x * 0 end
  local keep = A.rand_like(x):ge(p) -- true with probability 1 - p
  return x * (keep * (1 / (1 - p)))
end

function Dropout:extra_repr() return ("p = %g"):format(self.p) end

return Dropout
