-- e3_zigzag.lua — experiment E3: outputs that are not zero-centred make
-- the updates zig-zag.
-- With sigmoid hidden outputs h > 0, the gradient of a weight w_ji that reads
-- h_i is delta_j * h_i: on one example, all the incoming weights of neuron j
-- share the sign of delta_j, so they all grow or all shrink together.
--
--   build/actlua scripts/e3_zigzag.lua
--   build/actlua scripts/e3_zigzag.lua --steps 1000 --hidden 16 --plot out
--
-- Set-up: a seeded two-moons set (actlua.data, 200 points, shuffled); a
-- 2 -> H -> H -> 1 network: Linear(2, H), the activation under test
-- (sigmoid or tanh), Linear(H, H) -- the layer measured, whose incoming
-- weights read the hidden outputs --, tanh, Linear(H, 1), bce_with_logits,
-- plain SGD. The same seed gives both activations the same initial weights
-- and the same examples in the same order.
-- Measured at every step, on the measured layer's weight gradient [H, H]:
--   one-sign share   share of its H neurons whose H incoming weight
--                    gradients are all > 0 or all < 0 (zeros do not count)
--   pair same sign   share of (neuron, step) where the gradients of its
--                    first two weights have the same sign (the 2-weight
--                    view of the article: w5, w6 move together)
-- both averaged over the steps and the seeds, once with mini-batches of
-- --batch examples (default 1: the article's one-example argument) and once
-- with the full batch (sums over examples of mixed delta signs).
local A = require "actlua"
local experiment = require "actlua.experiment"
local cli, data, progress, report =
  experiment.cli, experiment.data, experiment.progress, experiment.report
local nn, optim = A.nn, A.optim

local p = cli.parser("e3_zigzag",
  "E3: share of neurons whose incoming weight gradients all share one sign, "
  .. "behind a sigmoid hidden layer against a tanh one; 2-weight trajectories.")
cli.add_acts(p, {"sigmoid", "tanh"}, "Hidden activations to compare, comma-separated.",
             {forms = {"elementwise"}})
cli.add_steps(p, 300)
cli.add_lr(p, 0.1)
cli.add_seeds(p, 3)
cli.add_integer(p, "--hidden", 8, "Width H of the two hidden layers.", 2, 1024)
cli.add_integer(p, "--batch", 1,
                "Examples per step in the mini-batch runs (the other run uses all 200).", 1, 200)
local args = cli.parse(p)

local N, H = 200, args.hidden
local seeds = cli.seed_list(args)
local batches = {args.batch, N}
if args.batch == N then batches = {N} end

-- One run: returns the mean one-sign share, the mean pair-same-sign share,
-- the final full-batch accuracy and the trajectory of w[1][1], w[1][2].
local function run(act, seed, batch, tick)
  local x, y = data.moons{n = N, noise = 0.1, seed = seed, labels = "float", shuffle = true}
  A.manual_seed(seed)
  local first = nn.Linear(2, H)
  local measured = nn.Linear(H, H)
  local model = nn.Sequential{first, nn.Activation(act), measured, nn.Tanh(), nn.Linear(H, 1)}
  local opt = optim.SGD(model:parameters(), {lr = args.lr})
  local one_sign, pair, pos = 0, 0, 1
  local w = measured.weight:totable()
  local tx, ty = {w[1][1]}, {w[1][2]}
  for _ = 1, args.steps do
    local bx, by = x, y
    if batch < N then
      if pos + batch - 1 > N then pos = 1 end
      bx, by = x:narrow(1, pos, batch), y:narrow(1, pos, batch)
      pos = pos + batch
    end
    opt:zero_grad()
    A.loss.bce_with_logits(model(bx), by):backward()
    local g = measured.weight.grad:totable()
    local same = 0
    for j = 1, H do
      local npos, nneg = 0, 0
      for i = 1, H do
        if g[j][i] > 0 then npos = npos + 1 elseif g[j][i] < 0 then nneg = nneg + 1 end
      end
      if npos == H or nneg == H then same = same + 1 end
      if g[j][1] * g[j][2] > 0 then pair = pair + 1 end
    end
    one_sign = one_sign + same / H
    opt:step()
    w = measured.weight:totable()
    tx[#tx + 1], ty[#ty + 1] = w[1][1], w[1][2]
    tick()
  end
  local acc = A.no_grad(function() return model(x):gt(0):eq(y):mean():item() end)
  return one_sign / args.steps, pair / (args.steps * H), acc, tx, ty
end

local total = #args.acts * #seeds * #batches * args.steps
local bar = progress.new{total = total, quiet = args.quiet, label = "E3",
                         every = math.max(1, total // 10)}
local done = 0
local function tick() done = done + 1; bar:update(done, {}) end

local rows, shares, trajectories = {}, {}, {}
for _, batch in ipairs(batches) do
  for _, act in ipairs(args.acts) do
    local s1, s2, acc = 0, 0, 0
    for k, seed in ipairs(seeds) do
      local a, b, c, tx, ty = run(act, seed, batch, tick)
      s1, s2, acc = s1 + a, s2 + b, acc + c
      if k == 1 and batch == batches[1] then trajectories[act] = {tx, ty} end
    end
    local n = #seeds
    shares[batch .. act] = s1 / n
    rows[#rows + 1] = {act, batch == N and ("full (" .. N .. ")") or tostring(batch),
                       s1 / n, s2 / n, 1 / 2 ^ (H - 1), acc / n}
  end
end
bar:finish()

print()
report.print_table{
  title = ("E3: gradients of the %d x %d layer reading the hidden outputs; moons n=%d, "
           .. "2 -> %d -> %d -> 1, SGD lr %g, %d steps, seeds %s"):format(
            H, H, N, H, H, args.lr, args.steps,
            #seeds == 1 and tostring(seeds[1]) or (seeds[1] .. ".." .. seeds[#seeds])),
  columns = {"hidden act", "batch", "one-sign share", "pair same sign", "chance (random signs)", "accuracy"},
  rows = rows,
  format = {["one-sign share"] = "%.3f", ["pair same sign"] = "%.3f",
            ["chance (random signs)"] = "%.4f", accuracy = "%.3f"},
}
print()
print("one-sign share: mean over steps of the share of the layer's neurons whose incoming weight")
print("gradients are all > 0 or all < 0; pair same sign: share of (neuron, step) whose first two")
print("weight gradients agree in sign; chance: the one-sign share if the signs were independent coins.")
local sig, tan = shares[batches[1] .. "sigmoid"], shares[batches[1] .. "tanh"]
if sig and tan then
  print(("With batch %d: sigmoid %.3f against tanh %.3f -- %s"):format(batches[1], sig, tan,
    sig > tan and "sigmoid's positive outputs tie the signs together, as the article says"
    or "the article's claim is NOT reproduced here"))
end
local fsig, ftan = shares[N .. "sigmoid"], shares[N .. "tanh"]
if fsig and ftan and batches[1] ~= N then
  print(("With the full batch: sigmoid %.3f against tanh %.3f -- summed over examples whose deltas "
         .. "differ in sign, the gradients no longer share one sign: the article's argument holds "
         .. "example by example (with batch 1 it holds by construction: delta_j * h_i, h_i > 0)."):format(fsig, ftan))
end

if args.plot then
  local series = {}
  for _, act in ipairs(args.acts) do
    local t = trajectories[act]
    series[#series + 1] = {name = act, x = t[1], y = t[2]}
  end
  local figs = experiment.figures(args.plot)
  figs:lines("e3_trajectory", {
    title = ("E3: weights w11, w12 of neuron 1 of the measured layer, batch %d, seed %d"):format(
      batches[1], seeds[1]),
    xlabel = "w11", ylabel = "w12", style = "linespoints", series = series})
  figs:report()
end
