-- mlp.lua — workload 2: an MLP 784-512-512-10 with ReLU, cross-entropy,
-- SGD (momentum 0.9, lr 0.01), batches of 128, one epoch over 60,000
-- seeded synthetic samples: inputs N(0,1), labels the argmax of a fixed
-- random linear teacher (so that the loss falls). The PyTorch peer is
-- bench/peers/mlp.py; bench/gemm_floor measures the OpenBLAS floor.
-- Threads: ACTLUA_NUM_THREADS (bench/run.lua sets it). The data are made
-- before the clock starts. Prints "@ epoch_s", "@ phases" (forward, loss,
-- zero_grad + backward, optimizer step), "@ loss" (first and last batch)
-- and "@ peak_mib" (VmHWM: workload 4).
-- Usage: actlua bench/mlp.lua [samples [seed]]
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
local A = require "actlua"
local lib = require "lib"
local nn, optim = A.nn, A.optim

local samples = math.tointeger(tonumber(arg[1])) or 60000
A.manual_seed(math.tointeger(tonumber(arg[2])) or 0)
local batch = 128

local x = A.randn{samples, 784}
local labels = A.matmul(x, A.randn{784, 10}):argmax(2) -- 1-based classes

local model = nn.Sequential{
  nn.Linear(784, 512), nn.ReLU(),
  nn.Linear(512, 512), nn.ReLU(),
  nn.Linear(512, 10),
}
local opt = optim.SGD(model:parameters(), {lr = 0.01, momentum = 0.9})

-- The phases' times too (forward, loss, zero_grad + backward, step): four
-- clock readings a step, ~1 us of an epoch's ~2 s.
local t0 = lib.clock()
local phase = {0, 0, 0, 0}
local loss, first
for i = 1, samples, batch do
  local n = math.min(batch, samples - i + 1)
  local ta = lib.clock()
  local out = model(x:narrow(1, i, n))
  local tb = lib.clock()
  loss = A.loss.cross_entropy(out, labels:narrow(1, i, n))
  local tc = lib.clock()
  opt:zero_grad()
  loss:backward()
  local td = lib.clock()
  opt:step()
  local te = lib.clock()
  phase[1], phase[2] = phase[1] + tb - ta, phase[2] + tc - tb
  phase[3], phase[4] = phase[3] + td - tc, phase[4] + te - td
  first = first or loss:item()
end
local elapsed = lib.clock() - t0
lib.report("epoch_s", elapsed)
lib.report("phases", phase[1], phase[2], phase[3], phase[4])
lib.report("loss", first, loss:item())
lib.report("peak_mib", lib.status_mib("VmHWM"))
print(("actlua mlp, %d threads: loss %.4f -> %.4f, epoch %.3f s"):format(
  A.get_num_threads(), first, loss:item(), elapsed))
