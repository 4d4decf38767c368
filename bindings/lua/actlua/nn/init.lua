-- actlua.nn — neural-network modules (A.nn): the Module class system,
-- containers, layers, activations, losses, initialisers and utilities.
--
--   local nn = require "actlua.nn"
--   local model = nn.Sequential{nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1)}
--   print(model)   -- the tree, parameter shapes and the total
local Module = require "actlua.nn.module"

local nn = {
  Module = Module,
  Parameter = Module.Parameter,
  Sequential = require "actlua.nn.sequential",
  Linear = require "actlua.nn.linear",
  Identity = require "actlua.nn.identity",
  Dropout = require "actlua.nn.dropout",
  Activation = require "actlua.nn.activation",
  PReLU = require "actlua.nn.prelu",
  Maxout = require "actlua.nn.maxout",
  Loss = require "actlua.nn.loss",
  init = require "actlua.nn.initializers",
  utils = require "actlua.nn.utils",
}

for name, cls in pairs(nn.Activation.classes()) do nn[name] = cls end
nn.Swish = require "actlua.nn.swish" -- x sigmoid(beta x), beta learnable
for name, cls in pairs(nn.Loss.classes()) do nn[name] = cls end

return nn
