-- defined_activations.lua — the speed of activations defined with
-- A.act.define (issue 5), forward + backward on float32 tensors, against
-- the built-in they equal and against the same formula composed from
-- tensor ops with autograd; and the callback fallback's cost per element.
-- Everything runs in this one process, interleaved; medians of RUNS. Then
-- the PyTorch peer (bench/peers/defined_activations.py: built-in silu and
-- the same formulas composed from torch ops), when /usr/bin/python3 has
-- torch; PYTHON= picks another interpreter, PYTHON=no skips it.
--
--   build/actlua bench/defined_activations.lua [elements] [runs]
local A = require "actlua"
local F = A.fn
local N = math.tointeger(tonumber(arg[1] or "1e6"))
local RUNS = math.tointeger(tonumber(arg[2] or "7"))
local clock = os.clock

A.act.warn = function() end
A.act.define("silu_traced", function(x) return x * F.sigmoid(x) end)
A.act.define("ncu_traced", function(x) return x - x^3 end)
A.act.define("ncu_callback", {f = function(x) return x - x * x * x end,
                              df = function(x) return 1 - 3 * x * x end})

A.manual_seed(0)
local x = A.randn({N}):requires_grad(true)
local gy = A.ones({N})

-- One forward + backward of fn(x), in seconds.
local function once(fn)
  local t0 = clock()
  local y <close> = fn(x)
  y:backward(gy)
  local t = clock() - t0
  x.grad = nil
  return t
end

local function median(v)
  table.sort(v)
  return v[(#v + 1) // 2]
end

local cases = {
  {"silu: built-in", function(t) return A.silu(t) end},
  {"silu: traced x * F.sigmoid(x)", function(t) return A.silu_traced(t) end},
  {"silu: composed x * A.sigmoid(x)", function(t) return t * A.sigmoid(t) end},
  {"ncu: built-in", function(t) return A.ncu(t) end},
  {"ncu: traced x - x^3", function(t) return A.ncu_traced(t) end},
  {"ncu: composed x - x^3", function(t) return t - t ^ 3 end},
}
local times = {}
for _, c in ipairs(cases) do times[c[1]] = {} end
for _ = 1, RUNS do
  for _, c in ipairs(cases) do
    local v = times[c[1]]
    v[#v + 1] = once(c[2])
  end
end
-- The callback on fewer elements (it is per-element Lua).
local M = math.min(N, 100000)
local xs = A.randn({M}):requires_grad(true)
local cb = {}
for _ = 1, 3 do
  local t0 = clock()
  A.ncu_callback(xs):backward(A.ones({M}))
  cb[#cb + 1] = (clock() - t0) / M * N
  xs.grad = nil
end

print(("forward + backward of %d float32 elements, medians of %d (CPU ms):"):format(N, RUNS))
local base, traced = {}, {}
for _, c in ipairs(cases) do
  local name, t = c[1], median(times[c[1]])
  local family = name:match("^(%w+):")
  base[family] = base[family] or t
  local vs = ("%5.2fx the built-in"):format(t / base[family])
  if name:match(": traced") then
    traced[family] = t
  elseif name:match(": composed") then
    vs = vs .. (", %4.2fx the traced"):format(t / traced[family])
  end
  print(("  %-34s %8.3f ms  %s"):format(name, t * 1e3, vs))
end
print(("  %-34s %8.1f ms  %5.0fx the built-in (measured on %d elements, scaled)"):format(
  "ncu: callbacks {f, df}", median(cb) * 1e3, median(cb) / base.ncu, M))

-- The PyTorch peer, after actlua's runs (one thread each, not at once).
local python = os.getenv("PYTHON") or "/usr/bin/python3"
local here = arg[0]:match("^(.*)/[^/]*$") or "."
local peer = {}
if python ~= "no" then
  local p = io.popen(("OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 %s %s/peers/defined_activations.py %d %d 2>/dev/null")
    :format(python, here, N, RUNS))
  for line in p:lines() do
    local name, t = line:match("^@ peer (.-)|(%S+)$")
    if name then peer[#peer + 1] = {name, tonumber(t)} end
  end
  p:close()
end
if #peer == 0 then
  print("  (no PyTorch peer: " .. python .. " could not import torch)")
else
  print("PyTorch 1 thread, same elements (CPU ms), and actlua's traced one against it:")
  for _, e in ipairs(peer) do
    local family = e[1]:match("^(%w+):")
    print(("  %-34s %8.3f ms  traced is %5.2fx faster"):format(e[1], e[2] * 1e3, e[2] / traced[family]))
  end
end
