-- e7_single_neuron.lua — experiment E7: can ONE neuron solve XOR?
--
-- The claim (oscillating / non-monotonic activation articles): a single
-- neuron with sine, NCU (z - z^3), GCU (z cos z), SQU (z^2 + z), DSU or SSU
-- can solve XOR; a single sigmoid or ReLU neuron cannot.
--
-- Set-up (what is measured):
--   neuron   z = w . x + b (x in R^2; nn.Linear(2, 1), PyTorch's default
--            init, drawn after A.manual_seed(seed)), output f(z)
--   readout  (default, --readout logit) f(z) is the logit: the probability
--            of class 1 is sigmoid(f(z)), the loss is
--            A.loss.bce_with_logits(f(z), y) and the class is 1 when
--            f(z) > 0. The neuron has exactly three parameters (w1, w2, b).
--            Why the threshold at 0: it is the natural one for a sigmoid
--            readout, and with a monotonic f the set {z : f(z) > 0} is a
--            half-line, so the class is a linear threshold of x: XOR is
--            then impossible (for relu, gelu and silu too: each is > 0
--            exactly when z > 0; for sigmoid f(z) > 0 always, so every
--            point is class 1). A non-monotonic f whose positive set is not
--            a half-line (sine, ncu: z < -1 or 0 < z < 1, squ: z < -1 or
--            z > 0, gcu, dsu, ssu) can put the four points
--            z00 = b, z01, z10, z11 = z01 + z10 - b on the right sides.
--            (A threshold at 0.5 instead would rule NCU out: z - z^3 never
--            exceeds 0.385 for z > 0, so {f > 0.5} is a half-line.)
--   --readout affine  sigmoid(a f(z) + c) with learnable a, c (a 1 -> 1
--            linear readout, five parameters): gives bounded units like
--            sigmoid a fair threshold; a monotonic f still gives a half-line
--            and cannot solve XOR, but silu and gelu (which dip below 0)
--            then can in principle.
--   training Adam (default, lr 0.05) or SGD (--optim sgd), full batch on the
--            four points, --steps steps.
--   solved   accuracy 1.0 on the four points after the last step.
--
-- Table: activation, monotonic (from A.act.info), runs solving XOR out of
-- K seeds (seeds base..base+K-1), mean and best final loss.
--
--   build/actlua scripts/e7_single_neuron.lua [--act sine,ncu] [--seeds 10]
local A = require "actlua"
local experiment = require "actlua.experiment"
local cli, data, report = experiment.cli, experiment.data, experiment.report
local nn, optim = A.nn, A.optim

local DEFAULT_ACTS = {"sigmoid", "relu", "tanh", "leaky_relu", "gelu", "silu",
                      "sine", "ncu", "gcu", "squ", "dsu", "ssu"}
local LOG_EVERY = 50

local p = cli.parser("e7_single_neuron",
  "E7: one neuron y = f(w.x + b) on XOR, for each activation over several " ..
  "seeds: which ones solve it.")
cli.add_steps(p, 1000)
cli.add_lr(p, 0.05)
cli.add_acts(p, DEFAULT_ACTS, "Activations, comma-separated (any element-wise one).",
             {forms = {"elementwise"}})
cli.add_seeds(p, 10)
p:option("--optim", "Optimizer: adam or sgd.", "adam"):argname("<name>")
  :choices{"adam", "sgd"}
p:option("--readout", "logit: sigmoid(f(z)), class 1 when f(z) > 0; affine: " ..
         "sigmoid(a f(z) + c) with learnable a, c.", "logit"):argname("<kind>")
  :choices{"logit", "affine"}
cli.add_number(p, "--init-std", 0, "Draw the neuron's w and b from N(0, X^2) instead of " ..
               "PyTorch's default uniform(-1/sqrt 2, 1/sqrt 2) (0: the default).", {min = 0})
local args = cli.parse(p)
local acts = args.acts or DEFAULT_ACTS
local seeds = cli.seed_list(args)

local x, y = data.xor()

local function build(act)
  local linear = nn.Linear(2, 1)
  if args.init_std > 0 then
    nn.init.normal(linear.weight, 0, args.init_std)
    nn.init.normal(linear.bias, 0, args.init_std)
  end
  local layers = {linear, nn.Activation(act)}
  if args.readout == "affine" then layers[3] = nn.Linear(1, 1) end
  return nn.Sequential(layers)
end

-- One run: final loss, final accuracy and its loss curve.
local function run(act, seed, bar, offset)
  A.manual_seed(seed)
  local model = build(act)
  local make = args.optim == "adam" and optim.Adam or optim.SGD
  local opt = make(model:parameters(), {lr = args.lr})
  local curve = {steps = {}, loss = {}}
  for step = 1, args.steps do
    local loss = A.loss.bce_with_logits(model(x), y)
    opt:zero_grad()
    loss:backward()
    opt:step()
    if step % LOG_EVERY == 0 or step == args.steps then
      local v = loss:item()
      curve.steps[#curve.steps + 1] = step
      curve.loss[#curve.loss + 1] = v
      bar:update(offset + step, {loss = v})
    end
  end
  local logit = A.no_grad(function() return model(x) end)
  local loss = A.loss.bce_with_logits(logit, y):item()
  local accuracy = logit:gt(0):eq(y):mean():item()
  return {seed = seed, loss = loss, accuracy = accuracy, curve = curve}
end

local clock0 = os.clock()
local results = experiment.runs{acts = acts, seeds = seeds, steps = args.steps,
                                quiet = args.quiet, metrics = {"loss"}, run = run}
local elapsed = os.clock() - clock0

local rows = {}
for _, r in ipairs(results) do
  local solved, sum, best = 0, 0, math.huge
  for _, run_ in ipairs(r.runs) do
    if run_.accuracy == 1 then solved = solved + 1 end
    sum = sum + run_.loss
    if run_.loss < best then best = run_.loss end
  end
  local info = A.act.info(r.act)
  local mono = info and info.monotonic
  rows[#rows + 1] = {r.act, mono == nil and "?" or (mono and "yes" or "no"),
                     ("%d/%d"):format(solved, #r.runs), sum / #r.runs, best}
end

print()
print(("E7 one neuron on XOR: %s readout, %s lr %g, %d steps, seeds %d..%d")
  :format(args.readout == "logit" and "sigmoid(f(z)) (class 1 iff f(z) > 0)"
          or "sigmoid(a f(z) + c)", args.optim == "adam" and "Adam" or "SGD",
          args.lr, args.steps, seeds[1], seeds[#seeds]))
report.print_table{
  columns = {"activation", "monotonic", "solved XOR", "mean final loss", "best final loss"},
  rows = rows,
  format = {["mean final loss"] = "%.4f", ["best final loss"] = "%.4f"},
}
print()
print("Note: 'solved XOR' counts runs with accuracy 1.0 on the four points after the")
print("  last step; the loss is BCE on sigmoid of the readout (ln 2 = 0.6931 is chance).")
print("  The claim: sine, NCU and other non-monotonic units solve XOR with one neuron;")
print("  a sigmoid or ReLU neuron cannot (a monotonic f thresholded is a linear split).")
if not args.quiet then
  print(("CPU time: %.2f s for %d runs of %d steps"):format(elapsed, #acts * #seeds, args.steps))
end

if args.plot then
  local series = {}
  for _, r in ipairs(results) do
    local c = r.runs[1].curve
    series[#series + 1] = {name = r.act, x = c.steps, y = c.loss}
  end
  local figs = experiment.figures(args.plot)
  figs:lines("e7_loss", {
    title = ("E7 one neuron on XOR: loss, seed %d"):format(seeds[1]),
    xlabel = "step", ylabel = "BCE loss", logy = true, series = series,
  })
  figs:report()
end
