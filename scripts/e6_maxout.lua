-- e6_maxout.lua — experiment E6: maxout, max(w1.x + b1, w2.x + b2, ...).
--
-- Two networks of the same width H on the seeded spirals task:
--   maxout  nn.Maxout(2, H, k) -> nn.Maxout(H, H, k) -> nn.Linear(H, C)
--   relu    nn.Linear(2, H) -> relu -> nn.Linear(H, H) -> relu -> nn.Linear(H, C)
--           (--act: another element-wise activation in relu's place)
-- both trained the same way (cross-entropy, Adam, same steps, same seed for
-- the data; each net's init from A.manual_seed(seed)). The table gives each
-- layer's parameter count (summed numel of its parameters, measured on the
-- modules, with model:num_parameters() for the total), the final training
-- loss and accuracy, and the measured ratio maxout / relu per hidden layer,
-- which is k (--pieces) since a maxout unit holds k weight vectors and k
-- biases where a relu unit holds one. With --plot DIR, both loss curves.
--
--   build/actlua scripts/e6_maxout.lua [--steps N] [--pieces K] [--hidden H]
local A = require "actlua"
local experiment = require "actlua.experiment"
local cli, data, progress, report =
  experiment.cli, experiment.data, experiment.progress, experiment.report
local nn, optim = A.nn, A.optim

local LOG_EVERY = 25

local p = cli.parser("e6_maxout",
  "E6: a maxout network against a ReLU network of the same width on spirals: " ..
  "parameters, accuracy, loss.")
cli.add_steps(p, 1500)
cli.add_lr(p, 0.01, "Learning rate (Adam).")
cli.add_integer(p, "--pieces", 2, "Linear pieces per maxout unit.", 1)
cli.add_integer(p, "--hidden", 16, "Hidden width of both networks.", 1)
cli.add_integer(p, "--classes", 3, "Number of spiral arms (classes).", 2)
cli.add_integer(p, "--n", 300, "Number of points.", 2)
cli.add_act(p, "relu", "Activation of the network compared with maxout.",
            {forms = {"elementwise"}})
local args = cli.parse(p)

local H, C, K = args.hidden, args.classes, args.pieces
local x, y = data.spirals{n = args.n, classes = C, noise = 0.05, seed = args.seed}

local function count(m)
  local n = 0
  for _, t in ipairs(m:parameters()) do n = n + t:numel() end
  return n
end

local nets = {
  {name = ("maxout (k = %d)"):format(K), build = function()
    return {nn.Maxout(2, H, K), nn.Maxout(H, H, K), nn.Linear(H, C)}
  end},
  {name = args.act, build = function()
    return {nn.Linear(2, H), nn.Activation(args.act), nn.Linear(H, H),
            nn.Activation(args.act), nn.Linear(H, C)}
  end},
}

-- Trains one net in place: its parameter counts per layer, total, final
-- loss and accuracy, and its loss curve (every LOG_EVERY steps).
local function train(net, bar, offset)
  A.manual_seed(args.seed)
  local layers = net.build()
  local model = nn.Sequential(layers)
  -- The parametrised layers, in order: hidden 1, hidden 2, output.
  net.counts = {}
  for _, m in ipairs(layers) do
    if #m:parameters() > 0 then net.counts[#net.counts + 1] = count(m) end
  end
  net.total = model:num_parameters()
  assert(net.total == net.counts[1] + net.counts[2] + net.counts[3])
  net.curve = {steps = {}, loss = {}}
  local opt = optim.Adam(model:parameters(), {lr = args.lr})
  for step = 1, args.steps do
    local loss = A.loss.cross_entropy(model(x), y)
    opt:zero_grad()
    loss:backward()
    opt:step()
    if step % LOG_EVERY == 0 or step == args.steps then
      local v = loss:item()
      net.curve.steps[#net.curve.steps + 1] = step
      net.curve.loss[#net.curve.loss + 1] = v
      bar:update(offset + step, {loss = v})
    end
  end
  local logits = A.no_grad(function() return model(x) end)
  net.loss = A.loss.cross_entropy(logits, y):item()
  net.acc = logits:argmax(2):eq(y):mean():item()
end

local bar = progress.new{total = #nets * args.steps, quiet = args.quiet, label = "E6",
                         metrics = {"loss"}}
for ni, net in ipairs(nets) do train(net, bar, (ni - 1) * args.steps) end
bar:finish()

local mx, rl = nets[1], nets[2]
local rows = {}
for _, net in ipairs(nets) do
  rows[#rows + 1] = {net.name, net.counts[1], net.counts[2], net.counts[3], net.total,
                     net.acc, net.loss}
end
rows[#rows + 1] = {"maxout / " .. rl.name, mx.counts[1] / rl.counts[1],
                   mx.counts[2] / rl.counts[2], mx.counts[3] / rl.counts[3], mx.total / rl.total}
print()
report.print_table{
  title = ("E6 maxout vs %s: 2-%d-%d-%d, spirals (n = %d, %d classes), Adam lr %g, " ..
           "%d steps, seed %d"):format(rl.name, H, H, C, args.n, C, args.lr, args.steps,
           args.seed),
  columns = {"network", "hidden 1 params", "hidden 2 params", "output params",
             "total params", "accuracy", "final loss"},
  rows = rows,
  format = {accuracy = "%.3f", ["final loss"] = "%.4f",
            ["hidden 1 params"] = "%.6g", ["hidden 2 params"] = "%.6g",
            ["output params"] = "%.6g", ["total params"] = "%.4g"},
}
print(("Measured: a maxout unit with k = %d pieces holds %dx the parameters of a " ..
       "%s unit (hidden 1: %d vs %d, hidden 2: %d vs %d); the shared output " ..
       "layer keeps the total ratio at %.3g."):format(
       K, mx.counts[1] // rl.counts[1], rl.name, mx.counts[1], rl.counts[1],
       mx.counts[2], rl.counts[2], mx.total / rl.total))
print("accuracy and loss are on the training set.")

if args.plot then
  local series = {}
  for _, net in ipairs(nets) do
    series[#series + 1] = {name = net.name, x = net.curve.steps, y = net.curve.loss}
  end
  local figs = experiment.figures(args.plot)
  figs:lines("e6_loss", {
    title = ("E6: training loss, maxout (k = %d) against %s, width %d"):format(K, rl.name, H),
    xlabel = "step", ylabel = "cross-entropy", logy = true, series = series,
  })
  figs:report()
end
