-- nn.utils — helpers over parameter lists, re-exported from their homes.
--   nn.utils.clip_grad_norm(params_or_module, max_norm [, ...]) -> the
--   total norm before clipping (require("actlua.optim").clip_grad_norm).
local Module = require "actlua.nn.module"

local utils = {}

local clip_grad_norm = require("actlua.optim").clip_grad_norm

function utils.clip_grad_norm(params, max_norm, ...)
  if Module.is_module(params) then params = params:parameters() end
  return clip_grad_norm(params, max_norm, ...)
end
utils.clip_grad_norm_ = utils.clip_grad_norm

-- The number of values in a list of parameters (or in a module's).
function utils.num_parameters(params)
  if Module.is_module(params) then return params:num_parameters() end
  local n = 0
  for _, p in ipairs(params) do n = n + p:numel() end
  return n
end

return utils
