-- deep_xor.lua — experiment E8's exact set-up as a benchmark workload:
-- 2 -> nine hidden layers of 5 -> 1, weights and biases from a standard
-- normal, sigmoid output, the article's naive cost, plain gradient descent
-- (lr 0.01), steps 0..20000. Compared with bench/peers/deep_xor.py by
-- bench/deep_xor.sh. Usage: actlua bench/deep_xor.lua [steps [act [seed]]]
local A = require "actlua"
local experiment = require "actlua.experiment"
local optim = A.optim

local steps = tonumber(arg and arg[1]) or 20001
local act = arg and arg[2] or "sigmoid"
A.manual_seed(tonumber(arg and arg[3]) or 0)

local x = A.tensor{{0, 0}, {0, 1}, {1, 0}, {1, 1}}
local y = A.tensor{{0}, {1}, {1}, {0}}
-- The same model as scripts/e8_deep_xor.lua's, from the same function.
local model = experiment.deep_xor_model(act)
local opt = optim.SGD(model:parameters(), {lr = 0.01})

local start = os.clock()
local cost, h
for _ = 1, steps do
  h = model(x)
  cost = A.loss.bce_naive(h, y)
  opt:zero_grad()
  cost:backward()
  opt:step()
end
local elapsed = os.clock() - start
local accuracy = h:gt(0.5):eq(y):mean():item()
print(string.format("actlua %s: cost %.6f accuracy %.2f loop %.3f s (%.1f us/step)",
  act, cost:item(), accuracy, elapsed, elapsed / steps * 1e6))
