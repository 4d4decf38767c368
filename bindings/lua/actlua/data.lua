-- actlua.data — small seeded 2-d datasets for classification experiments.
--
--   local data = require "actlua.data"
--   local x, y = data.xor()                       -- x [4,2], y [4,1] float32
--   local x, y = data.spirals{n = 200, classes = 3, noise = 0.1, seed = 1}
--   -- x [200,2] float32, y [200] int64 classes 1..3
--
-- Each generator draws from its own A.Generator(seed), never from the
-- global one, so the same options give the same bits on every run, and a
-- script's other random numbers do not move when it makes a dataset.
-- Noise is Gaussian (Box-Muller over the generator's uniforms) with standard
-- deviation `noise`, added to both coordinates of every point.
--
-- Options (all generators but xor):
--   n        number of points (200); the classes get n // classes points
--            each and the first n % classes classes one more
--   classes  number of classes (2; moons has exactly 2)
--   noise    standard deviation of the noise (see each generator)
--   seed     the generator's seed (0)
--   shuffle  shuffle the points (false: class by class, in the order drawn)
--   labels   "index" (default): int64 [n], classes 1..C (1-based, as
--            argmax returns them); "float": [n,1] of 0..C-1 (0/1 targets for
--            a sigmoid output); "onehot": [n,C] of 0 and 1
--   dtype    of x and of float labels ("float32")
local A = require "actlua"

local M = {}

local TWO_PI = 2 * math.pi

local LABELS = {index = true, float = true, onehot = true}

local function check_opts(fname, opts, defaults)
  if opts ~= nil and type(opts) ~= "table" then
    error(("data.%s: options must be a table, got %s"):format(fname, type(opts)), 3)
  end
  opts = opts or {}
  local o = {}
  for k, v in pairs(defaults) do o[k] = v end
  for k, v in pairs(opts) do
    if defaults[k] == nil and k ~= "seed" and k ~= "dtype" and k ~= "shuffle"
       and k ~= "labels" then
      error(("data.%s: unknown option '%s'"):format(fname, tostring(k)), 3)
    end
    o[k] = v
  end
  o.seed = o.seed or 0
  o.labels = o.labels or "index"
  if math.tointeger(o.seed) == nil then
    error(("data.%s: seed must be an integer"):format(fname), 3)
  end
  if not LABELS[o.labels] then
    error(("data.%s: labels must be \"index\", \"float\" or \"onehot\", got %s")
          :format(fname, tostring(o.labels)), 3)
  end
  if o.n ~= nil and (math.tointeger(o.n) == nil or o.n < 1) then
    error(("data.%s: n must be an integer >= 1"):format(fname), 3)
  end
  if o.classes ~= nil and (math.tointeger(o.classes) == nil or o.classes < 1) then
    error(("data.%s: classes must be an integer >= 1"):format(fname), 3)
  end
  if o.n and o.classes and o.n < o.classes then
    error(("data.%s: n (%d) is smaller than classes (%d)"):format(fname, o.n, o.classes), 3)
  end
  if o.noise ~= nil and (type(o.noise) ~= "number" or not (o.noise >= 0)
                         or o.noise == math.huge) then
    error(("data.%s: noise must be a finite number >= 0"):format(fname), 3)
  end
  return o
end

-- Two independent standard normal numbers from g (Box-Muller).
local function normal_pair(g)
  local u = 1 - g:random()           -- (0, 1]: log(u) is finite
  local v = g:random()
  local r = math.sqrt(-2 * math.log(u))
  return r * math.cos(TWO_PI * v), r * math.sin(TWO_PI * v)
end

-- How many points class k (0-based) gets.
local function class_count(n, classes, k)
  return n // classes + (k < n % classes and 1 or 0)
end

-- Builds the tensors from points {x1, x2, class} (class 0-based), adding
-- noise and shuffling as asked.
local function finish(points, o, g)
  if g then
    -- Drawn even when noise is 0, so the shuffle does not depend on it.
    for _, p in ipairs(points) do
      local a, b = normal_pair(g)
      p[1], p[2] = p[1] + o.noise * a, p[2] + o.noise * b
    end
  end
  if g and o.shuffle then
    for i = #points, 2, -1 do
      local j = math.floor(g:random() * i) + 1
      points[i], points[j] = points[j], points[i]
    end
  end
  local xs, ys = {}, {}
  for i, p in ipairs(points) do
    xs[i] = {p[1], p[2]}
    if o.labels == "index" then
      ys[i] = p[3] + 1
    elseif o.labels == "float" then
      ys[i] = {p[3]}
    else
      local row = {}
      for c = 1, o.classes do row[c] = (c == p[3] + 1) and 1 or 0 end
      ys[i] = row
    end
  end
  local dtype = o.dtype or "float32"
  local x = A.tensor(xs, {dtype = dtype})
  local y = A.tensor(ys, {dtype = o.labels == "index" and "int64" or dtype})
  return x, y
end

-- The four XOR points {0,0}, {0,1}, {1,0}, {1,1} and their targets 0, 1,
-- 1, 0: y is [4,1] float by default (labels = "float"); "index" gives
-- classes {1, 2, 2, 1}, "onehot" [4,2]. Options: labels, dtype.
function M.xor(opts)
  if opts ~= nil and type(opts) ~= "table" then
    error(("data.xor: options must be a table, got %s"):format(type(opts)), 2)
  end
  opts = opts or {}
  for k in pairs(opts) do
    if k ~= "labels" and k ~= "dtype" then
      error(("data.xor: unknown option '%s'"):format(tostring(k)), 2)
    end
  end
  local labels = opts.labels or "float"
  if not LABELS[labels] then
    error(("data.xor: labels must be \"index\", \"float\" or \"onehot\", got %s")
          :format(tostring(labels)), 2)
  end
  local pts = {{0, 0, 0}, {0, 1, 1}, {1, 0, 1}, {1, 1, 0}}
  return finish(pts, {noise = 0, labels = labels, classes = 2, dtype = opts.dtype})
end

-- Interleaved spiral arms, one per class, around the origin. Point i of the
-- m of class k lies at radius r = (i - 0.5) / m and angle
-- 2 pi (k / classes + turns r): within the unit disc before the noise.
-- Options: n, classes, noise (0.1), turns (1), seed, shuffle, labels, dtype.
function M.spirals(opts)
  local o = check_opts("spirals", opts, {n = 200, classes = 2, noise = 0.1, turns = 1})
  if type(o.turns) ~= "number" or o.turns ~= o.turns then
    error("data.spirals: turns must be a number", 2)
  end
  local g = A.Generator(o.seed)
  local points = {}
  for k = 0, o.classes - 1 do
    local m = class_count(o.n, o.classes, k)
    for i = 1, m do
      local r = (i - 0.5) / m
      local t = TWO_PI * (k / o.classes + o.turns * r)
      points[#points + 1] = {r * math.cos(t), r * math.sin(t), k}
    end
  end
  return finish(points, o, g)
end

-- Two interleaving half circles (scikit-learn's make_moons): class 1 on
-- (cos t, sin t), class 2 on (1 - cos t, 0.5 - sin t), t evenly spaced over
-- [0, pi] ends included; x1 in [-1, 2] and x2 in [-0.5, 1] before the
-- noise. Options: n, noise (0.1), seed, shuffle, labels, dtype.
function M.moons(opts)
  local o = check_opts("moons", opts, {n = 200, classes = 2, noise = 0.1})
  if o.classes ~= 2 then error("data.moons: classes must be 2", 2) end
  local g = A.Generator(o.seed)
  local points = {}
  for k = 0, 1 do
    local m = class_count(o.n, 2, k)
    for i = 0, m - 1 do
      local t = m > 1 and math.pi * i / (m - 1) or 0
      if k == 0 then
        points[#points + 1] = {math.cos(t), math.sin(t), 0}
      else
        points[#points + 1] = {1 - math.cos(t), 0.5 - math.sin(t), 1}
      end
    end
  end
  return finish(points, o, g)
end

-- Concentric circles (scikit-learn's make_circles, for any number of
-- classes): class k (1-based) on the circle of radius 1 - (k - 1) (1 -
-- factor) / (classes - 1), from 1 (class 1) down to factor (the last
-- class), its points at evenly spaced angles 2 pi i / m, i = 0..m-1.
-- Options: n, classes, noise (0.05), factor (0.5, in (0, 1)), seed,
-- shuffle, labels, dtype.
function M.circles(opts)
  local o = check_opts("circles", opts, {n = 200, classes = 2, noise = 0.05, factor = 0.5})
  if type(o.factor) ~= "number" or not (o.factor > 0 and o.factor < 1) then
    error("data.circles: factor must be in (0, 1)", 2)
  end
  local g = A.Generator(o.seed)
  local points = {}
  for k = 0, o.classes - 1 do
    local m = class_count(o.n, o.classes, k)
    local radius = o.classes > 1 and 1 - k * (1 - o.factor) / (o.classes - 1) or 1
    for i = 0, m - 1 do
      local t = TWO_PI * i / m
      points[#points + 1] = {radius * math.cos(t), radius * math.sin(t), k}
    end
  end
  return finish(points, o, g)
end

return M
