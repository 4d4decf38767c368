-- Activations from Lua: every registered activation against PyTorch's
-- float64 values and derivatives (tests/data/activations_reference_*.lua,
-- made by tests/ref/activations_reference.py) in float32 and float64, at
-- points from -1000 to 1000 and on the kinks; finiteness at the extremes;
-- parameters given positionally, by name, to methods and to A.act.apply;
-- rrelu's random slopes; the softmax family, glu and prelu with their
-- gradients; A.act.names/info; and the errors, by their words.
local A = require "actlua"
local S = require "support"

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
-- Element-wise cases (points, points32, elementwise), and the along-dim ones
-- and prelu (along_dim, prelu).
local ref = dofile(here .. "/../data/activations_reference_elementwise.lua")
local ref_dim = dofile(here .. "/../data/activations_reference_along_dim.lua")

local DTYPES = {"float64", "float32"}
-- float32 is computed in float: a few ulps, more where the function
-- cancels (x - tanh x) or a derivative comes from y (sigmoid'(20)).
local TOL = {float64 = {rtol = 1e-12, atol = 1e-14},
             float32 = {rtol = 1e-5, atol = 1e-6}}

-- Asserts got[i] ~ want[i] for each i, naming the point that differs.
local function check_values(what, xs, got, want, tol)
  assert.are.equal(#want, #got, what .. ": count")
  for i = 1, #want do
    if not S.close(got[i], want[i], tol.rtol, tol.atol) then
      error(("%s at x = %.17g: got %.17g, expected %.17g"):format(
        what, xs[i], got[i], want[i]), 2)
    end
  end
end

local function describe_params(params)
  local keys = {}
  for k, v in pairs(params) do keys[#keys + 1] = k .. "=" .. tostring(v) end
  table.sort(keys)
  return #keys > 0 and "{" .. table.concat(keys, ", ") .. "}" or "defaults"
end

-- The params of a case in PyTorch's order, as A.act.info lists them.
local function positional(name, params)
  local out, n = {}, 0
  for i, p in ipairs(A.act.info(name).params) do
    out[i] = params[p.name] == nil and p.default or params[p.name]
    if params[p.name] ~= nil then n = i end
  end
  return out, n
end

describe("element-wise activations against PyTorch", function()
  for _, case in ipairs(ref.elementwise) do
    for _, dtype in ipairs(DTYPES) do
      local label = ("%s %s in %s"):format(case.name,
                                          describe_params(case.params), dtype)
      it(label .. ": values and derivatives", function()
        local xs = dtype == "float32" and ref.points32 or ref.points
        local x = A.tensor(xs, {dtype = dtype, requires_grad = true})
        local y = A[case.name](x, case.params)
        assert.are.equal(dtype, y:dtype())
        local tol = TOL[dtype]
        check_values(label .. " value", xs, y:totable(),
                     dtype == "float32" and case.y32 or case.y, tol)
        y:backward(A.ones(#xs, {dtype = dtype}))
        check_values(label .. " derivative", xs, x.grad:totable(),
                     dtype == "float32" and case.dy32 or case.dy, tol)
      end)
    end
  end
end)

describe("element-wise activations at the extremes", function()
  local xs = {-1000, -500, -100, -88.7, -20, 20, 88.7, 100, 500, 1000}
  for _, name in ipairs(A.act.names()) do
    if A.act.info(name).form == "elementwise" then
      for _, dtype in ipairs(DTYPES) do
        it(name .. " stays finite in " .. dtype, function()
          local x = A.tensor(xs, {dtype = dtype, requires_grad = true})
          local y = A[name](x)
          y:backward(A.ones(#xs, {dtype = dtype}))
          local v, g = y:totable(), x.grad:totable()
          for i = 1, #xs do
            -- ncu and squ reach +-1e9 and 1e6 at 1000: finite in float32.
            assert(v[i] == v[i] and math.abs(v[i]) < math.huge,
                   ("%s(%g) = %g"):format(name, xs[i], v[i]))
            assert(g[i] == g[i] and math.abs(g[i]) < math.huge,
                   ("%s'(%g) = %g"):format(name, xs[i], g[i]))
          end
        end)
      end
    end
  end

  it("saturate exactly where PyTorch's do", function()
    local x = A.tensor({-1000, 1000}, {dtype = "float32"})
    assert.are.same({0, 1}, A.sigmoid(x):totable())
    assert.are.same({-1, 1}, A.tanh(x):totable())
    assert.are.same({0, 1000}, A.softplus(x):totable())
    assert.are.same({-1000, 0}, A.logsigmoid(x):totable())
    assert.are.same({0, 1000}, A.silu(x):totable())
    assert.are.same({0, 1000}, A.mish(x):totable())
    assert.are.same({0, 1000}, A.gelu(x):totable())
    assert.are.same({0, 1000}, A.gelu(x, "tanh"):totable())
    assert.are.same({-1, 1000}, A.elu(x):totable())
  end)
end)

describe("activation parameters", function()
  local x = A.tensor({-3, -1, -0.25, 0, 0.25, 1, 3, 30}, {dtype = "float64"})

  for _, case in ipairs(ref.elementwise) do
    if next(case.params) then
      it(case.name .. " takes " .. describe_params(case.params) ..
         " by name, by position, as a method and through A.act.apply",
         function()
        local want = A[case.name](x, case.params):totable()
        local pos, n = positional(case.name, case.params)
        assert.are.same(want, A[case.name](x, table.unpack(pos, 1, n)):totable())
        assert.are.same(want, x[case.name](x, case.params):totable())
        assert.are.same(want, A.act.apply(case.name, x, case.params):totable())
        assert.are.same(want, A.act.apply(case.name, x, table.unpack(pos, 1, n)):totable())
        assert.are_not.same(want, A[case.name](x):totable())
      end)
    end
  end

  it("reads PyTorch's positional forms", function()
    local function same(a, b) assert.are.same(a:totable(), b:totable()) end
    same(A.leaky_relu(x, 0.01), A.leaky_relu(x))
    same(A.softplus(x, 1, 20), A.softplus(x))
    same(A.gelu(x, "tanh"), A.gelu(x, {approximate = "tanh"}))
    same(A.gelu(x, "none"), A.gelu(x))
    same(A.threshold(x, 0.5, 0), A.threshold(x, {threshold = 0.5}))
    same(A.rrelu(x, 0.1, 0.3, false), A.leaky_relu(x, 0.2))
    same(A.elu(x, {alpha = 2}), A.elu(x, 2))
    same(A.hardtanh(x, nil, 2), A.hardtanh(x, {max_val = 2}))
    same(A.softplus(x, {2, 10}), A.softplus(x, 2, 10))
  end)

  it("gives swish as silu", function()
    assert.are.same(A.silu(x):totable(), A.swish(x):totable())
    assert.are.same(A.silu(x):totable(), x:swish():totable())
    assert.are.same(A.silu(x):totable(), A.act.apply("swish", x):totable())
  end)

  it("keeps A.sigmoid and A.tanh as they were", function()
    for _, dtype in ipairs(DTYPES) do
      local v = A.tensor({-1000, -100, -20, -1, 0, 0.5, 20, 100, 1000},
                         {dtype = dtype})
      -- The in-place forms are still the element-wise kernels of lops.
      assert.are.same(v:clone():sigmoid_():totable(), A.sigmoid(v):totable())
      assert.are.same(v:clone():tanh_():totable(), A.tanh(v):totable())
      assert.are.same(v:clone():tanh_():totable(), v:tanh():totable())
    end
  end)
end)

describe("rrelu", function()
  local xs = {}
  for i = 1, 200 do xs[i] = (i % 2 == 0) and -i / 10 or i / 10 end

  it("draws a slope per element in training and sends it back", function()
    local x = A.tensor(xs, {dtype = "float64", requires_grad = true})
    local y = A.rrelu(x, 0.1, 0.3, true)
    y:backward(A.ones(#xs, {dtype = "float64"}))
    local v, g, seen = y:totable(), x.grad:totable(), {}
    for i, xi in ipairs(xs) do
      if xi > 0 then
        assert.are.equal(xi, v[i])
        assert.are.equal(1, g[i])
      else
        local slope = v[i] / xi
        assert(slope >= 0.1 and slope <= 0.3, "slope " .. slope)
        assert(S.close(g[i], slope, 1e-12, 0), "gradient is the slope used")
        seen[#seen + 1] = slope
      end
    end
    table.sort(seen)
    assert(seen[1] < seen[#seen], "the slopes differ between elements")
  end)

  it("is reproducible from a seed or a generator", function()
    local x = A.tensor(xs)
    A.manual_seed(7)
    local a = A.rrelu(x, {training = true}):totable()
    A.manual_seed(7)
    assert.are.same(a, A.rrelu(x, {training = true}):totable())
    local g1, g2 = A.Generator(3), A.Generator(3)
    local b = A.rrelu(x, {training = true, generator = g1}):totable()
    assert.are.same(b, A.rrelu(x, {training = true, generator = g2}):totable())
    assert.are_not.same(a, b)
  end)

  it("uses the mean slope in evaluation", function()
    local x = A.tensor(xs, {dtype = "float64"})
    assert.are.same(A.leaky_relu(x, (1 / 8 + 1 / 3) / 2):totable(),
                    A.rrelu(x):totable())
  end)
end)

describe("the softmax family and glu against PyTorch", function()
  for _, case in ipairs(ref_dim.along_dim) do
    for _, dtype in ipairs(DTYPES) do
      it(("%s along dim %d in %s"):format(case.name, case.dim, dtype), function()
        local x = A.tensor(case.x, {dtype = dtype, requires_grad = true})
        local y = A[case.name](x, case.dim)
        -- The float32 outputs are rounded; the inputs are exact.
        local rtol = dtype == "float32" and 1e-6 or 1e-13
        S.assert_close(y, case.y, rtol, 1e-30)
        y:backward(A.tensor(case.w, {dtype = dtype}))
        S.assert_close(x.grad, case.gx, rtol * 10, rtol)
        assert.are.same(y:totable(), A[case.name](x, {dim = case.dim}):totable())
        assert.are.same(y:totable(), x[case.name](x, case.dim):totable())
      end)
    end
  end

  it("default to the last dim", function()
    local x = A.tensor{{1, 2}, {3, 5}}
    assert.are.same(A.softmax(x, 2):totable(), A.softmax(x):totable())
    assert.are.same(A.softmax(x, -1):totable(), A.softmax(x):totable())
    assert.are.same(A.log_softmax(x, 2):totable(), A.log_softmax(x):totable())
    assert.are.same(A.glu(x, 2):totable(), A.glu(x):totable())
    assert.are.same({2, 1}, A.glu(x):shape())
  end)

  it("stay finite and exact for large logits", function()
    local x = A.tensor({{1000, -1000, 0}, {1e30, 1e30, -1e30}}, {dtype = "float32"})
    assert.are.same({{1, 0, 0}, {0.5, 0.5, 0}}, A.softmax(x):totable())
    assert.are.same({{0, 1, 0}, {0, 0, 1}}, A.softmin(x):totable())
    local ls = A.log_softmax(x):totable()
    assert.are.same({0, -2000, -1000}, ls[1])
  end)

  it("take a 0-d tensor as one element", function()
    assert.are.equal(1, A.softmax(A.tensor(3.5), 1):item())
    assert.are.equal(0, A.log_softmax(A.tensor(3.5)):item())
  end)
end)

describe("prelu against PyTorch", function()
  for _, case in ipairs(ref_dim.prelu) do
    for _, dtype in ipairs(DTYPES) do
      it(("with %d weight(s) in %s"):format(#case.weight, dtype), function()
        local x = A.tensor(case.x, {dtype = dtype, requires_grad = true})
        local w = A.tensor(case.weight, {dtype = dtype, requires_grad = true})
        local y = A.prelu(x, w)
        local rtol = dtype == "float32" and 1e-6 or 1e-14
        S.assert_close(y, case.y, rtol, 0)
        y:backward(A.tensor(case.w, {dtype = dtype}))
        S.assert_close(x.grad, case.gx, rtol, 0)
        S.assert_close(w.grad, case.gweight, rtol, 1e-14)
        assert.are.same(y:totable(), x:prelu(w):totable())
        assert.are.same(y:totable(), A.act.apply("prelu", x, w):totable())
      end)
    end
  end

  it("takes a number as one weight", function()
    local x = A.tensor{-2, 1}
    assert.are.same({-0.5, 1}, A.prelu(x, 0.25):totable())
  end)
end)

describe("A.act", function()
  it("lists every activation once, sorted, aliases left out", function()
    local names = A.act.names()
    local sorted = {table.unpack(names)}
    table.sort(sorted)
    assert.are.same(sorted, names)
    local set = {}
    for _, n in ipairs(names) do set[n] = true end
    for _, n in ipairs{"relu", "gelu", "ssu", "softmax", "log_softmax",
                       "softmin", "glu", "prelu", "step", "threshold"} do
      assert.is_true(set[n], n)
    end
    assert.is_nil(set.swish)
    assert.are.equal(34, #names)
  end)

  it("describes an activation", function()
    local relu = A.act.info("relu")
    assert.are.equal("relu", relu.name)
    assert.are.same({0}, relu.kinks)
    assert.are.same({0, math.huge}, relu.range)
    assert.are.equal("x", relu.derivative_from)
    assert.are.same({}, relu.params)
    assert.are.equal("y", A.act.info("sigmoid").derivative_from)
    assert.is_true(A.act.info("tanh").smooth)
    local gelu = A.act.info("gelu")
    assert.are.same({{name = "approximate", default = "none",
                      choices = {"none", "tanh"}}}, gelu.params)
    assert.are.same({"swish"}, A.act.info("silu").aliases)
    assert.are.equal("silu", A.act.info("swish").name)
    local ht = A.act.info("hardtanh", {min_val = -2, max_val = 3})
    assert.are.same({-2, 3}, ht.kinks)
    assert.are.same({-2, 3}, ht.range)
    assert.are.same({-1, 1}, A.act.info("hardtanh").kinks)
    assert.are.same({20}, A.act.info("softplus").kinks)
    assert.are.same({5}, A.act.info("softplus", 2, 10).kinks)
    assert.are.same({{name = "training", default = false}},
                    {A.act.info("rrelu").params[3]})
    assert.are.same({{name = "dim", default = -1}}, A.act.info("softmax").params)
    assert.are.equal("along_dim", A.act.info("glu").form)
  end)
end)

describe("activation errors", function()
  local x = A.tensor{-1, 0, 1}

  it("name unknown activations and suggest close ones", function()
    local err = S.error_of(A.act.info, "rleu")
    assert.matches("unknown activation 'rleu' (did you mean relu, ", err, 1, true)
    assert.matches("elu", err, 1, true)
    assert.matches("unknown activation 'zzzzzzzz' (A.act.names() lists them)",
                   S.error_of(A.act.apply, "zzzzzzzz", x), 1, true)
  end)

  it("name unknown parameters and list the valid ones", function()
    assert.matches("unknown parameter 'alhpa'; elu takes alpha",
                   S.error_of(A.elu, x, {alhpa = 2}), 1, true)
    assert.matches("unknown parameter 'beta_'; softplus takes beta, threshold",
                   S.error_of(A.softplus, x, {beta = 1, beta_ = 2}), 1, true)
    assert.matches("relu takes no parameters", S.error_of(A.relu, x, {a = 1}),
                   1, true)
    assert.matches("too many parameters: leaky_relu takes negative_slope",
                   S.error_of(A.leaky_relu, x, 0.1, 0.2), 1, true)
    assert.matches("rrelu takes lower, upper, training, generator",
                   S.error_of(A.rrelu, x, {generater = 1}), 1, true)
  end)

  it("check parameter types and values", function()
    assert.matches("approximate must be 'none' or 'tanh', got 'exact'",
                   S.error_of(A.gelu, x, "exact"), 1, true)
    assert.matches("alpha must be a number, got string",
                   S.error_of(A.elu, x, "2"), 1, true)
    assert.matches("approximate must be 'none' or 'tanh', got number",
                   S.error_of(A.gelu, x, {approximate = 1}), 1, true)
    assert.matches("no parameter at position 2; elu takes alpha",
                   S.error_of(A.elu, x, {1, 2}), 1, true)
    assert.matches("nothing may follow the table of named parameters",
                   S.error_of(A.elu, x, {alpha = 1}, 3), 1, true)
    assert.matches("tensor or number expected, got no value",
                   S.error_of(A.prelu, x), 1, true)
    assert.matches("training must be a boolean, got number",
                   S.error_of(A.rrelu, x, 0.1, 0.3, 1), 1, true)
    assert.matches("(alpha must not be 0)",
                   S.error_of(A.celu, x, 0), 1, true)
    assert.matches("bad argument #2 to", S.error_of(A.celu, x, 0), 1, true)
    assert.matches("min_val (2) is above max_val (1)",
                   S.error_of(A.hardtanh, x, 2, 1), 1, true)
    assert.matches("lower (0.5) is above upper (0.25)",
                   S.error_of(A.rrelu, x, 0.5, 0.25), 1, true)
    assert.matches("lambd must be >= 0, got -1",
                   S.error_of(A.softshrink, x, -1), 1, true)
    assert.matches("negative_slope is NaN",
                   S.error_of(A.leaky_relu, x, 0 / 0), 1, true)
  end)

  it("check tensors, dims and shapes", function()
    local err = S.error_of(A.relu, A.tensor({1, 2}, {dtype = "int64"}))
    assert.matches("bad argument #1 to", err, 1, true)
    assert.matches("expected a float32 or float64 tensor, got int64", err, 1, true)
    assert.matches("dim 3 is out of range for a 2-d tensor",
                   S.error_of(A.softmax, A.ones(2, 2), 3), 1, true)
    assert.matches("dim 3 is out of range for a 2-d tensor",
                   S.error_of(A.softmax, A.ones(2, 2), {dim = 3}), 1, true)
    assert.matches("the dim to split has an odd extent (3)",
                   S.error_of(A.glu, A.ones(2, 3)), 1, true)
    assert.matches("3 weights for 2 channels",
                   S.error_of(A.prelu, A.ones(4, 2), A.ones(3)), 1, true)
    assert.matches("bad argument #1 to",
                   S.error_of(A.relu, 3), 1, true)
  end)
end)
