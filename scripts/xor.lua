-- xor.lua — the first thing to run: a 2 -> 8 -> 1 network learns XOR.
-- Seeded (--seed N, 0 by default), so every run ends with the same numbers:
-- the cost as it goes (a bar on a terminal, a line every 100 steps
-- elsewhere), then the article's report: the four hypotheses, their
-- classes and the accuracy.
--
--   build/actlua scripts/xor.lua
--   build/actlua scripts/xor.lua --act relu --hidden 4 --plot out
local A = require "actlua"
local experiment = require "actlua.experiment"
local cli, data, progress = experiment.cli, experiment.data, experiment.progress
local nn, optim = A.nn, A.optim

local p = cli.parser("xor", "A small network (2 -> hidden -> 1, sigmoid output, BCE, SGD) learns XOR.")
cli.add_steps(p, 1000)
cli.add_lr(p, 1.0)
cli.add_act(p, "tanh", "Hidden activation.", {forms = {"elementwise"}})
cli.add_integer(p, "--hidden", 8, "Hidden width.", 1)
local args = cli.parse(p)

A.manual_seed(args.seed)
local x, y = data.xor()
local model = nn.Sequential{
  nn.Linear(2, args.hidden), nn.Activation(args.act),
  nn.Linear(args.hidden, 1), nn.Sigmoid(),
}
local opt = optim.SGD(model:parameters(), {lr = args.lr})

if not args.quiet then print(model); print() end
local EVERY = 100
local bar = progress.new{total = args.steps, every = EVERY, quiet = args.quiet,
                         metrics = {"cost"}, format = {cost = "%.6f"}}
local curve = {steps = {}, cost = {}}
for step = 1, args.steps do
  opt:zero_grad()
  local cost = A.loss.bce(model(x), y)
  cost:backward()
  opt:step()
  if step == 1 or step % EVERY == 0 or step == args.steps then
    local c = cost:item()
    curve.steps[#curve.steps + 1], curve.cost[#curve.cost + 1] = step, c
    bar:update(step, {cost = c})
  end
end
bar:finish()

local h = A.no_grad(function() return model(x) end)
local predicted = h:gt(0.5)
local accuracy = predicted:eq(y):mean():item()

print()
print(string.format("XOR, a 2-%d-1 %s/sigmoid network after %d steps of SGD (lr %g), seed %d",
                    args.hidden, args.act, args.steps, args.lr, args.seed))
print(string.format("%-8s %-12s %-6s %s", "x", "hypothesis", "class", "target"))
for i = 1, 4 do
  print(string.format("%-8s %-12.6f %-6d %d",
    string.format("%d %d", x[i][1], x[i][2]), h[i][1], predicted[i][1], y[i][1]))
end
print(string.format("accuracy: %.2f", accuracy))

if args.plot then
  local figs = experiment.figures(args.plot)
  figs:lines("xor_cost", {title = "XOR: cost", xlabel = "step", ylabel = "cost (BCE)",
                          logy = true, series = {{name = args.act, x = curve.steps, y = curve.cost}}})
  figs:report()
end
