-- custom_activation.lua — a new activation from a formula, end to end:
-- define it, check its gradient, inspect it beside the built-ins, train a
-- single neuron on XOR (experiment E7's question) and a deep network
-- (E8's set-up, shortened) with it, and plot its shape.
--
--   build/actlua scripts/custom_activation.lua
--   build/actlua scripts/custom_activation.lua --plot out --seeds 10
--
-- docs/activations.md walks through the same steps.
local A = require "actlua"
local nn = require "actlua.nn"
local optim = require "actlua.optim"
local cli = require "actlua.cli"
local report = require "actlua.report"
local plot = require "actlua.plot"
local F = A.fn

local p = cli.parser("custom_activation",
  "Define activations from formulas (A.act.define), check and inspect them, "
  .. "and try them on XOR against built-ins.")
cli.add_seeds(p, 5)
cli.add_steps(p, 3000, "Training steps of each run.")
local args = cli.parse(p)

-- 1. Define: a formula in x (and named parameters); the engine derives
--    the derivative and compiles both.
A.act.define("ncu2", function(x) return x - x^3 end)
A.act.define("swish_b", function(x, q) return x * F.sigmoid(q.beta * x) end,
             {params = {beta = 1.0}})
A.act.define("gcu2", function(x) return x * F.cos(x) end)
A.act.define("bent", function(x) return F.where(F.gt(x, 0), x, 0.1 * x) + 0.05 * F.sin(3 * x) end)

-- 2. Check: A.act.define already compared each derivative with central
--    differences; here A.gradcheck checks it again through autograd.
-- (points off 0, where bent has its kink)
local x64 = A.linspace(-2.9, 3.1, 25, {dtype = "float64"}):requires_grad(true)
local mine = {"ncu2", "swish_b", "gcu2", "bent"}
for _, name in ipairs(mine) do
  local ok, why = A.gradcheck(function(t) return A[name](t) end, x64)
  assert(ok, why)
end
print("gradcheck (float64, 25 points in [-2.9, 3.1]): all passed")
print()

-- 3. Inspect: the formula the engine compiled, its derivative, and the
--    properties E1 measures, beside built-ins.
local rows = {}
for _, name in ipairs{"ncu2", "ncu", "swish_b", "silu", "gcu2", "bent", "relu"} do
  local info = A.act.info(name)
  local m = info.measured
  rows[#rows + 1] = {name, info.derivative or info.formula, m.range[1], m.range[2],
                     m.max_slope, m.monotonic, m.zero_centred and "yes" or "no"}
end
report.print_table{
  title = "Defined activations beside the built-ins they imitate (properties on [-10, 10])",
  columns = {"activation", "derivative (defined) / formula (built-in)", "min", "max",
             "max |f'|", "monotonic", "zero-centred"},
  rows = rows, format = {min = "%.4g", max = "%.4g", ["max |f'|"] = "%.4g"},
}
print()

-- 4. Try: one neuron on XOR (E7) and a 2-5-5-5-1 network (E8's style,
--    N(0,1) weights, naive BCE, plain gradient descent), several seeds.
local X, Y = A.tensor{{0, 0}, {0, 1}, {1, 0}, {1, 1}}, A.tensor{{0}, {1}, {1}, {0}}

local function train(model, lr)
  local opt = optim.SGD(model:parameters(), {lr = lr})
  local cost
  for _ = 1, args.steps do
    opt:zero_grad()
    cost = A.loss.bce(model(X), Y)
    cost:backward()
    opt:step()
  end
  local h = A.no_grad(function() return model(X) end)
  return h:gt(0.5):eq(Y):mean():item(), cost:item()
end

local results = {}
for _, name in ipairs{"ncu2", "swish_b", "gcu2", "bent", "tanh", "relu"} do
  local single, deep = 0, 0
  for _, seed in ipairs(cli.seed_list(args)) do
    A.manual_seed(seed)
    local neuron = nn.Sequential{nn.Linear(2, 1), nn.Activation(name), nn.Linear(1, 1), nn.Sigmoid()}
    if train(neuron, 0.5) == 1 then single = single + 1 end
    A.manual_seed(seed)
    local net = nn.Sequential{nn.Linear(2, 5), nn.Activation(name), nn.Linear(5, 5),
                              nn.Activation(name), nn.Linear(5, 1), nn.Sigmoid()}
    if train(net, 0.1) == 1 then deep = deep + 1 end
  end
  results[#results + 1] = {name, A.act.is_defined(name) and "defined" or "built-in",
                           ("%d/%d"):format(single, args.seeds), ("%d/%d"):format(deep, args.seeds)}
end
report.print_table{
  title = ("XOR solved (accuracy 1.0 after %d steps), seeds %d..%d"):format(
    args.steps, args.seed, args.seed + args.seeds - 1),
  columns = {"activation", "kind", "one neuron", "2-5-5-1 network"},
  rows = results,
}

-- 5. Plot the shapes (and the derivatives) like E1.
if args.plot then
  local xs = A.linspace(-3, 3, 121, {dtype = "float64"})
  local grid = xs:totable()
  local series = {}
  for _, name in ipairs(mine) do
    local t = xs:clone():requires_grad(true)
    local y = A[name](t)
    y:sum():backward()
    series[#series + 1] = {title = name, x = grid, y = y:detach():totable()}
    series[#series + 1] = {title = name .. "'", x = grid, y = t.grad:totable()}
  end
  local files, note = plot.lines{file = args.plot .. "/custom_activations",
                                 title = "Defined activations and their derivatives",
                                 xlabel = "x", ylabel = "f(x), f'(x)", series = series}
  print()
  print("wrote " .. table.concat(files, ", "))
  if note then print(note) end
end
