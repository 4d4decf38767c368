-- nn.Sequential — modules applied one after the other. Children are kept
-- at the integer keys 1..n, so model[2] and #model work as on an array,
-- and parameters are named "1.weight", "2.bias", ...
--
--   local model = nn.Sequential{nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1)}
--   model:add(nn.Sigmoid())
--
-- An error inside says which module failed on what input:
--   nn.Sequential: module 3 (nn.Linear(5 -> 1)) failed on input of shape
--   [4,3]: <the original message>
local A = require "actlua"
local Module = require "actlua.nn.module"

local Sequential = Module:extend("nn.Sequential")

-- nn.Sequential{m1, m2, ...} or nn.Sequential(m1, m2, ...)
function Sequential:__init(...)
  local list = {...}
  if select("#", ...) == 1 and type(list[1]) == "table" and not Module.is_module(list[1]) then
    list = list[1]
  end
  for i, m in ipairs(list) do
    if not Module.is_module(m) then
      error(("nn.Sequential: element %d is a %s, not a module"):format(i, type(m)), 0)
    end
    self:add(m)
  end
end

-- Appends m; returns the container, so that adds chain.
function Sequential:add(m)
  if not Module.is_module(m) then
    error(("bad argument #1 to 'add' (module expected, got %s)"):format(type(m)), 2)
  end
  self:add_module(#self + 1, m)
  return self
end

-- Runs of plain layers (nn.Linear, element-wise activations with default
-- parameters: the classes in A._nn.kinds) go through A._nn.chain, one C
-- call for the whole run with the same engine ops as the modules' own
-- forwards; every other module is called as usual. A plain layer that
-- fails is left to the usual call, which raises the error.
local chain = A._nn.chain

function Sequential:forward(x)
  local n, i = #self, 1
  while true do
    x, i = chain(self, x, i)
    if i > n then return x end
    local m = self[i]
    local ok, y = pcall(m, x)
    if not ok then
      error(("nn.Sequential: module %d (%s) failed on input of shape %s: %s"):format(
        i, m:describe(), Module.shape_str(x), tostring(y)), 0)
    end
    x, i = y, i + 1
  end
end

return Sequential
