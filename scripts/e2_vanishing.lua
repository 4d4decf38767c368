-- e2_vanishing.lua — experiment E2: the vanishing gradient.
-- Backpropagation multiplies one derivative per layer; sigmoid's is at most
-- 0.25, so the gradient that reaches the first layers of a deep sigmoid
-- network shrinks roughly geometrically. This script measures it.
--
--   build/actlua scripts/e2_vanishing.lua
--   build/actlua scripts/e2_vanishing.lua --act sigmoid,relu --steps 500 --plot out
--
-- Set-up (defaults): a seeded two-class spirals set (actlua.data, 200
-- points); a network of --depth 10 linear layers, 2 -> 16 -> ... -> 16 -> 1
-- (nine hidden layers of width 16, the activation after each), one logit,
-- bce_with_logits; full-batch plain SGD. The same seed gives every
-- activation the same random draws (--init: by default xavier normal with
-- PyTorch's recommended gain for the activation, so that the forward signal
-- neither explodes nor dies and what remains is the activation's own
-- derivative; "pytorch" (Linear's default init, which shrinks the signal
-- in every network here) or "normal" (std 1, as in E8) on request).
-- nn.init.calculate_gain knows no gain for elu, gelu or silu (nor does
-- PyTorch's table): they get gain 1, which shrinks gelu's and silu's signal.
-- Measured: the Frobenius norm of each linear layer's weight gradient, at
-- initialisation (before any step) and at the last of --steps steps; with
-- --seeds K, the geometric mean over seeds seed .. seed+K-1. A network
-- counts as "vanishing" when first-layer norm / last-layer norm < 1e-2.
local A = require "actlua"
local experiment = require "actlua.experiment"
local cli, data, progress, report =
  experiment.cli, experiment.data, experiment.progress, experiment.report
local nn, optim = A.nn, A.optim

local p = cli.parser("e2_vanishing",
  "E2: per-layer gradient norms of a deep network, at initialisation and after training, per activation.")
cli.add_acts(p, {"sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu"},
             "Hidden activations, comma-separated (any element-wise one).",
             {forms = {"elementwise"}})
cli.add_steps(p, 200)
cli.add_lr(p, 0.1)
cli.add_seeds(p, 1)
cli.add_integer(p, "--depth", 10, "Number of linear layers (hidden layers + 1).", 2, 100)
cli.add_integer(p, "--width", 16, "Width of the hidden layers.", 1, 4096)
p:option("--init", "Weight initialisation: xavier (xavier normal with PyTorch's gain for "
         .. "the activation, zero biases), pytorch (Linear's default) or normal (std 1, as in E8).", "xavier")
  :choices{"pytorch", "xavier", "normal"}
cli.add_number(p, "--threshold", "1e-2",
               "Ratio first/last below which the gradient counts as vanishing.", {positive = true})
local args = cli.parse(p)

local function gain_of(act)
  local ok, g = pcall(nn.init.calculate_gain, act)
  return ok and g or 1
end

local function build(act)
  local layers, linears = {}, {}
  for i = 1, args.depth do
    local fan_in = i == 1 and 2 or args.width
    local fan_out = i == args.depth and 1 or args.width
    local l = nn.Linear(fan_in, fan_out)
    if args.init == "xavier" then
      nn.init.xavier_normal(l.weight, gain_of(act)); nn.init.zeros(l.bias)
    elseif args.init == "normal" then
      nn.init.normal(l.weight, 0, 1); nn.init.normal(l.bias, 0, 1)
    end
    linears[#linears + 1] = l
    layers[#layers + 1] = l
    if i < args.depth then layers[#layers + 1] = nn.Activation(act) end
  end
  return nn.Sequential(layers), linears
end

local function norms(linears)
  local out = {}
  for i, l in ipairs(linears) do
    local g = l.weight.grad
    out[i] = g and g:double():pow(2):sum():sqrt():item() or 0
  end
  return out
end

local seeds = cli.seed_list(args)
local total = #args.acts * #seeds * (args.steps + 1)
local bar = progress.new{total = total, quiet = args.quiet, label = "E2",
                         every = math.max(1, total // 10)}
local done = 0
-- per activation: log-sum of norms at init and at the end, final cost and accuracy
local results = {}
for _, act in ipairs(args.acts) do
  local r = {act = act, init = {}, trained = {}, cost = 0, acc = 0}
  for _ = 1, args.depth do r.init[#r.init + 1] = 0; r.trained[#r.trained + 1] = 0 end
  for _, seed in ipairs(seeds) do
    local x, y = data.spirals{n = 200, classes = 2, noise = 0.1, seed = seed, labels = "float"}
    A.manual_seed(seed)
    local model, linears = build(act)
    local opt = optim.SGD(model:parameters(), {lr = args.lr})
    local cost
    for step = 0, args.steps do
      opt:zero_grad()
      local logits = model(x)
      cost = A.loss.bce_with_logits(logits, y)
      cost:backward()
      if step == 0 then
        for i, v in ipairs(norms(linears)) do r.init[i] = r.init[i] + math.log(v) end
      end
      if step == args.steps then
        for i, v in ipairs(norms(linears)) do r.trained[i] = r.trained[i] + math.log(v) end
        r.acc = r.acc + logits:gt(0):eq(y):mean():item()
        r.cost = r.cost + cost:item()
      else
        opt:step()
      end
      done = done + 1
      bar:update(done, {cost = cost:item()})
    end
  end
  for i = 1, args.depth do
    r.init[i] = math.exp(r.init[i] / #seeds)
    r.trained[i] = math.exp(r.trained[i] / #seeds)
  end
  r.cost, r.acc = r.cost / #seeds, r.acc / #seeds
  results[#results + 1] = r
end
bar:finish()

local mid = (args.depth + 1) // 2
local rows, vanishing = {}, {}
for _, r in ipairs(results) do
  for _, stage in ipairs{"init", "trained"} do
    local n = r[stage]
    local ratio = n[1] / n[args.depth]
    local v = ratio < args.threshold
    if ratio ~= ratio then v = "NaN" end
    rows[#rows + 1] = {r.act, stage == "init" and "init" or ("step " .. args.steps),
                       n[1], n[mid], n[args.depth], ratio, v,
                       stage == "trained" and r.cost or nil, stage == "trained" and r.acc or nil}
    local label = stage == "init" and "init" or ("step " .. args.steps)
    if v == true then vanishing[r.act] = (vanishing[r.act] and vanishing[r.act] .. ", " or "") .. label end
  end
end

print()
report.print_table{
  title = ("E2: weight-gradient norm per linear layer; %d layers (2 -> %d x %d -> 1), init %s, "
           .. "spirals n=200, SGD lr %g, %s"):format(args.depth, args.depth - 1, args.width,
             args.init, args.lr, #seeds == 1 and ("seed " .. seeds[1])
             or ("geometric mean over seeds " .. seeds[1] .. ".." .. seeds[#seeds])),
  columns = {"activation", "when", "layer 1", "layer " .. mid, "layer " .. args.depth,
             "first/last", "vanishing", "cost", "accuracy"},
  rows = rows,
  format = {[3] = "%.3e", [4] = "%.3e", [5] = "%.3e", [6] = "%.3e", cost = "%.4f", accuracy = "%.3f"},
}
print()
local list = {}
for _, r in ipairs(results) do
  if vanishing[r.act] then list[#list + 1] = r.act .. " (" .. vanishing[r.act] .. ")" end
end
print(("Vanishing (first/last < %g): %s"):format(args.threshold,
  #list > 0 and table.concat(list, "; ") or "none"))
local stuck = {}
for _, r in ipairs(results) do
  if not (r.cost < 0.69) then stuck[#stuck + 1] = r.act end
end
if #stuck > 0 then
  print(("Did not learn in %d steps (final cost >= 0.69, log 2 = 0.6931 is a constant guess): %s; "
         .. "their gradients are small in every layer, output layer included, so first/last "
         .. "after training understates how little reaches layer 1."):format(args.steps, table.concat(stuck, ", ")))
end
print("Norms are ||dL/dW|| of each linear layer's weight; layer 1 reads the input, layer "
      .. args.depth .. " is the output layer.")

if args.plot then
  local figs = experiment.figures(args.plot)
  local xs = {}
  for i = 1, args.depth do xs[i] = i end
  for _, stage in ipairs{"init", "trained"} do
    local series = {}
    for _, r in ipairs(results) do
      series[#series + 1] = {name = r.act, x = xs, y = r[stage]}
    end
    figs:lines("e2_grad_norm_" .. stage, {
      title = ("E2: weight-gradient norm per layer, %s"):format(
        stage == "init" and "at initialisation" or ("after " .. args.steps .. " steps")),
      xlabel = "layer (1 = input side)", ylabel = "||dL/dW||", logy = true,
      style = "linespoints", series = series})
  end
  figs:report()
end
