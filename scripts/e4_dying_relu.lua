-- e4_dying_relu.lua — experiment E4: dying ReLU.
--
-- A ReLU unit whose pre-activation is <= 0 for every input outputs 0 and
-- gets no gradient, so it never recovers. The causes named: a too-high
-- learning rate and a bad initialisation. This script trains a
-- 2 -> H -> H -> 2 MLP (cross-entropy, Adam or --optim sgd) on the two-moons
-- set in three set-ups:
--   baseline   PyTorch's default init, learning rate --base-lr (0.01)
--   high lr    the same init, learning rate --lr (0.3, too high)
--   bad bias   every hidden bias set to --bias (a large negative constant),
--              learning rate --base-lr
-- for relu, leaky_relu (slope 0.01), elu and prelu by default (--act: any
-- element-wise activation, or prelu: nn.PReLU, one alpha per unit, init
-- 0.25), and measures after training, over the whole dataset:
--   never positive  the share of hidden units (both layers) whose
--                   pre-activation is <= 0 for every input; for relu these
--                   are exactly the dead units
--   mean |grad|     the mean |dL/dz| reaching those units (z their
--                   pre-activation; over the units and the inputs): 0 for
--                   dead relu units, > 0 where the activation still passes
--                   gradient for negative inputs
--   accuracy        on the training set (the task is only a vehicle)
-- With --seeds K the numbers are averaged over seeds seed .. seed+K-1 (each
-- seed draws its own dataset and initial weights).
--
--   build/actlua scripts/e4_dying_relu.lua [--steps N] [--lr X] [--seeds K]
local A = require "actlua"
local experiment = require "actlua.experiment"
local cli, data, progress, report =
  experiment.cli, experiment.data, experiment.progress, experiment.report
local nn, optim = A.nn, A.optim

local p = cli.parser("e4_dying_relu",
  "E4: share of dead (never positive) hidden units after training with a " ..
  "too-high learning rate or a bad bias initialisation, for relu, " ..
  "leaky_relu, elu and prelu.")
cli.add_steps(p, 500)
cli.add_lr(p, 0.3, "Learning rate of the too-high set-up.")
cli.add_number(p, "--base-lr", 0.01, "Learning rate of the baseline and bad-bias set-ups.",
               {positive = true})
cli.add_number(p, "--bias", -4, "Hidden biases of the bad-bias set-up.")
cli.add_integer(p, "--hidden", 32, "Hidden width.", 1)
cli.add_integer(p, "--n", 200, "Number of points in the dataset.", 2)
cli.add_acts(p, {"relu", "leaky_relu", "elu", "prelu"},
             "Hidden activations, comma-separated (element-wise ones, and prelu: " ..
             "one learnt alpha per unit).", {forms = {"elementwise"}, also = {"prelu"}})
p:option("--optim", "Optimizer: adam or sgd (plain).", "adam")
  :argname("<name>"):choices{"sgd", "adam"}
cli.add_seeds(p, 3)
local args = cli.parse(p)

local ACTS = args.acts
local SETUPS = {
  {name = "baseline", lr = args.base_lr},
  {name = "high lr", lr = args.lr},
  {name = "bad bias", lr = args.base_lr, bias = args.bias},
}
local H = args.hidden
local seeds = cli.seed_list(args)

local function make_act(name)
  -- prelu, the one activation with a learnt weight --act lets through
  if A.act.info(name).form == "weighted" then return nn.PReLU(H) end
  return nn.Activation(name)
end

-- The network as separate modules so that pre-activations can be read.
local function build(act, setup)
  local net = {
    l1 = nn.Linear(2, H), a1 = make_act(act),
    l2 = nn.Linear(H, H), a2 = make_act(act),
    l3 = nn.Linear(H, 2),
  }
  if setup.bias then
    nn.init.constant(net.l1.bias, setup.bias)
    nn.init.constant(net.l2.bias, setup.bias)
  end
  net.model = nn.Sequential{net.l1, net.a1, net.l2, net.a2, net.l3}
  return net
end

-- Pre-activations z1, z2 over x, and the mean |dL/dz| per unit of each
-- (each measured by making that z a leaf and back-propagating from it).
local function measure(net, x, y)
  local z = {}
  local grads = {}
  for layer = 1, 2 do
    local z1 = net.l1(x)
    if layer == 1 then z1 = z1:detach():requires_grad(true) end
    local z2 = net.l2(net.a1(z1))
    if layer == 2 then z2 = z2:detach():requires_grad(true) end
    local logits = net.l3(net.a2(z2))
    local loss = A.loss.cross_entropy(logits, y)
    local leaf = layer == 1 and z1 or z2
    loss:backward()
    z[layer] = leaf:detach()
    grads[layer] = leaf.grad:abs():mean(1)       -- [H]
  end
  return z, grads
end

local function train(act, setup, seed)
  local x, y = data.moons{n = args.n, noise = 0.1, seed = seed}
  A.manual_seed(seed)
  local net = build(act, setup)
  local opt = (args.optim == "adam" and optim.Adam or optim.SGD)(
    net.model:parameters(), {lr = setup.lr})
  for _ = 1, args.steps do
    local loss = A.loss.cross_entropy(net.model(x), y)
    opt:zero_grad()
    loss:backward()
    opt:step()
    coroutine.yield()
  end
  local z, grads = measure(net, x, y)
  local never, gsum = 0, 0.0
  for layer = 1, 2 do
    local maxz = z[layer]:max(1)                 -- [H]
    for j = 1, H do
      local m = maxz[j]
      if not (m > 0) then                        -- NaN counts as never positive
        never = never + 1
        gsum = gsum + grads[layer][j]
      end
    end
  end
  local logits = A.no_grad(function() return net.model(x) end)
  local loss = A.loss.cross_entropy(logits, y):item()
  if loss ~= loss or loss == math.huge then return "diverged" end
  local acc = logits:argmax(2):eq(y):mean():item()
  return never / (2 * H), never > 0 and gsum / never or nil, acc
end

local total = #ACTS * #SETUPS * #seeds * args.steps
local bar = progress.new{total = total, quiet = args.quiet, label = "E4"}
local done = 0
local results = {}   -- results[act][setup] = {share, grad, grad_n, acc}
for _, act in ipairs(ACTS) do
  results[act] = {}
  for si, setup in ipairs(SETUPS) do
    local r = {share = 0, grad = 0, grad_n = 0, acc = 0, ok = 0, diverged = 0}
    for _, seed in ipairs(seeds) do
      local co = coroutine.wrap(function() return train(act, setup, seed) end)
      local share, grad, acc
      while true do
        share, grad, acc = co()
        if share ~= nil then break end
        done = done + 1
        if done % 50 == 0 then bar:update(done) end
      end
      if share == "diverged" then
        r.diverged = r.diverged + 1
      else
        r.ok = r.ok + 1
        r.share, r.acc = r.share + share, r.acc + acc
        if grad then r.grad, r.grad_n = r.grad + grad, r.grad_n + 1 end
      end
    end
    results[act][si] = r
  end
end
bar:update(total)
bar:finish()

local rows = {}
for _, act in ipairs(ACTS) do
  for si, setup in ipairs(SETUPS) do
    local r = results[act][si]
    local ok = r.ok > 0
    rows[#rows + 1] = {act, setup.name, setup.lr, ok and r.share / r.ok or nil,
                       r.grad_n > 0 and r.grad / r.grad_n or nil,
                       ok and r.acc / r.ok or nil, ("%d/%d"):format(r.diverged, #seeds)}
    r.mean_share = ok and r.share / r.ok or 0 / 0
  end
end
print()
report.print_table{
  title = ("E4 dying ReLU: 2-%d-%d-2 MLP, moons (n = %d), %s, %d steps, " ..
           "bad bias = %g, %d seed(s) from %d"):format(
           H, H, args.n, args.optim == "adam" and "Adam" or "SGD", args.steps,
           args.bias, #seeds, args.seed),
  columns = {"activation", "set-up", "lr", "never positive", "mean |grad| there",
             "accuracy", "diverged"},
  rows = rows,
  format = {["never positive"] = "%.3f", ["mean |grad| there"] = "%.3g",
            accuracy = "%.3f", lr = "%g"},
  missing = "-",
}
print()
print("never positive: share of the " .. 2 * H .. " hidden units whose " ..
      "pre-activation is <= 0 on every input (dead, for relu).")
print("mean |grad| there: mean |dL/dz| over those units and all inputs, " ..
      "averaged over the seeds that had any ('-': none had).")
print("diverged: runs whose final loss is NaN or inf; the other columns " ..
      "average over the runs that did not diverge.")

if args.plot then
  local series = {}
  for _, act in ipairs(ACTS) do
    local ys = {}
    for si = 1, #SETUPS do ys[si] = results[act][si].mean_share end
    series[#series + 1] = {name = act, x = {1, 2, 3}, y = ys}
  end
  local figs = experiment.figures(args.plot)
  figs:lines("e4_dead_share", {
    title = "E4: share of never-positive hidden units (1 baseline, 2 high lr, 3 bad bias)",
    xlabel = "set-up (1 baseline, 2 high lr, 3 bad bias)", ylabel = "share",
    style = "linespoints", xrange = {0.8, 3.2}, yrange = {0, 1.05},
    series = series,
  })
  figs:report()
end
