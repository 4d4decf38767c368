-- e1_shapes.lua — experiment E1: the shapes of the registered activations
-- and their properties, measured numerically (so a user-registered
-- activation is measured the same way as a built-in one).
--
--   build/actlua scripts/e1_shapes.lua                 all activations
--   build/actlua scripts/e1_shapes.lua --act sigmoid,tanh,relu,leaky_relu,elu,softmax
--                                                      the article's six
--   build/actlua scripts/e1_shapes.lua --plot out      + figures in out/
--
-- What is measured, per element-wise activation f (float64, parameters at
-- their defaults):
--   range      min and max of f over x = -10, -9.999, ..., 10 (20001 points)
--   max |f'|   the largest |f'(x)| over that grid, f' from autograd
--              (x requires grad, f(x):sum():backward()), and where: one x,
--              or "[a, b]" when the maximum is reached on a whole stretch
--   f(0)       the value at 0
--   zero-centred  "yes" when |f(0)| <= 1e-6 and f takes both signs on
--              [-10, 10]; "no" otherwise (relu: f(0) = 0 but never negative)
--   monotonic  "up" when f' >= -1e-9 at every grid point farther than
--              0.002 from a kink the registry lists (A.act.info(name).kinks),
--              "down" when f' <= 1e-9 there, "no" otherwise
--   zero grad  share of the grid where f'(x) == 0 exactly
--   |f'|<1e-2  share of the grid where |f'(x)| < 0.01 (saturated or flat)
-- Activations that work along a dim (softmax, log_softmax, softmin) are
-- applied to the article's grid x = -5.0, -4.9, ..., 4.9 as one vector and
-- their sums are printed; those whose output has another size (glu halves
-- the dim) and those of another form (prelu learns a weight) are listed as
-- skipped. Every activation goes through A.act.apply, so one a user
-- defines is measured like a built-in one.
local A = require "actlua"
local experiment = require "actlua.experiment"
local cli, progress, report = experiment.cli, experiment.progress, experiment.report
local properties = require "actlua.act_properties"

local p = cli.parser("e1_shapes",
  "E1: every registered activation on the article's grid (x = -5.0 .. 4.9), "
  .. "with its derivative, and a table of properties measured numerically on [-10, 10].")
cli.add_acts(p, nil, "Only these activations, comma-separated (default: every registered one).")
p:option("--step", "Spacing of the fine grid on [-10, 10].", "0.001")
  :argname("<h>"):convert(cli.named("--step", cli.number{positive = true, max = 1}))
local args = cli.parse(p)
A.manual_seed(args.seed)   -- nothing here is random (rrelu is in eval mode)

-- The article's grid, as NumPy's np.arange(-5.0, 5.0, 0.1) makes it
-- (start + i * step, in float64).
local grid_t = {}
for i = 0, 99 do grid_t[#grid_t + 1] = -5.0 + i * 0.1 end
local grid = A.tensor(grid_t, {dtype = "float64"})

-- The fine grid on [-10, 10]: k * step, symmetric, containing 0 exactly
-- (the grid of actlua.act_properties, which measures A.act.info's
-- `measured` the same way with step 0.01).
local fine_t = properties.grid(args.step)

-- Shortest decimal that reads back as the same double (Python's repr).
local function repr(v)
  for digits = 15, 17 do
    local s = ("%." .. digits .. "g"):format(v)
    if tonumber(s) == v then return s end
  end
  return ("%.17g"):format(v)
end

-- f and f' on the points of a Lua array, in float64.
local function values_and_grad(name, points)
  local x = A.tensor(points, {dtype = "float64"}):requires_grad(true)
  local y = A.act.apply(name, x)
  y:sum():backward()
  return y:detach():totable(), x.grad:totable()
end

local names = args.acts or A.act.names()
local elementwise, along, skipped = {}, {}, {}
for _, n in ipairs(names) do
  local form = A.act.info(n).form
  if form == "elementwise" then
    elementwise[#elementwise + 1] = n
  elseif form == "along_dim" and A.act.apply(n, grid):numel() == grid:numel() then
    along[#along + 1] = n
  elseif form == "along_dim" then
    skipped[#skipped + 1] = n .. " (its output is not the size of its input)"
  else
    skipped[#skipped + 1] = n .. " (form " .. tostring(form) .. ")"
  end
end

local function fmt_x(v) return ("%.3f"):format(v):gsub("^%-0%.000$", "0.000") end

local rows, measured = {}, {}
local bar = progress.new{total = #elementwise, quiet = args.quiet, label = "E1"}
for i, name in ipairs(elementwise) do
  local info = A.act.info(name)
  -- the same measurement as A.act.info(name).measured, on this grid
  local m = properties.compute(A, info, nil, args.step)
  local lo, hi, dmax = m.range[1], m.range[2], m.max_slope
  local first, last, runs = m.max_slope_at[1], m.max_slope_at[2], m.max_slope_runs
  local where
  if first == last then where = fmt_x(first)
  elseif runs == 1 then where = "[" .. fmt_x(first) .. ", " .. fmt_x(last) .. "]"
  else where = fmt_x(first) .. " (+" .. (runs - 1) .. " more)" end
  local f0, centred, mono = m.f0, m.zero_centred, m.monotonic
  local zero, small = m.zero_grad, m.small_grad
  measured[name] = {min = lo, max = hi, dmax = dmax, first = first, last = last,
                    f0 = f0, centred = centred, mono = mono, zero = zero, small = small}
  rows[#rows + 1] = {name, lo, hi, dmax, where, f0, centred, mono, zero, small}
  bar:update(i, {})
end
bar:finish()

-- The claims of the articles, checked against what was measured.
local checks = {}
local function check(ok, text) checks[#checks + 1] = (ok and "agrees " or "DIFFERS") .. "  " .. text end
local function at(name, x)
  local v, g = values_and_grad(name, {x})
  return v[1], g[1]
end
local has = {}
for _, n in ipairs(elementwise) do has[n] = true end
if has.sigmoid then
  local m = measured.sigmoid
  local _, gm, _ = at("sigmoid", -10)
  local _, gp = at("sigmoid", 10)
  check(math.abs(m.dmax - 0.25) < 1e-12 and m.first == 0 and m.last == 0,
    ("sigmoid: max f' = %s at x = %s (article: 0.25 at 0)"):format(repr(m.dmax), fmt_x(m.first)))
  check(gm < 1e-4 and gp < 1e-4,
    ("sigmoid: f'(-10) = %.3e, f'(10) = %.3e (article: close to 0)"):format(gm, gp))
  check(m.min >= 0 and m.max <= 1 and not m.centred,
    ("sigmoid: range on [-10, 10] = [%.6g, %.6g], never negative, not zero-centred"):format(m.min, m.max))
end
if has.tanh then
  local m = measured.tanh
  check(math.abs(m.dmax - 1) < 1e-12 and m.first == 0,
    ("tanh: max f' = %s at x = %s (article: 1); range [%.6g, %.6g]; zero-centred: %s"):format(
      repr(m.dmax), fmt_x(m.first), m.min, m.max, m.centred and "yes" or "no"))
  local _, g10 = at("tanh", 10)
  check(g10 < 1e-6, ("tanh: f'(10) = %.3e, it saturates at both ends"):format(g10))
end
if has.relu then
  local _, g0 = at("relu", 0)
  local _, gneg = at("relu", -1)
  local _, gpos = at("relu", 1)
  check(g0 == 0 and gneg == 0 and gpos == 1,
    ("relu: f'(-1) = %g, f'(0) = %g, f'(1) = %g (article: 0 for x <= 0, 1 for x > 0); "
     .. "zero-gradient share %.5f"):format(gneg, g0, gpos, measured.relu.zero))
end
if has.leaky_relu then
  local _, gneg = at("leaky_relu", -1)
  check(math.abs(gneg - 0.01) < 1e-12, ("leaky_relu: f'(-1) = %s (article: slope 0.01)"):format(repr(gneg)))
end
if has.elu then
  local v = at("elu", -1)
  check(math.abs(v - (math.exp(-1) - 1)) < 1e-12,
    ("elu: f(-1) = %.6f = e^-1 - 1 (alpha 1); range [%.6g, %.6g]"):format(v, measured.elu.min, measured.elu.max))
end

-- softmax & co. on the article's grid, as one vector
local along_rows = {}
for _, name in ipairs(along) do
  local y64 = A.act.apply(name, grid)
  local y32 = A.act.apply(name, grid:float())
  local s64, s32 = y64:sum():item(), y32:sum():item()
  along_rows[#along_rows + 1] = {name, repr(s64), ("%.9g"):format(s32),
                                  y64:min():item(), y64:max():item()}
  if name == "softmax" then
    -- the same sum, added in order in Lua (NumPy adds pairwise)
    local acc = 0.0
    for _, v in ipairs(y64:totable()) do acc = acc + v end
    check(math.abs(s64 - 1) < 1e-12,
      ("softmax of the 100-point grid sums to %s in float64 (%s adding in order in Lua; "
       .. "the article printed 0.9999999999999998), %.9g in float32"):format(repr(s64), repr(acc), s32))
  end
end

print()
if #rows > 0 then
  report.print_table{
    title = ("E1: element-wise activations on [-10, 10] (%d points, step %g), float64, default parameters")
      :format(#fine_t, args.step),
    columns = {"activation", "min", "max", "max |f'|", "at x", "f(0)", "zero-centred",
               "monotonic", "zero grad", "|f'|<1e-2"},
    rows = rows,
    format = {["zero grad"] = "%.4f", ["|f'|<1e-2"] = "%.4f", ["max |f'|"] = "%.6g",
              min = "%.6g", max = "%.6g", ["f(0)"] = "%.6g"},
  }
  print()
end
if #along_rows > 0 then
  report.print_table{
    title = "Along a dim: applied to the article's grid x = -5.0, -4.9, ..., 4.9 as one vector",
    columns = {"activation", "sum (float64)", "sum (float32)", "min", "max"},
    rows = along_rows, format = {min = "%.6g", max = "%.6g"},
  }
  print()
end
if #skipped > 0 then print("skipped: " .. table.concat(skipped, ", ")); print() end
if #checks > 0 then
  print("The articles' claims, checked:")
  for _, c in ipairs(checks) do print("  " .. c) end
  print()
end
print("Definitions: zero-centred = f(0) = 0 (|f(0)| <= 1e-6) and f takes both signs on [-10, 10];")
print("monotonic = f' >= 0 ('up') or <= 0 ('down') at every grid point not within 0.002 of a listed kink;")
print("zero grad = share of grid points where autograd's f'(x) is exactly 0.")

if args.plot then
  local xs = grid:totable()
  local shapes, derivs = {}, {}
  for _, name in ipairs(elementwise) do
    local v, g = values_and_grad(name, xs)
    shapes[#shapes + 1] = {name = name, x = xs, y = v}
    derivs[#derivs + 1] = {name = name, x = xs, y = g}
  end
  local figs = experiment.figures(args.plot)
  if #shapes > 0 then
    figs:lines("e1_shapes", {title = "E1: activations on x = -5.0 .. 4.9",
                             xlabel = "x", ylabel = "f(x)", yrange = {-2, 5}, series = shapes})
    figs:lines("e1_derivatives", {title = "E1: derivatives (autograd)",
                                  xlabel = "x", ylabel = "f'(x)", yrange = {-1.5, 2}, series = derivs})
  end
  if #along > 0 then
    local series = {}
    for _, name in ipairs(along) do
      series[#series + 1] = {name = name, x = xs, y = A.act.apply(name, grid):totable()}
    end
    figs:lines("e1_softmax", {title = "E1: softmax & co. of the grid as one vector",
                              xlabel = "x", ylabel = "value", series = series})
  end
  figs:report()
end
