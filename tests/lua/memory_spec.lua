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

  it("frees what is no longer referenced", function()
    collectgarbage()
    local base = A.memory_in_use()
    do local _ = A.zeros{1000, 1000} end
    collectgarbage()
    assert.are.equal(base, A.memory_in_use())
  end)
end)
