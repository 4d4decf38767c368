-- xor.lua — the first thing to run: a 2 -> 8 -> 1 network learns XOR.
-- Seeded, so every run prints the same numbers: the cost every 100 steps,
-- then the article's report, the four hypotheses, their classes and the
-- accuracy.
--
--   build/actlua scripts/xor.lua
local A = require "actlua"
local nn = require "actlua.nn"
local optim = require "actlua.optim"

A.manual_seed(42)

local x = A.tensor{{0, 0}, {0, 1}, {1, 0}, {1, 1}}
local y = A.tensor{{0}, {1}, {1}, {0}}

local model = nn.Sequential{
  nn.Linear(2, 8), nn.Tanh(),
  nn.Linear(8, 1), nn.Sigmoid(),
}
local opt = optim.SGD(model:parameters(), {lr = 1.0})

print(model)
print()
local STEPS, EVERY = 1000, 100
for step = 1, STEPS do
  opt:zero_grad()
  local cost = A.loss.bce(model(x), y)
  cost:backward()
  opt:step()
  if step == 1 or step % EVERY == 0 then
    print(string.format("step %5d  cost %.6f", step, cost:item()))
  end
end

local h = A.no_grad(function() return model(x) end)
local predicted = h:gt(0.5)
local accuracy = predicted:eq(y):mean():item()

print()
print(string.format("XOR, a 2-8-1 tanh/sigmoid network after %d steps of SGD", STEPS))
print(string.format("%-8s %-12s %-6s %s", "x", "hypothesis", "class", "target"))
for i = 1, 4 do
  print(string.format("%-8s %-12.6f %-6d %d",
    string.format("%d %d", x[i][1], x[i][2]), h[i][1], predicted[i][1], y[i][1]))
end
print(string.format("accuracy: %.2f", accuracy))
