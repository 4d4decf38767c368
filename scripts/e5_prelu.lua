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
local nn, optim = A.nn, A.optim
local cli = require "actlua.cli"
local progress = require "actlua.progress"
local report = require "actlua.report"
local data = require "actlua.data"

local p = cli.parser("e5_prelu",
  "E5: a network with per-unit PReLU alphas on spirals; how each alpha moves.")
cli.add_steps(p, 1500)
cli.add_lr(p, 0.01, "Learning rate (Adam).")
p:option("--hidden", "Hidden width (= alphas per PReLU layer).", "16")
  :argname("<n>"):convert(cli.named("--hidden", cli.integer(1)))
p:option("--init", "Initial alpha.", "0.25")
  :argname("<x>"):convert(cli.named("--init", cli.number()))
p:option("--classes", "Number of spiral arms (classes).", "3")
  :argname("<n>"):convert(cli.named("--classes", cli.integer(2)))
p:option("--n", "Number of points.", "300")
  :argname("<n>"):convert(cli.named("--n", cli.integer(2)))
p:option("--show", "How many individual final alphas to print per layer.", "4")
  :argname("<k>"):convert(cli.named("--show", cli.integer(0)))
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

local function median(v)
  local s = {}
  for i, a in ipairs(v) do s[i] = a end
  table.sort(s)
  local n = #s
  if n % 2 == 1 then return s[(n + 1) // 2] end
  return (s[n // 2] + s[n // 2 + 1]) / 2
end

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
  rows[#rows + 1] = {("prelu %d"):format(l), H, args.init, mn, median(final), mx, moved,
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
  local plot = require "actlua.plot"
  local steps = {}
  for s = 0, args.steps do steps[#steps + 1] = s end
  local series = {}
  for l = 1, 2 do
    for j = 1, H do
      series[#series + 1] = {name = ("L%d a%d"):format(l, j), x = steps, y = traj[l][j]}
    end
  end
  local files, note = plot.lines{
    file = args.plot .. "/e5_prelu_alphas",
    title = ("E5: PReLU alphas over training (%d per layer, 2 layers, init %g)"):format(
      H, args.init),
    xlabel = "step", ylabel = "alpha", series = series,
  }
  print("wrote " .. table.concat(files, ", "))
  if note then print(note) end
end
