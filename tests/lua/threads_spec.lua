-- A.set_num_threads / A.get_num_threads (OpenBLAS's pool, process-wide)
-- and ACTLUA_NUM_THREADS read when the module opens, in a child
-- interpreter; errors by their words.
local A = require "actlua"
local bin = os.getenv("ACTLUA_BIN") or "build/actlua"

-- Runs `actlua -e code` with ACTLUA_NUM_THREADS=value; its output and
-- whether it succeeded.
local function with_env(value, code)
  local out = os.tmpname()
  local ok = os.execute(("ACTLUA_NUM_THREADS=%q %q -e %q >%q 2>&1"):format(
    value, bin, code, out))
  local f = assert(io.open(out))
  local text = f:read("a")
  f:close()
  os.remove(out)
  return ok == true, text
end

describe("threads", function()
  local before
  setup(function() before = A.get_num_threads() end)
  teardown(function() A.set_num_threads(before) end)

  it("gets what was set", function()
    for _, n in ipairs{1, 2, 3, 1} do
      A.set_num_threads(n)
      assert.are.equal(n, A.get_num_threads())
      assert.are.equal("integer", math.type(A.get_num_threads()))
    end
    A.set_num_threads(2.0) -- a float with an integer value is an integer
    assert.are.equal(2, A.get_num_threads())
  end)

  it("keeps products right on more threads", function()
    A.manual_seed(3)
    local a, b = A.randn{200, 300}, A.randn{300, 150}
    A.set_num_threads(1)
    local one = a:matmul(b)
    A.set_num_threads(2)
    local two = a:matmul(b)
    assert.is_true((one - two):abs():max():item() < 1e-3)
  end)

  it("refuses n < 1 and non-integers, naming the function", function()
    A.set_num_threads(2)
    for _, case in ipairs{
      {0, "bad argument #1 to 'actlua.set_num_threads' (the thread count must be >= 1, got 0)"},
      {-3, "got -3"},
      {1.5, "1.5 is not an integer"},
      {"two", "integer expected, got string"},
      {nil, "integer expected, got nil"},
    } do
      local ok, err = pcall(A.set_num_threads, case[1])
      assert.is_false(ok)
      assert.truthy(err:find(case[2], 1, true), err)
    end
    assert.are.equal(2, A.get_num_threads()) -- unchanged by the failures
  end)

  it("reads ACTLUA_NUM_THREADS when the module opens", function()
    local code = 'print(require("actlua").get_num_threads())'
    for _, n in ipairs{"1", "3"} do
      local ok, out = with_env(n, code)
      assert.is_true(ok, out)
      assert.are.equal(n .. "\n", out)
    end
    for _, bad in ipairs{"0", "-2", "two", "2x", "1.5", "99999999999"} do
      local ok, out = with_env(bad, code)
      assert.is_false(ok, out)
      assert.truthy(out:find("ACTLUA_NUM_THREADS must be a positive integer, got '"
                             .. bad .. "'", 1, true), out)
    end
  end)
end)
