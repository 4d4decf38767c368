-- e5_prelu.lua — experiment E5: PReLU, max(alpha x, x) with alpha learnt.
--
-- Trains a 2 -> H -> H -> C network whose hidden activations are nn.PReLU
-- with one alpha per unit (num_parameters = H, init 0.25) on the seeded
-- spirals task (cross-entropy, Adam; the alphas are ordinary parameters,
-- updated by the same optimizer, with no weight decay), records every alpha
-- at every step and prints, per PReLU layer: the initial alpha, the final
-- alphas' min / median / max, how far they moved (mean |alpha - 0.25|), the
-- first few individual alphas, and the training accuracy. With --plot DIR,
-- the alpha trajectories of both layers (one line per unit) as PNG + SVG.
--
--   build/actlua scripts/e5_prelu.lua [--steps N] [--lr X] [--hidden H]
local A = require "actlua"
local experiment = require "actlua.experiment"
local cli, data, progress, report =
  experiment.cli, experiment.data, experiment.progress, experiment.report
local nn, optim = A.nn, A.optim

local p = cli.parser("e5_prelu",
  "E5: a network with per-unit PReLU alphas on spirals; how each alpha moves.")
cli.add_steps(p, 1500)
cli.add_lr(p, 0.01, "Learning rate (Adam).")
cli.add_integer(p, "--hidden", 16, "Hidden width (= alphas per PReLU layer).", 1)
cli.add_number(p, "--init", 0.25, "Initial alpha.")
cli.add_integer(p, "--classes", 3, "Number of spiral arms (classes).", 2)
cli.add_integer(p, "--n", 300, "Number of points.", 2)
cli.add_integer(p, "--show", 4, "How many individual final alphas to print per layer.", 0)
local args = cli.parse(p)

local H, C = args.hidden, args.classes
local x, y = data.spirals{n = args.n, classes = C, noise = 0.05, seed = args.seed}
A.manual_seed(args.seed)
local prelus = {nn.PReLU(H, args.init), nn.PReLU(H, args.init)}
local model = nn.Sequential{
  nn.Linear(2, H), prelus[1],
  nn.Linear(H, H), prelus[2],
  nn.Linear(H, C),
}
local opt = optim.Adam(model:parameters(), {lr = args.lr})

-- traj[layer][unit] = {alpha at step 0, 1, ..., steps}
local traj = {{}, {}}
local function record()
  for l = 1, 2 do
    local w = prelus[l].weight:totable()
    for j = 1, H do
      local t = traj[l][j] or {}
      traj[l][j] = t
      t[#t + 1] = w[j]
    end
  end
end

record()
local bar = progress.new{total = args.steps, quiet = args.quiet, label = "E5 prelu",
                         metrics = {"loss"}}
local loss
for step = 1, args.steps do
  loss = A.loss.cross_entropy(model(x), y)
  opt:zero_grad()
  loss:backward()
  opt:step()
  record()
  if step % 25 == 0 or step == args.steps then bar:update(step, {loss = loss:item()}) end
end
bar:finish()

local logits = A.no_grad(function() return model(x) end)
local final_loss = A.loss.cross_entropy(logits, y):item()
local acc = logits:argmax(2):eq(y):mean():item()

local rows = {}
for l = 1, 2 do
  local final = {}
  local moved, mn, mx = 0, math.huge, -math.huge
  for j = 1, H do
    local a = traj[l][j][#traj[l][j]]
    final[j] = a
    mn, mx = math.min(mn, a), math.max(mx, a)
    moved = moved + math.abs(a - args.init) / H
  end
  local shown = {}
  for j = 1, math.min(args.show, H) do shown[j] = ("%.3f"):format(final[j]) end
  rows[#rows + 1] = {("prelu %d"):format(l), H, args.init, mn, experiment.median(final), mx, moved,
                     table.concat(shown, " ")}
end
print()
report.print_table{
  title = ("E5 PReLU: 2-%d-%d-%d network, per-unit alphas, spirals (n = %d, %d classes), " ..
           "Adam lr %g, %d steps, seed %d"):format(H, H, C, args.n, C, args.lr,
           args.steps, args.seed),
  columns = {"layer", "alphas", "initial", "final min", "final median", "final max",
             "mean |moved|", ("alpha 1..%d"):format(math.min(args.show, H))},
  rows = rows,
  format = {initial = "%.3f", ["final min"] = "%.3f", ["final median"] = "%.3f",
            ["final max"] = "%.3f", ["mean |moved|"] = "%.3f"},
}
print(("accuracy %.3f, final loss %.4f (training set)"):format(acc, final_loss))

if args.plot then
  local steps = {}
  for s = 0, args.steps do steps[#steps + 1] = s end
  local series = {}
  for l = 1, 2 do
    for j = 1, H do
      series[#series + 1] = {name = ("L%d a%d"):format(l, j), x = steps, y = traj[l][j]}
    end
  end
  local figs = experiment.figures(args.plot)
  figs:lines("e5_prelu_alphas", {
    title = ("E5: PReLU alphas over training (%d per layer, 2 layers, init %g)"):format(
      H, args.init),
    xlabel = "step", ylabel = "alpha", series = series,
  })
  figs:report()
end
