-- activations.lua — workload 3: forward + backward of every built-in
-- activation on float32 tensors of 10^6 and 10^7 elements ([n/1000, 1000];
-- softmax, log_softmax, softmin and glu along the last dim, prelu with one
-- weight), through autograd as a user runs them: y = f(x), y:backward(gy).
-- Beside them, x:clone(), a copy of the same tensor (memcpy's speed).
-- The PyTorch peer is bench/peers/activations.py.
-- Usage: actlua bench/activations.lua [reps [sizes...]]
-- Prints "@ act <name> <n> <forward s> <backward s> <bytes>" and
-- "@ copy <n> <s>", where bytes is what a fused kernel pair must move: x
-- read and y written forward; gy and the saved x or y read and gx written
-- backward. Times are medians of `reps` (default 3) at 10^6 after one
-- warm-up; at 10^7, where every output is fresh memory anyway, of
-- ceil(reps / 3) with no warm-up.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
local A = require "actlua"
local lib = require "lib"

local reps = tonumber(arg[1]) or 3
local sizes = {}
for i = 2, #arg do sizes[#sizes + 1] = math.tointeger(tonumber(arg[i])) end
if #sizes == 0 then sizes = {1000000, 10000000} end
A.manual_seed(0)

local function call(name, x, w)
  if name == "prelu" then return A.prelu(x, w) end
  return A.act.apply(name, x)
end

-- The first timed rep (after a warm-up, or none) and how many are timed.
local function plan(n)
  if n < 5000000 then return 0, reps end
  return 1, math.max(1, (reps + 2) // 3)
end

-- Forward and backward times of one activation on x (a leaf) with the
-- output gradients gys (by output width), medians of the timed reps.
local function time_act(name, x, gys)
  local n = x:numel()
  local w = name == "prelu" and A.tensor{0.25}:requires_grad(true) or nil
  local gy = name == "glu" and gys.half or gys.full
  local saved = A.act.info(name).derivative_from == "y" and gy:numel() or n
  local bytes = 4 * (n + gy:numel() + gy:numel() + saved + n)
  local fwd, bwd = {}, {}
  local first, last = plan(n)
  for r = first, last do
    x.grad = nil
    local t0 = lib.clock()
    local y = call(name, x, w)
    local t1 = lib.clock()
    y:backward(gy)
    local t2 = lib.clock()
    if r > 0 then fwd[r], bwd[r] = t1 - t0, t2 - t1 end
    y = nil
    collectgarbage() -- the previous rep's buffers go before the next one
  end
  return lib.median(fwd), lib.median(bwd), bytes
end

local function time_copy(n)
  local x, t = A.randn{n // 1000, 1000}, {}
  local first, last = plan(n)
  for r = first, last do
    local t0 = lib.clock()
    local y = x:clone()
    if r > 0 then t[r] = lib.clock() - t0 end
    y = nil
    collectgarbage()
  end
  return lib.median(t)
end

for _, n in ipairs(sizes) do
  lib.report("copy", n, time_copy(n))
  local x = A.randn{n // 1000, 1000}:requires_grad(true)
  local gys = {full = A.randn{n // 1000, 1000}, half = A.randn{n // 1000, 500}}
  for _, name in ipairs(A.act.names()) do
    lib.report("act", name, n, time_act(name, x, gys))
  end
end
