-- e8_deep_xor.lua — experiment E8: deep XOR, where sigmoid is said to fail
-- and ReLU / leaky ReLU / tanh to learn.
--
-- The article's exact set-up, by default (the model is
-- actlua.experiment.deep_xor_model, which bench/deep_xor.lua times too):
--   data     x = {0,0},{0,1},{1,0},{1,1}; y = 0,1,1,0
--   network  2 -> 5, eight more 5 -> 5 (nine hidden layers of 5), 5 -> 1;
--            every weight and bias drawn from a standard normal N(0, 1)
--   hidden   sigmoid, relu, leaky_relu or tanh (--act); output sigmoid
--   cost     A.loss.bce_naive: -mean(y log h + (1 - y) log(1 - h)), written
--            naively, so it goes NaN when h reaches exactly 0 or 1
--            (--stable: A.loss.bce instead, log clamped at -100 as PyTorch)
--   training plain gradient descent (optim.SGD, lr 0.01), steps 0..20000
--            (--steps 20001): at each step the cost of the current weights,
--            then one update; cost and accuracy mean((h > 0.5) == y) logged
--            every 100 steps
--   seeds    --seeds 5 runs per activation, seeds base..base+4 (--seed base);
--            a run with seed s calls A.manual_seed(s) before building its
--            model, so each run is reproducible on its own
--
-- Printed per activation: runs whose final accuracy is 1.0, the first
-- logged step at which accuracy reached 1.0 (median over the runs that did),
-- runs whose cost went NaN and at which step (exact, checked every step),
-- the median final cost (a NaN final cost sorts last), and the reference
-- results below.
--
-- Reference (also printed as a note):
--   PyTorch 1.13, same set-up, float32, seeds 0-4, measured with
--     bench/peers/deep_xor.py --act A --seed S (the table's column):
--     sigmoid 0/5 learned, none NaN (cost ln 2 = 0.6931); relu 1/5, NaN in
--     1; leaky_relu 4/5, NaN in 1; tanh 5/5.
--   Issue 4 quotes another PyTorch 1.13 run (seeds 0-3, sigmoid 0-11; its
--     script is not in the repository): sigmoid 0/12, never NaN; tanh 3/4;
--     relu 1/4, NaN in 2; leaky_relu 2/4, NaN in 2.
--   The article (TensorFlow 1): sigmoid's cost went NaN after ~17,500 steps
--     (accuracy 0.5); relu, leaky_relu and tanh all learned (accuracy 1.0).
--
--   build/actlua scripts/e8_deep_xor.lua [--seeds 5] [--stable] [--plot DIR]
local A = require "actlua"
local experiment = require "actlua.experiment"
local cli, data, report = experiment.cli, experiment.data, experiment.report
local optim = A.optim

local DEFAULT_ACTS = {"sigmoid", "relu", "leaky_relu", "tanh"}
local LOG_EVERY = 100

local p = cli.parser("e8_deep_xor",
  "E8: deep XOR (2 -> 9 x 5 -> 1, N(0,1) init, naive BCE, SGD lr 0.01): " ..
  "which hidden activations learn, which go NaN.")
cli.add_steps(p, 20001, "Training steps (20001: steps 0..20000).")
cli.add_lr(p, 0.01)
cli.add_acts(p, DEFAULT_ACTS, "Hidden activations, comma-separated.",
             {forms = {"elementwise"}})
cli.add_seeds(p, 5)
p:flag("--stable", "Use the clamped cost A.loss.bce (PyTorch's) instead of " ..
       "the article's naive A.loss.bce_naive.")
local args = cli.parse(p)
local acts = args.acts or DEFAULT_ACTS
local seeds = cli.seed_list(args)
local cost_fn = args.stable and A.loss.bce or A.loss.bce_naive

local REFERENCE = {
  sigmoid = {torch = "0/5 learn, 0 NaN (ln 2)", article = "NaN ~17500, acc 0.5"},
  relu = {torch = "1/5 learn, 1 NaN", article = "learns"},
  leaky_relu = {torch = "4/5 learn, 1 NaN", article = "learns"},
  tanh = {torch = "5/5 learn, 0 NaN", article = "learns"},
}

local x, y = data.xor()

-- One run: its logged steps, costs and accuracies, the step at which the
-- cost first went NaN (or nil), the first logged step with accuracy 1.0
-- (or nil), the final cost and accuracy.
local function run(act, seed, bar, offset)
  A.manual_seed(seed)
  local model = experiment.deep_xor_model(act)
  local opt = optim.SGD(model:parameters(), {lr = args.lr})
  local log = {steps = {}, cost = {}, accuracy = {}}
  local nan_at, solved_at
  local cost_v, acc = 0 / 0, 0 / 0
  for step = 0, args.steps - 1 do
    local h = model(x)
    local cost = cost_fn(h, y)
    cost_v = cost:item()
    if cost_v ~= cost_v and not nan_at then nan_at = step end
    local last = step == args.steps - 1
    if step % LOG_EVERY == 0 or last then
      acc = h:gt(0.5):eq(y):mean():item()
      if acc == 1 and not solved_at then solved_at = step end
      log.steps[#log.steps + 1] = step
      log.cost[#log.cost + 1] = cost_v
      log.accuracy[#log.accuracy + 1] = acc
      bar:update(offset + step + 1, {cost = cost_v, accuracy = acc})
    end
    if not last then
      opt:zero_grad()
      cost:backward()
      opt:step()
    end
  end
  return {seed = seed, log = log, nan_at = nan_at, solved_at = solved_at,
          cost = cost_v, accuracy = acc}
end

local clock0 = os.clock()
local results = experiment.runs{acts = acts, seeds = seeds, steps = args.steps,
                                quiet = args.quiet, metrics = {"cost", "accuracy"}, run = run}
local elapsed = os.clock() - clock0

-- ------------------------------------------------------------ the table
local rows = {}
for _, r in ipairs(results) do
  local learned, nan_steps, solved_steps, finals = 0, {}, {}, {}
  for _, run_ in ipairs(r.runs) do
    if run_.accuracy == 1 then learned = learned + 1 end
    if run_.nan_at then nan_steps[#nan_steps + 1] = ("%d (s%d)"):format(run_.nan_at, run_.seed) end
    if run_.solved_at then solved_steps[#solved_steps + 1] = run_.solved_at end
    finals[#finals + 1] = run_.cost
  end
  local ref = REFERENCE[r.act] or {}
  rows[#rows + 1] = {
    r.act,
    ("%d/%d"):format(learned, #r.runs),
    experiment.median(solved_steps),
    ("%d/%d"):format(#nan_steps, #r.runs),
    #nan_steps > 0 and table.concat(nan_steps, ", ") or "-",
    experiment.median(finals),
    ref.torch or "-",
    ref.article or "-",
  }
end

print()
print(("E8 deep XOR: 2 -> 9x5 -> 1, N(0,1) init, %s cost, SGD lr %g, steps 0..%d, seeds %d..%d")
  :format(args.stable and "clamped (bce)" or "naive (bce_naive)", args.lr,
          args.steps - 1, seeds[1], seeds[#seeds]))
report.print_table{
  columns = {"activation", "acc 1.0 at end", "first acc 1.0 (median step)",
             "went NaN", "NaN at step (seed)", "median final cost",
             "PyTorch 1.13 (seeds 0-4)", "article (TF1)"},
  rows = rows,
  format = {["median final cost"] = "%.4f"},
  missing = "-",
}
print()
print("Note: PyTorch 1.13 with the same set-up (float32, seeds 0-4, measured with")
print("  /usr/bin/python3 bench/peers/deep_xor.py --act A --seed S): sigmoid never learned nor")
print("  went NaN (cost ln 2 = 0.6931); tanh learned in 5 of 5 seeds; leaky_relu in 4, NaN in 1;")
print("  relu in 1, NaN in 1. Issue 4 quotes another PyTorch run (seeds 0-3, sigmoid 0-11):")
print("  sigmoid 0/12, tanh 3/4, relu 1/4 (NaN 2), leaky_relu 2/4 (NaN 2). Random draws differ")
print("  between frameworks: compare distributions over seeds. The article (TensorFlow 1) reported")
print("  sigmoid's cost going NaN after ~17,500 steps and relu, leaky_relu and tanh learning.")
print(("  'acc 1.0 at end': final accuracy 1.0; 'first acc 1.0': first logged step (every %d)"
  .. " with accuracy 1.0."):format(LOG_EVERY))
if not args.quiet then
  print(("CPU time: %.2f s for %d runs of %d steps"):format(elapsed, #acts * #seeds, args.steps))
end

-- ------------------------------------------------------------ figures
if args.plot then
  -- One colour per activation, named once in the key; each run its own
  -- CSV column ("relu s3").
  local cost_series, acc_series = {}, {}
  for ai, r in ipairs(results) do
    for i, run_ in ipairs(r.runs) do
      local name = #seeds == 1 and r.act or ("%s s%d"):format(r.act, run_.seed)
      local key = i == 1 and (#seeds == 1 and r.act or ("%s (%d seeds)"):format(r.act, #seeds))
      cost_series[#cost_series + 1] = {name = name, x = run_.log.steps, y = run_.log.cost,
                                       color = ai, key = key}
      acc_series[#acc_series + 1] = {name = name, x = run_.log.steps, y = run_.log.accuracy,
                                     color = ai, key = key}
    end
  end
  local what = args.stable and "clamped cost" or "naive cost"
  local figs = experiment.figures(args.plot)
  figs:lines("e8_cost", {
    title = "E8 deep XOR: cost (" .. what .. "), every run",
    xlabel = "step", ylabel = "cost", logy = true, series = cost_series, size = {1000, 600},
  })
  figs:lines("e8_accuracy", {
    title = "E8 deep XOR: accuracy, every run",
    xlabel = "step", ylabel = "accuracy", yrange = {0, 1.05}, series = acc_series,
    size = {1000, 600},
  })
  figs:report()
end
