-- Engine memory is invisible to Lua's collector; the bindings tell it. A
-- loop of temporaries must keep resident memory flat without the user
-- calling collectgarbage().
local A = require "actlua"
local S = require "support"

describe("memory", function()
  it("stays flat over a million temporary 64x64 tensors", function()
    if S.sanitized then
      pending("resident memory is not meaningful under AddressSanitizer")
      return
    end
    local x = A.ones{64, 64}
    for _ = 1, 20000 do local _ = x + 1 end -- warm up: reach the steady state
    local before = S.rss_kib()
    for _ = 1, 1000000 do local _ = x + 1 end
    local after = S.rss_kib()
    -- 10^6 tensors of 16 KiB would be 16 GB if none were reclaimed.
    assert.is_true(after - before < 32 * 1024,
      ("resident memory grew from %d KiB to %d KiB"):format(before, after))
    assert.is_true(A.memory_in_use() < 256 * 1024 * 1024)
  end)

  it("keeps the Lua heap flat when Lua objects die old", function()
    -- Tables that outlive a few young collections are promoted to old and
    -- die there; the young steps the bindings ask for never free them, so
    -- a full collection must come when the Lua heap has grown (it grew by
    -- ~7 MB per 100,000 iterations before).
    local x = A.ones{64, 64}
    local ring = {}
    for i = 1, 20000 do local _ = x + 1; ring[i % 512 + 1] = {i} end
    local before = collectgarbage("count")
    for i = 1, 100000 do local _ = x + 1; ring[i % 512 + 1] = {i} end
    local after = collectgarbage("count")
    assert.is_true(after - before < 1024,
      ("the Lua heap grew from %.0f KiB to %.0f KiB"):format(before, after))
  end)

  it("frees the small tensors of a training loop within a few steps", function()
    -- Each tensor counts for the collector as if it were 1 KiB (what a
    -- small one holds in the engine), so the tensors of a deep XOR step
    -- are freed some steps later, not once 1 MiB has piled up. Lua paces
    -- its steps by its heap's size: a fresh interpreter, not this one.
    local script = os.tmpname()
    local f = assert(io.open(script, "w"))
    f:write([[
      local A = require "actlua"
      A.manual_seed(3)
      local nn, layers = A.nn, {}
      for i = 1, 9 do
        layers[#layers + 1] = nn.Linear(i == 1 and 2 or 5, 5)
        layers[#layers + 1] = nn.Sigmoid()
      end
      local model = nn.Sequential(layers)
      local opt = A.optim.SGD(model:parameters(), {lr = 0.01})
      local x, y = A.rand{4, 2}, A.rand{4, 5}
      local function step()
        opt:zero_grad()
        A.loss.mse(model(x), y):backward()
        opt:step()
      end
      for _ = 1, 500 do step() end
      local most = 0
      for _ = 1, 3000 do
        step()
        most = math.max(most, A.memory_in_use())
      end
      print(most)
    ]])
    f:close()
    local p = io.popen(("%q %q"):format(os.getenv("ACTLUA_BIN") or "build/actlua", script))
    local most = tonumber(p:read("a"))
    p:close()
    os.remove(script)
    assert.is_true(most and most < 256 * 1024, ("%s bytes in use at most"):format(most))
  end)

  it("frees what is no longer referenced", function()
    collectgarbage()
    local base = A.memory_in_use()
    do local _ = A.zeros{1000, 1000} end
    collectgarbage()
    assert.are.equal(base, A.memory_in_use())
  end)
end)
