-- A.act.define and A.fn: traced activations against the built-ins they
-- equal, against float64 central differences where none matches, A.fn on
-- numbers against Lua's math, learnable parameters, callbacks, A.act.info,
-- the experiment scripts with a definition loaded by -l, and every error
-- message the tracer gives.
local A = require "actlua"
local S = require "support"
local F = A.fn
local nn = A.nn

-- Definitions live in the module table; each test defines what it uses
-- and removes it.
local function define(name, ...)
  if A.act.is_defined(name) then A.act.undefine(name) end
  return A.act.define(name, ...)
end

local function grid(dtype)
  return A.tensor({-1000, -30, -5, -1.5, -0.5, -1e-8, 0, 1e-8, 0.5, 1.5, 5, 30, 1000},
                  {dtype = dtype})
end

-- f and f' (from backward) of fn on the grid.
local function value_and_grad(fn, dtype)
  local x = grid(dtype):requires_grad(true)
  local y = fn(x)
  y:sum():backward()
  return y:detach():totable(), x.grad:totable()
end

local function expect_error(pattern, fn, ...)
  local ok, err = pcall(fn, ...)
  assert.is_false(ok)
  assert.is_truthy(tostring(err):find(pattern, 1, true), "message: " .. tostring(err))
end

describe("a traced activation", function()
  local warnings
  before_each(function()
    warnings = {}
    A.act.warn = function(m) warnings[#warnings + 1] = m end
  end)

  it("matches the built-in it equals, values and gradients, float32 and float64", function()
    define("ncu2", function(x) return x - x^3 end)
    define("swish_b", function(x, p) return x * F.sigmoid(p.beta * x) end, {params = {beta = 1.0}})
    define("gcu2", function(x) return x * F.cos(x) end)
    for _, case in ipairs{{"ncu2", "ncu"}, {"swish_b", "silu"}, {"gcu2", "gcu"}} do
      for _, dtype in ipairs{"float32", "float64"} do
        local tol = dtype == "float32" and 1e-6 or 1e-13
        local v1, g1 = value_and_grad(A[case[1]], dtype)
        local v2, g2 = value_and_grad(A[case[2]], dtype)
        for i = 1, #v2 do
          if v2[i] == v2[i] and math.abs(v2[i]) < math.huge then
            assert.is_true(S.close(v1[i], v2[i], tol, tol), case[1] .. " value " .. i)
            assert.is_true(S.close(g1[i], g2[i], tol, tol), case[1] .. " gradient " .. i)
          end
        end
      end
    end
    -- the method form and a parameter by name and by position
    local t = A.tensor{-1, 0.5, 2}
    S.assert_close(t:ncu2(), A.ncu(t))
    local two = A.swish_b(t, {beta = 2})
    S.assert_close(two, t * A.sigmoid(t * 2), 1e-6, 1e-7)
    S.assert_close(A.swish_b(t, 2), two)
    S.assert_close(A.act.apply("swish_b", t, {beta = 2}), two)
  end)

  it("has gradients that pass a float64 gradcheck where no built-in matches", function()
    define("odd", function(x, p)
      return F.log1p(F.abs(x)) * F.tanh(x) + F.sinc(x) * F.erf(x / p.s) + x^p.k
    end, {params = {k = 2, s = 1.5}})
    define("kinked", function(x) return F.where(F.gt(x, 1), x * x, F.clamp(x, -0.5, 2) - F.max(x, 0.2)) end)
    local x = A.tensor({{-2.1, -0.73, 0.37, 1.3}, {2.6, -1.9, 0.81, -0.11}},
                       {dtype = "float64"}):requires_grad(true)
    for _, name in ipairs{"odd", "kinked"} do
      local ok, report = A.gradcheck(function(t) return A[name](t) end, x)
      assert.is_true(ok, report)
    end
    -- with the parameters as tensors that require grad: their gradients too
    local k = A.tensor({3}, {dtype = "float64"}):requires_grad(true)
    local s = A.tensor({1.2, 0.7, 2.0, 1.1}, {dtype = "float64"}):requires_grad(true)
    local ok, report = A.gradcheck(function(t, kk, ss) return A.odd(t, {k = kk, s = ss}) end,
                                   {(x:detach():abs() + 0.1):requires_grad(true), k, s})
    assert.is_true(ok, report)
  end)

  it("learns its parameters in nn.Activation, one or one per channel", function()
    define("swish_b", function(x, p) return x * F.sigmoid(p.beta * x) end, {params = {beta = 1.0}})
    A.manual_seed(3)
    local act = nn.Activation("swish_b", {learnable = true, num_parameters = 8, beta = 1.5})
    local m = nn.Sequential{nn.Linear(2, 8), act, nn.Linear(8, 1)}
    assert.equals(3, #m:parameters() - 2)
    S.assert_close(act.beta, A.full({8}, 1.5))
    local X, Y = A.tensor{{0, 0}, {0, 1}, {1, 0}, {1, 1}}, A.tensor{{0}, {1}, {1}, {0}}
    local opt, crit = A.optim.Adam(m:parameters(), {lr = 0.05}), nn.MSELoss()
    local first, last
    for i = 1, 200 do
      opt:zero_grad()
      local loss = crit(m(X), Y)
      loss:backward()
      opt:step()
      first, last = first or loss:item(), loss:item()
    end
    assert.is_true(last < first / 10)
    local moved = 0
    for _, b in ipairs(act.beta:totable()) do
      if math.abs(b - 1.5) > 1e-3 then moved = moved + 1 end
    end
    assert.is_true(moved > 0)
    local one = nn.Activation("swish_b", {learnable = true})
    assert.same({1}, one.beta:shape())
    expect_error("only activations defined with A.act.define can learn",
                 nn.Activation, "elu", {learnable = true})
  end)

  it("warns about non-finite values on its probe grid", function()
    define("expo", function(x) return F.exp(x) end)
    assert.equals(1, #warnings)
    assert.is_truthy(warnings[1]:find("expo is not finite at x = 1000", 1, true))
    assert.same({"1000"}, A.act.info("expo").nonfinite)
  end)

  it("is described by A.act.info like a built-in", function()
    define("ncu2", function(x) return x - x^3 end)
    local info = A.act.info("ncu2")
    assert.equals("x - x^3", info.formula)
    assert.equals("1 - 3 * x^2", info.derivative)
    assert.equals("traced", info.defined)
    assert.is_true(info.smooth)
    assert.is_false(info.monotonic)
    local m = info.measured
    assert.equals("no", m.monotonic)
    assert.is_true(m.zero_centred)
    assert.is_true(S.close(m.range[1], -990, 1e-12) and S.close(m.range[2], 990, 1e-12))
    -- built-ins are measured the same way
    local sig = A.act.info("sigmoid").measured
    assert.equals(0.25, sig.max_slope)
    assert.same({0, 0}, sig.max_slope_at)
    assert.equals("up", sig.monotonic)
    assert.is_false(sig.zero_centred)
    local relu = A.act.info("relu").measured
    assert.is_true(relu.zero_grad > 0.49 and relu.zero_grad < 0.51)
    assert.is_truthy(A.act.is_defined("ncu2"))
    local names = table.concat(A.act.names(), " ")
    assert.is_truthy((" " .. names .. " "):find(" ncu2 ", 1, true))
  end)
end)

describe("A.fn", function()
  it("computes on numbers as Lua's math and the textbook formulas do", function()
    for _, x in ipairs{-3.7, -0.2, 0.6, 2.9} do
      assert.equals(math.exp(x), F.exp(x))
      assert.equals(math.sin(x), F.sin(x))
      assert.equals(math.abs(x), F.abs(x))
      assert.is_true(S.close(F.sigmoid(x), 1 / (1 + math.exp(-x)), 1e-15, 0))
      assert.is_true(S.close(F.softplus(x), math.log(1 + math.exp(x)), 1e-14, 0))
      assert.is_true(S.close(F.sinc(x), math.sin(x) / x, 1e-15, 0))
      assert.is_true(S.close(F.tanh(x), (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1), 1e-14, 1e-15))
      assert.equals(x > 0 and 1 or 0, F.gt(x, 0))
      assert.equals(math.max(x, 0.5), F.max(x, 0.5))
    end
    assert.equals(1, F.sinc(0))
    assert.is_true(S.close(F.erf(1), 0.8427007929497149, 1e-15, 0)) -- A&S table value
    assert.equals(2, F.clamp(5, -1, 2))
    assert.equals(3, F.where(1, 3, 4))
  end)

  it("works on tensors, with autograd", function()
    local x = A.tensor({-1.7, -0.3, 0.4, 2.2}, {dtype = "float64"}):requires_grad(true)
    for _, f in ipairs{F.sinc, F.erf, F.tan, F.softplus, F.exp, F.sigmoid} do
      local ok, report = A.gradcheck(f, x)
      assert.is_true(ok, report)
    end
    S.assert_close(F.sinc(A.tensor{0, math.pi}), {1, 0}, 1e-6, 1e-7)
    S.assert_close(F.max(A.tensor{-1, 2}, 0), {0, 2})
  end)
end)

describe("a definition with callbacks", function()
  local warnings
  before_each(function()
    warnings = {}
    A.act.warn = function(m) warnings[#warnings + 1] = m end
  end)

  it("computes f and gets the gradient from df", function()
    define("hinge", {f = function(x) return x > 1 and x - 1 or 0 end,
                     df = function(x) return x > 1 and 1 or 0 end})
    assert.equals(0, #warnings)
    local x = A.tensor({0.5, 2, 3.5}, {dtype = "float64"}):requires_grad(true)
    local y = A.hinge(x)
    assert.equals("hinge", y:grad_fn())
    S.assert_close(y, {0, 1, 2.5})
    y:sum():backward()
    S.assert_close(x.grad, {0, 1, 1})
    assert.equals("callback", A.act.info("hinge").defined)
  end)

  it("differentiates f numerically without df, after a warning", function()
    define("cube", {f = function(x) return x * x * x end})
    assert.equals(1, #warnings)
    assert.is_truthy(warnings[1]:find("central difference", 1, true))
    local x = A.tensor({-1, 0.5, 2}, {dtype = "float64"}):requires_grad(true)
    A.cube(x):sum():backward()
    S.assert_close(x.grad, {3, 0.75, 12}, 1e-7, 1e-8)
  end)

  it("is refused when df disagrees with f", function()
    expect_error("the derivative in x fails the gradient check", A.act.define, "wrong",
                 {f = function(x) return x * x end, df = function(x) return x end})
    assert.is_falsy(A.act.is_defined("wrong"))
  end)
end)

describe("A.act.define's errors", function()
  before_each(function() A.act.warn = function() end end)

  it("say what happened and what to use instead", function()
    expect_error("use F.where(F.gt(x, 0), a, b)", A.act.define, "b1",
                 function(x) if x > 0 then return x end return 0 end)
    expect_error("or define the activation with callbacks", A.act.define, "b1",
                 function(x) if x > 0 then return x end return 0 end)
    expect_error("exp cannot take a traced value, use F.exp", A.act.define, "b2",
                 function(x) return math.exp(x) end)
    expect_error("the function returned a string", A.act.define, "b3", function() return "s" end)
    expect_error("A.fn has no 'softsign'", A.act.define, "b4", function(x) return F.softsign(x) end)
    expect_error("parameter 'gamma' is not declared (declared: beta)", A.act.define, "b5",
                 function(x, p) return x * p.gamma end, {params = {beta = 1}})
    expect_error("'relu' is a built-in activation: pass {override = true}", A.act.define, "relu",
                 function(x) return x end)
    expect_error("A.sum already exists", A.act.define, "sum", function(x) return x end)
    expect_error("a name like ncu2 expected", A.act.define, "2x", function(x) return x end)
    expect_error("a function of x, or {f = function, df = function}", A.act.define, "b6", 42)
    for _, name in ipairs{"b1", "b2", "b3", "b4", "b5", "b6"} do
      assert.is_falsy(A.act.is_defined(name))
    end
  end)

  it("reject bad calls of a defined activation", function()
    define("swish_b", function(x, p) return x * F.sigmoid(p.beta * x) end, {params = {beta = 1.0}})
    local t = A.tensor{1, 2}
    expect_error("swish_b takes beta, got 'gamma'", A.swish_b, t, {gamma = 2})
    expect_error("beta must be a number or a tensor, got string", A.swish_b, t, {beta = "x"})
    expect_error("parameter beta is NaN", A.swish_b, t, {beta = 0 / 0})
    expect_error("tensor expected, got number", A.swish_b, 3)
    expect_error("expected one value, or one per channel", A.swish_b, t,
                 {beta = A.tensor{1, 2, 3}})
  end)

  it("allow replacing a built-in with override = true, and undefine restores it", function()
    local t = A.tensor{-1, 2}
    define("relu", function(x) return F.max(x, 0) * 2 end, {override = true})
    S.assert_close(A.relu(t), {0, 4})
    A.act.undefine("relu")
    S.assert_close(A.relu(t), {0, 2})
    S.assert_close(t:relu(), {0, 2})
  end)
end)

describe("the experiment scripts", function()
  local bin = os.getenv("ACTLUA_BIN") or "build/actlua"
  it("accept a definition loaded with -l as --act", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. dir))
    local f = assert(io.open(dir .. "/myacts.lua", "w"))
    f:write('local A = require "actlua"\nA.act.define("ncu3", function(x) return x - x^3 / 3 end)\n')
    f:close()
    local cmd = ("LUA_PATH='%s/?.lua;;' %s -l myacts scripts/e8_deep_xor.lua --act ncu3 "
                 .. "--steps 200 --seeds 1 --quiet 2>&1"):format(dir, bin)
    local p = io.popen(cmd)
    local out = p:read("a")
    local ok = p:close()
    os.execute("rm -rf " .. dir)
    assert.is_true(ok, out)
    assert.is_truthy(out:find("\nncu3 ", 1, true), out)
  end)

  it("include custom_activation.lua, which runs end to end", function()
    local p = io.popen(bin .. " scripts/custom_activation.lua --steps 30 --seeds 1 2>&1")
    local out = p:read("a")
    local ok = p:close()
    assert.is_true(ok, out)
    assert.is_truthy(out:find("gradcheck (float64", 1, true), out)
    for _, name in ipairs{"ncu2", "swish_b", "gcu2", "bent"} do
      local _, count = out:gsub("\n" .. name .. " ", "")
      assert.equals(2, count, name .. " in both tables:\n" .. out)
    end
  end)
end)
