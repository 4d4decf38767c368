-- actlua.experiment — what the experiment scripts share beyond options
-- (actlua.cli), progress, tables and plots: the article's deep-XOR model,
-- runs over activations x seeds with a progress bar per activation, the
-- median, and the figures of --plot.
--
--   local experiment = require "actlua.experiment"
--   local model = experiment.deep_xor_model("relu")      -- E8's network
--   local results = experiment.runs{acts = {"relu", "tanh"}, seeds = {0, 1},
--     steps = 1000, quiet = args.quiet, metrics = {"cost"},
--     run = function(act, seed, bar, offset) ... return {...} end}
--   -- results = {{act = "relu", runs = {run(relu, 0), run(relu, 1)}}, ...}
--   local figs = experiment.figures(args.plot)
--   figs:lines("e8_cost", {title = ..., series = ...})   -- DIR/e8_cost.*
--   figs:report()                                        -- "wrote ..."
--
-- It is also the experiment kit: experiment.cli, .data, .plot, .progress
-- and .report are the actlua.* libraries of those names, so a script needs
-- one require:
--   local experiment = require "actlua.experiment"
--   local cli, data, report = experiment.cli, experiment.data, experiment.report
-- They load on first use: bench/deep_xor.lua times a whole process that
-- builds its model here, and loads nothing it does not use.
local A = require "actlua"

local LIBS = {cli = true, data = true, plot = true, progress = true, report = true}
local M = setmetatable({}, {__index = function(t, name)
  if not LIBS[name] then return nil end
  local lib = require("actlua." .. name)
  rawset(t, name, lib)
  return lib
end})

-- The article's deep XOR network (experiment E8): 2 -> nine hidden layers
-- of 5 -> 1, every weight and bias drawn from a standard normal N(0, 1)
-- (from the global generator: call A.manual_seed first), the hidden
-- activation `act` (any name nn.Activation takes), a sigmoid output.
-- sizes replaces the layer sizes {2, 5, ..., 5, 1}.
M.DEEP_XOR_SIZES = {2, 5, 5, 5, 5, 5, 5, 5, 5, 5, 1}

function M.deep_xor_model(act, sizes)
  local nn = A.nn
  sizes = sizes or M.DEEP_XOR_SIZES
  local layers = {}
  for i = 1, #sizes - 1 do
    local linear = nn.Linear(sizes[i], sizes[i + 1])
    nn.init.normal(linear.weight, 0, 1)
    nn.init.normal(linear.bias, 0, 1)
    layers[#layers + 1] = linear
    layers[#layers + 1] = i < #sizes - 1 and nn.Activation(act) or nn.Sigmoid()
  end
  return nn.Sequential(layers)
end

-- For each activation, one run per seed, with one progress bar per
-- activation over all its seeds' steps. opts:
--   acts, seeds   arrays
--   steps         steps of one run (the bar's total is #seeds * steps)
--   run           function(act, seed, bar, offset) -> a run's result; it
--                 calls bar:update(offset + step, metrics) as it goes
--   quiet, metrics, format   passed to progress.new
-- Returns {{act = name, runs = {result per seed}}, ...} in the order of acts.
function M.runs(opts)
  local progress = M.progress
  local results = {}
  for _, act in ipairs(opts.acts) do
    local bar = progress.new{total = #opts.seeds * opts.steps, quiet = opts.quiet,
                             label = act, metrics = opts.metrics, format = opts.format}
    local runs = {}
    for i, seed in ipairs(opts.seeds) do
      runs[i] = opts.run(act, seed, bar, (i - 1) * opts.steps)
    end
    bar:finish()
    results[#results + 1] = {act = act, runs = runs}
  end
  return results
end

-- The median of an array of numbers (nil when empty); NaN sorts last, so a
-- NaN median means at least half the values are NaN.
function M.median(values)
  if #values == 0 then return nil end
  local v = table.move(values, 1, #values, 1, {})
  table.sort(v, function(a, b)
    if a ~= a then return false end
    if b ~= b then return true end
    return a < b
  end)
  local n = #v
  if n % 2 == 1 then return v[(n + 1) // 2] end
  return (v[n // 2] + v[n // 2 + 1]) / 2
end

-- ------------------------------------------------------------- figures

local Figures = {}
Figures.__index = Figures

-- The figures of one script, written into folder dir (--plot DIR).
function M.figures(dir)
  if type(dir) ~= "string" or dir == "" then
    error("experiment.figures: dir must be a folder name", 2)
  end
  return setmetatable({dir = dir, files = {}, notes = {}}, Figures)
end

-- plot.lines with file = DIR/name; the files and notes are kept for report.
function Figures:lines(name, opts)
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  o.file = self.dir .. "/" .. name
  local files, note = M.plot.lines(o)
  table.move(files, 1, #files, #self.files + 1, self.files)
  if note then
    local seen = false
    for _, n in ipairs(self.notes) do seen = seen or n == note end
    if not seen then self.notes[#self.notes + 1] = note end
  end
  return files, note
end

-- Prints, after a blank line, "wrote FILE, FILE, ..." and each note (once):
-- why images are missing, when they are.
function Figures:report(print_)
  print_ = print_ or print
  print_("")
  print_("wrote " .. table.concat(self.files, ", "))
  for _, n in ipairs(self.notes) do print_(n) end
end

return M
