-- actlua.act_properties — the properties of an element-wise activation,
-- measured numerically on a grid over [-10, 10] in float64 (so a defined
-- activation is measured exactly as a built-in one). A.act.info(name)
-- gives them as info.measured; experiment E1 prints them.
--
--   range          {min, max} of f over the grid
--   max_slope      the largest |f'(x)|, f' from autograd, and
--   max_slope_at   {first, last}: the first and last grid x reaching it
--                  (within 1e-9); max_slope_runs: how many stretches do
--   f0             f(0)
--   zero_centred   |f(0)| <= 1e-6 and f takes both signs
--   monotonic      "up" when f' >= -1e-9 at every grid point farther than
--                  0.002 from a listed kink, "down" when f' <= 1e-9, else "no"
--   zero_grad      share of the grid where f'(x) == 0 exactly
--   small_grad     share where |f'(x)| < 0.01 (saturated or flat)
local M = {}

-- The grid: k * step for |k * step| <= 10, with -10 and 10 themselves.
function M.grid(step)
  local K, xs = math.floor(10 / step + 0.5), {}
  for k = -K, K do xs[#xs + 1] = k * step end
  if xs[1] > -10 then table.insert(xs, 1, -10.0) end
  if xs[#xs] < 10 then xs[#xs + 1] = 10.0 end
  return xs
end

-- f and f' of activation `name` on the points xs, in float64.
function M.values_and_grad(A, name, xs, params)
  local x = A.tensor(xs, {dtype = "float64"}):requires_grad(true)
  local y = A.act.apply(name, x, params)
  y:sum():backward()
  return y:detach():totable(), x.grad:totable()
end

local function near_kink(x, kinks)
  for _, k in ipairs(kinks or {}) do
    if math.abs(x - k) <= 0.002 + 1e-12 then return true end
  end
  return false
end

-- Measures info's activation (with params) on a grid of the given step
-- (default 0.01).
function M.compute(A, info, params, step)
  local xs = M.grid(step or 0.01)
  local f, d = M.values_and_grad(A, info.name, xs, params)
  local lo, hi, dmax = math.huge, -math.huge, -1
  local zero, small, up, down = 0, 0, true, true
  for j, x in ipairs(xs) do
    local v, g = f[j], d[j]
    lo, hi = math.min(lo, v), math.max(hi, v)
    local ag = math.abs(g)
    if ag > dmax then dmax = ag end
    if g == 0 then zero = zero + 1 end
    if ag < 1e-2 then small = small + 1 end
    if not near_kink(x, info.kinks) then
      if g < -1e-9 then up = false end
      if g > 1e-9 then down = false end
    end
  end
  local first, last, runs, inrun = nil, nil, 0, false
  for j, x in ipairs(xs) do
    local at = math.abs(d[j]) >= dmax - 1e-9 * math.max(1, dmax)
    if at then
      first, last = first or x, x
      if not inrun then runs = runs + 1 end
    end
    inrun = at
  end
  local f0 = M.values_and_grad(A, info.name, {0.0}, params)[1]
  return {
    range = {lo, hi}, max_slope = dmax, max_slope_at = {first, last},
    max_slope_runs = runs, f0 = f0,
    zero_centred = math.abs(f0) <= 1e-6 and lo < 0 and hi > 0,
    monotonic = up and "up" or (down and "down" or "no"),
    zero_grad = zero / #xs, small_grad = small / #xs,
  }
end

-- compute() with the default step, cached per activation and params (an
-- activation's definition may change: A.act.define clears its entries).
local cache = setmetatable({}, {__mode = "k"})

local function key(name, params)
  local parts = {name}
  if type(params) == "table" then
    local ks = {}
    for k in pairs(params) do ks[#ks + 1] = tostring(k) end
    table.sort(ks)
    for _, k in ipairs(ks) do parts[#parts + 1] = k .. "=" .. tostring(params[k]) end
  elseif params ~= nil then
    parts[#parts + 1] = tostring(params)
  end
  return table.concat(parts, ",")
end

function M.measure(A, info, params)
  local per = cache[A] or {}
  cache[A] = per
  local k = key(info.name, params)
  if not per[k] then per[k] = M.compute(A, info, params) end
  return per[k]
end

function M.forget(A, name)
  local per = cache[A]
  if not per then return end
  for k in pairs(per) do
    if k == name or k:sub(1, #name + 1) == name .. "," then per[k] = nil end
  end
end

return M
