-- nn.Identity — returns its input (a placeholder in containers).
local Module = require "actlua.nn.module"

local Identity = Module:extend("nn.Identity")

function Identity:forward(x) return x end

return Identity
