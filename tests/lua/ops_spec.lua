-- Numerical operations from Lua: element-wise functions against Lua's math
-- library, broadcasting, metamethods with numbers on either side,
-- reductions and their 1-based indices, matmul against a plain Lua loop,
-- gather / index_select / cat / stack.
local A = require "actlua"
local S = require "support"

local function sigmoid(x) return 1 / (1 + math.exp(-x)) end
local function tanh(x)
  if x > 20 then return 1 elseif x < -20 then return -1 end
  local e = math.exp(2 * x); return (e - 1) / (e + 1)
end

local reference = {
  exp = math.exp, log = math.log, sqrt = math.sqrt, sin = math.sin,
  cos = math.cos, abs = math.abs, neg = function(x) return -x end,
  log1p = function(x) return math.log(1 + x) end,
  expm1 = function(x) return math.exp(x) - 1 end,
  tanh = tanh, sigmoid = sigmoid,
  sign = function(x) return x > 0 and 1 or x < 0 and -1 or 0 end,
}

describe("element-wise functions", function()
  local xs = {0.1, 0.5, 1, 2, 3.5, 7}
  for name, f in pairs(reference) do
    for _, dtype in ipairs{"float32", "float64"} do
      it(name .. " in " .. dtype .. " matches Lua's math", function()
        local x = A.tensor(xs, {dtype = dtype})
        local want = {}
        for i, v in ipairs(xs) do want[i] = f(v) end
        local tol = dtype == "float32" and 2e-6 or 1e-12
        S.assert_close(A[name](x), want, tol, tol)
        S.assert_close(x[name](x), want, tol, tol)
        local y = x:clone()
        y[name .. "_"](y)
        S.assert_close(y, want, tol, tol)
      end)
    end
  end

  it("sigmoid is finite and exact at the extremes", function()
    local y = A.sigmoid(A.tensor{-1000, -100, 0, 100, 1000})
    -- sigmoid(-100) is a float32 subnormal: close in absolute terms only.
    S.assert_close(y, {0, sigmoid(-100), 0.5, 1, 1}, 0, 1e-44)
    assert.are.equal(0, y[1])
    assert.are.equal(1, y[5])
    local y64 = A.sigmoid(A.tensor({-1000, 1000}, {dtype = "float64"}))
    assert.are.same({0, 1}, y64:totable())
  end)

  it("clamps, with either bound optional", function()
    local x = A.tensor{-2, 0, 2}
    assert.are.same({-1, 0, 1}, x:clamp(-1, 1):totable())
    assert.are.same({0, 0, 2}, x:clamp(0):totable())
    assert.are.same({-2, 0, 1}, x:clamp(nil, 1):totable())
  end)
end)

describe("binary operations", function()
  it("broadcast like NumPy", function()
    local a = A.tensor{{1}, {2}}
    local b = A.tensor{10, 20, 30}
    assert.are.same({{11, 21, 31}, {12, 22, 32}}, (a + b):totable())
    assert.are.same({2, 3}, A.mul(a, b):shape())
  end)

  it("take numbers on either side of every metamethod", function()
    local t = A.tensor{1, 2, 4}
    assert.are.same({2, 3, 5}, (t + 1):totable())
    assert.are.same({0, -1, -3}, (1 - t):totable())
    assert.are.same({2, 4, 8}, (2 * t):totable())
    assert.are.same({4, 2, 1}, (4 / t):totable())
    assert.are.same({1, 4, 16}, (t ^ 2):totable())
    assert.are.same({2, 4, 16}, (2 ^ t):totable())
    assert.are.same({-1, -2, -4}, (-t):totable())
    assert.are.equal("float32", (t * 2):dtype())
  end)

  it("promote float32 with float64 to float64", function()
    local a = A.tensor{1}
    local b = A.tensor({2}, {dtype = "float64"})
    assert.are.equal("float64", (a + b):dtype())
  end)

  it("compare into 0/1 and select with where", function()
    local a = A.tensor{1, 2, 3}
    assert.are.same({0, 1, 1}, a:gt(1):totable())
    assert.are.same({1, 0, 0}, a:eq(1):totable())
    assert.are.same({1, 1, 0}, A.le(a, 2):totable())
    assert.are.same({-1, 2, 3}, A.where(a:gt(1), a, -1):totable())
    assert.are.same({1, 2, 2}, A.minimum(a, A.tensor{2}):totable())
    assert.are.same({2, 2, 3}, A.maximum(a, 2):totable())
  end)

  it("update in place", function()
    local a = A.tensor{1, 2, 3}
    a:add_(1):mul_(A.tensor{1, 10, 100})
    assert.are.same({2, 30, 400}, a:totable())
    a:sub_(a)
    assert.are.same({0, 0, 0}, a:totable())
  end)
end)

describe("reductions", function()
  local x = A.tensor{{1, 5, 3}, {4, 2, 6}}

  it("reduce everything into a 0-d tensor", function()
    assert.are.equal(21, x:sum():item())
    assert.are.equal(3.5, x:mean():item())
    assert.are.equal(6, x:max():item())
    assert.are.equal(1, A.min(x):item())
    assert.is_true(S.close(x:var():item(), 3.5, 1e-6))
    assert.is_true(S.close(x:var({correction = 0}):item(), 35 / 12, 1e-6))
    assert.is_true(S.close(x:std():item(), math.sqrt(3.5), 1e-6))
  end)

  it("reduce along a 1-based dim, with keepdim", function()
    assert.are.same({5, 7, 9}, x:sum(1):totable())
    assert.are.same({9, 12}, x:sum(2):totable())
    assert.are.same({9, 12}, x:sum(-1):totable())
    assert.are.same({{9}, {12}}, x:sum(2, true):totable())
    assert.are.same({{9}, {12}}, x:sum(2, {keepdim = true}):totable())
  end)

  it("return 1-based indices from max, min, argmax, argmin", function()
    local v, i = x:max(2)
    assert.are.same({5, 6}, v:totable())
    assert.are.same({2, 3}, i:totable())
    assert.are.equal("int64", i:dtype())
    local _, j = x:min(1)
    assert.are.same({1, 2, 1}, j:totable())
    assert.are.same({2, 3}, x:argmax(2):totable())
    assert.are.equal(6, x:argmax():item()) -- into the flattened tensor
    assert.are.same({1, 2}, x:argmin(2):totable())
  end)

  it("logsumexp is stable for large inputs", function()
    local y = A.tensor({1000, 1000}, {dtype = "float64"}):logsumexp()
    assert.is_true(S.close(y:item(), 1000 + math.log(2), 1e-12))
  end)
end)

describe("matmul", function()
  local function naive(a, b)
    local out = {}
    for i = 1, #a do
      out[i] = {}
      for j = 1, #b[1] do
        local s = 0
        for k = 1, #b do s = s + a[i][k] * b[k][j] end
        out[i][j] = s
      end
    end
    return out
  end

  it("multiplies matrices of many sizes like a plain loop", function()
    A.manual_seed(3)
    for _, dims in ipairs{{1, 1, 1}, {4, 5, 5}, {7, 3, 9}, {33, 65, 17}, {100, 64, 80}} do
      local a = A.randn({dims[1], dims[2]}, {dtype = "float64"})
      local b = A.randn({dims[2], dims[3]}, {dtype = "float64"})
      S.assert_close(a:matmul(b), naive(a:totable(), b:totable()), 1e-10, 1e-10)
    end
  end)

  it("handles vectors, transposes and batches", function()
    local m = A.tensor{{1, 2}, {3, 4}}
    local v = A.tensor{1, 1}
    assert.are.same({3, 7}, m:matmul(v):totable())
    assert.are.same({4, 6}, v:matmul(m):totable())
    assert.are.equal(2, v:matmul(v):item())
    assert.are.same({{5, 11}, {11, 25}}, m:matmul(m:t()):totable())
    local batch = A.stack{m, m * 2}
    assert.are.same({2, 2, 2}, A.matmul(batch, m):shape())
    assert.are.same({{14, 20}, {30, 44}}, A.matmul(batch, m)[2]:totable())
  end)
end)

describe("indexing operations", function()
  local x = A.tensor{{1, 2, 3}, {4, 5, 6}}

  it("gather takes 1-based indices", function()
    local idx = A.tensor{{3, 1}, {2, 2}}
    assert.are.same({{3, 1}, {5, 5}}, x:gather(2, idx):totable())
    assert.are.same({{3, 1}, {5, 5}}, x:gather(2, idx:long()):totable())
  end)

  it("index_select takes 1-based indices, also from argmax", function()
    assert.are.same({{3, 1}, {6, 4}}, x:index_select(2, A.tensor{3, 1}):totable())
    assert.are.same({{4, 5, 6}}, x:index_select(1, x:sum(2):argmax(1):view(1)):totable())
  end)

  it("cat and stack along 1-based dims", function()
    assert.are.same({4, 3}, A.cat({x, x}):shape())
    assert.are.same({2, 6}, A.cat({x, x}, 2):shape())
    assert.are.same({2, 2, 3}, A.stack({x, x}):shape())
    assert.are.same({2, 3, 2}, A.stack({x, x}, 3):shape())
    assert.are.same({1, 2, 3, 4, 5, 6}, A.cat{x[1], x[2]}:totable())
  end)
end)

describe("backward's given gradient", function()
  it("is left as it was, and is read as it was given", function()
    -- backward uses the given tensor without copying it; the walk must
    -- still neither write into it nor read it after adding into a leaf's
    -- grad that is that same tensor (PyTorch gives 3 3 3 here).
    local x = A.tensor({1, 2, 3}):requires_grad(true)
    x:sum():backward()
    local y = x + x
    y:backward(x.grad)
    assert.are.same({3, 3, 3}, x.grad:totable())
    local g = A.tensor({1, 2, 3})
    x.grad = nil
    local z = x * 2
    z:backward(g)
    assert.are.same({1, 2, 3}, g:totable())
    assert.are.same({2, 4, 6}, x.grad:totable())
  end)
end)
