-- nn.Maxout(in, out, pieces) — out units, each the maximum of `pieces`
-- linear pieces of the input: one nn.Linear(in, out * pieces) whose output
-- [..., out * pieces] is viewed as [..., out, pieces] and maxed over the
-- last dim. opts (a 4th argument) go to the Linear.
local Module = require "actlua.nn.module"
local Linear = require "actlua.nn.linear"

local Maxout = Module:extend("nn.Maxout")

function Maxout:__init(in_features, out_features, pieces, opts)
  for _, v in ipairs{{in_features, "in_features"}, {out_features, "out_features"},
                     {pieces, "pieces"}} do
    if math.type(v[1]) ~= "integer" or v[1] < 1 then
      error(("nn.Maxout: %s must be a positive integer, got %s"):format(v[2], tostring(v[1])), 0)
    end
  end
  rawset(self, "in_features", in_features)
  rawset(self, "out_features", out_features)
  rawset(self, "pieces", pieces)
  self.linear = Linear(in_features, out_features * pieces, opts)
end

function Maxout:forward(x)
  local y = self.linear(x)
  local shape = y:shape()
  shape[#shape] = self.out_features
  shape[#shape + 1] = self.pieces
  return (y:view(shape):max(#shape))
end

function Maxout:extra_repr()
  return ("%d -> %d, pieces = %d"):format(self.in_features, self.out_features, self.pieces)
end

return Maxout
