-- A.gradcheck (actlua.gradcheck): passes on correct gradients, fails on a
-- deliberately wrong one and names the input and element, leaves the
-- inputs' values and .grad as they were, prints nothing, and refuses
-- what it cannot check.
local A = require "actlua"
local S = require "support"

local gradcheck = require "actlua.gradcheck"

local function f64(shape, scale)
  return (A.randn(shape, {dtype = "float64"}) * (scale or 1)):requires_grad(true)
end

-- x*x with one factor detached: autograd sees half the true gradient.
local function half_square(x) return x * x:detach() end

describe("A.gradcheck", function()
  before_each(function() A.manual_seed(17) end)

  it("is A.gradcheck", function()
    assert.are.equal(gradcheck, A.gradcheck)
  end)

  it("passes correct gradients", function()
    local x = f64{3, 4}
    assert.is_true(gradcheck(function(t) return A.tanh(t) * t end, x))
    local b = (A.rand({4}, {dtype = "float64"}) + 0.5):requires_grad(true)
    assert.is_true(gradcheck(function(t, c) return A.sigmoid(t) * c + c * c end, {x, b}))
    assert.is_true(gradcheck(function(t) return (t * t):sum() end, x))
    assert.is_true(gradcheck(function(t) return A.softmax(t, 2) end, x))
    local w = f64{5, 4}
    assert.is_true(gradcheck(function(t, m) return t:matmul(m:t()) end, {x, w}))
  end)

  it("returns a single true on success", function()
    local n = select("#", gradcheck(A.exp, f64{2}))
    assert.are.equal(1, n)
  end)

  it("holds constant what does not require grad", function()
    local x = f64{2, 3}
    local c = A.randn({2, 3}, {dtype = "float64"})
    assert.is_true(gradcheck(function(t, k, s) return t * k * s end, {x, c, 3}))
  end)

  it("fails a wrong gradient and names input and element", function()
    local x = (A.rand({2, 3}, {dtype = "float64"}) + 1):requires_grad(true)
    local ok, report = gradcheck(half_square, x)
    assert.is_false(ok)
    assert.matches("^gradcheck: input 1, element 1 %(index %[1,1%]%): analytic gradient " ..
                   "[%d.]+, numeric [%d.]+ %(difference [%d.e-]+%)$", report)
    local analytic, numeric = report:match("analytic gradient ([%d.]+), numeric ([%d.]+)")
    S.assert_close(tonumber(analytic) * 2, tonumber(numeric), 1e-6)
  end)

  it("finds the one wrong element of the second input", function()
    local x = f64{2, 2}
    local y = (A.rand({2, 3}, {dtype = "float64"}) + 1):requires_grad(true)
    -- right everywhere but element 5 ([2,2]) of y
    local mask = A.tensor({{0, 0, 0}, {0, 1, 0}}, {dtype = "float64"})
    local function fn(a, b)
      return A.tanh(a):sum() + b * b * (1 - mask) + half_square(b) * mask
    end
    local ok, report = gradcheck(fn, {x, y})
    assert.is_false(ok)
    assert.matches("^gradcheck: input 2, element 5 %(index %[2,2%]%)", report)
  end)

  it("checks non-contiguous inputs", function()
    local x = A.randn({4, 3}, {dtype = "float64"}):t():requires_grad(true)
    assert.is_false(x:is_contiguous())
    assert.is_true(gradcheck(function(t) return A.sin(t) * 2 end, x))
    local ok, report = gradcheck(half_square, x)
    assert.is_false(ok)
    assert.matches("input 1, element %d+ %(index %[%d,%d%]%)", report)
  end)

  it("leaves values and .grad as they were, and prints nothing", function()
    local x = f64{3}
    local before = x:totable()
    local g = A.tensor({1, 2, 3}, {dtype = "float64"})
    x.grad = g
    local y = f64{3}
    local written = {}
    local real_print, real_write = print, io.write
    print = function(...) written[#written + 1] = {...} end -- luacheck: ignore
    io.write = function(...) written[#written + 1] = {...} end
    local ok, passed = pcall(gradcheck, function(a, b) return half_square(a) + b end, {x, y})
    print, io.write = real_print, real_write -- luacheck: ignore
    assert(ok, passed)
    assert.is_false(passed)
    assert.are.equal(0, #written)
    assert.are.same(before, x:totable())
    S.assert_close(x.grad, {1, 2, 3})
    assert.is_nil(y.grad)
  end)

  it("restores .grad when fn fails", function()
    local x = f64{3}
    x.grad = A.ones({3}, {dtype = "float64"})
    local calls = 0
    local err = S.error_of(gradcheck, function(t)
      calls = calls + 1
      if calls > 1 then error("boom", 0) end
      return t * 2
    end, x)
    assert.matches("boom", err)
    S.assert_close(x.grad, {1, 1, 1})
  end)

  it("takes tolerances", function()
    local x = (A.rand({3}, {dtype = "float64"}) + 1):requires_grad(true)
    -- a gradient off by 1e-4 relative passes rtol 1e-3 and fails rtol 1e-6
    local function fn(t) return t * t * (1 + 1e-4) - t:detach() * t:detach() * 1e-4 end
    assert.is_true(gradcheck(fn, x))
    assert.is_false(gradcheck(fn, x, {rtol = 1e-6, atol = 1e-9}))
    assert.is_true(gradcheck(A.exp, x, {eps = 1e-4}))
  end)

  it("refuses what it cannot check", function()
    assert.matches("input 1 is float32: gradients are checked in float64",
                   S.error_of(gradcheck, A.exp, A.randn{2}:requires_grad(true)))
    assert.matches("no input is a float64 tensor that requires grad",
                   S.error_of(gradcheck, A.exp, A.randn({2}, {dtype = "float64"})))
    assert.matches("fn returned a number, not a tensor",
                   S.error_of(gradcheck, function() return 1 end, f64{2}))
    assert.matches("bad argument #1 to 'gradcheck' %(function expected",
                   S.error_of(gradcheck, 3, f64{2}))
    assert.matches("bad argument #2 to 'gradcheck' %(tensor or array expected",
                   S.error_of(gradcheck, A.exp, 3))
    assert.matches("input 1 is not a leaf", S.error_of(gradcheck, A.exp, f64{2} * 2))
  end)
end)
