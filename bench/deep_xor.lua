-- deep_xor.lua — experiment E8's exact set-up as a benchmark workload:
-- 2 -> nine hidden layers of 5 -> 1, weights and biases from a standard
-- normal, sigmoid output, the article's naive cost, plain gradient descent
-- (lr 0.01), steps 0..20000. Compared with bench/peers/deep_xor.py by
-- bench/run.lua (make bench). Also workload 4's flat-memory check: the
-- resident memory after 1,000 steps and at the end ("@ rss_mib" lines).
-- Usage: actlua bench/deep_xor.lua [steps [act [seed]]]
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
local A = require "actlua"
local experiment = require "actlua.experiment"
local lib = require "lib"
local optim = A.optim

local steps = tonumber(arg and arg[1]) or 20001
local act = arg and arg[2] or "sigmoid"
A.manual_seed(tonumber(arg and arg[3]) or 0)

local x = A.tensor{{0, 0}, {0, 1}, {1, 0}, {1, 1}}
local y = A.tensor{{0}, {1}, {1}, {0}}
-- The same model as scripts/e8_deep_xor.lua's, from the same function.
local model = experiment.deep_xor_model(act)
local opt = optim.SGD(model:parameters(), {lr = 0.01})

local start = lib.clock()
local cost, h
for step = 1, steps do
  h = model(x)
  cost = A.loss.bce_naive(h, y)
  opt:zero_grad()
  cost:backward()
  opt:step()
  if step == 1000 then lib.report("rss_mib", step, lib.status_mib("VmRSS")) end
end
local elapsed = lib.clock() - start
lib.report("rss_mib", steps, lib.status_mib("VmRSS"))
lib.report("loop_s", elapsed)
local accuracy = h:gt(0.5):eq(y):mean():item()
print(string.format("actlua %s: cost %.6f accuracy %.2f loop %.3f s (%.1f us/step)",
  act, cost:item(), accuracy, elapsed, elapsed / steps * 1e6))
