-- A.loss: values and gradients (of the input, and of the target where
-- PyTorch gives one) against PyTorch (tests/data/losses_reference_*.lua,
-- made by tests/ref/losses_reference.py) for every loss, reduction and
-- option, in float64 and float32; stability at the extremes; class
-- indices 1-based in any tensor type; bce_naive; and the errors, by their
-- words: shapes that differ, class indices out of range, bad options.
local A = require "actlua"
local S = require "support"

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local ref = dofile(here .. "/../data/losses_reference_pointwise.lua")
for _, c in ipairs(dofile(here .. "/../data/losses_reference_class.lua")) do
  ref[#ref + 1] = c
end

local TOL = {float64 = {1e-12, 1e-12}, float32 = {1e-4, 1e-5}}

local function describe_case(c)
  local keys = {}
  for k, v in pairs(c.opts) do
    keys[#keys + 1] = k .. "=" .. (type(v) == "table" and "{...}" or tostring(v))
  end
  table.sort(keys)
  return ("%s(%s)%s%s"):format(c.name, table.concat(keys, ", "),
                               c.classes and " with classes" or "",
                               c.note and " [" .. c.note .. "]" or "")
end

-- Runs one reference case in dtype; returns the loss, input and target.
local function run(c, dtype)
  local x = A.tensor(c.input, {dtype = dtype, requires_grad = true})
  local y
  if c.classes then
    y = A.tensor(c.target, {dtype = "int64"})
  else
    y = A.tensor(c.target, {dtype = dtype, requires_grad = c.grad_target ~= nil})
  end
  local opts = {}
  for k, v in pairs(c.opts) do opts[k] = v end
  if opts.pos_weight then opts.pos_weight = A.tensor(opts.pos_weight, {dtype = dtype}) end
  local out = A.loss[c.name](x, y, opts)
  if c.weight then
    out:backward(A.tensor(c.weight, {dtype = dtype}))
  else
    out:backward()
  end
  return out, x, y
end

describe("losses against PyTorch", function()
  for _, dtype in ipairs{"float64", "float32"} do
    for _, c in ipairs(ref) do
      -- float32 cannot hold 1e-300: the extremes are checked below.
      if not (dtype == "float32" and c.note == "extremes") then
        it(describe_case(c) .. " in " .. dtype, function()
          local rtol, atol = table.unpack(TOL[dtype])
          local out, x, y = run(c, dtype)
          assert.are.equal(dtype, out:dtype())
          assert.are.equal(c.name, out:grad_fn())
          S.assert_close(out, c.value, rtol, atol)
          S.assert_close(x.grad, c.grad_input, rtol, atol)
          if c.grad_target then S.assert_close(y.grad, c.grad_target, rtol, atol) end
        end)
      end
    end
  end
end)

describe("losses at the extremes", function()
  local function all_finite(t)
    for _, v in ipairs(S.flat(t:totable())) do
      if v ~= v or v == math.huge or v == -math.huge then return false end
    end
    return true
  end

  for _, dtype in ipairs{"float32", "float64"} do
    it("bce_with_logits of ±1000 is finite, with finite gradients, in " .. dtype, function()
      local x = A.tensor({-1000, 1000, -1000, 1000}, {dtype = dtype, requires_grad = true})
      local y = A.tensor({1, 0, 0, 1}, {dtype = dtype})
      local l = A.loss.bce_with_logits(x, y, "none")
      S.assert_close(l, {1000, 1000, 0, 0}, 1e-6)
      l:sum():backward()
      S.assert_close(x.grad, {-1, 1, 0, 0})
    end)

    it("cross_entropy of ±1000 logits is finite in " .. dtype, function()
      local x = A.tensor({{1000, -1000, 0}, {-1000, -1000, 1000}}, {dtype = dtype,
                                                                     requires_grad = true})
      local l = A.loss.cross_entropy(x, A.tensor{2, 3}, "sum")
      S.assert_close(l, {2000}, 1e-6)
      l:backward()
      assert.is_true(all_finite(x.grad))
      S.assert_close(x.grad, {{1, -1, 0}, {0, 0, 0}})
    end)

    it("bce of p = 0 and 1 is clamped at 100, not inf, in " .. dtype, function()
      local p = A.tensor({0, 1, 0, 1}, {dtype = dtype, requires_grad = true})
      local l = A.loss.bce(p, A.tensor({1, 0, 0, 1}, {dtype = dtype}), "none")
      S.assert_close(l, {100, 100, 0, 0})
      l:sum():backward()
      assert.is_true(all_finite(p.grad))
    end)
  end
end)

describe("class indices", function()
  local logits = A.tensor({{2, 1, 0}, {0, 3, 1}}, {dtype = "float64"})

  it("are 1-based in int64, integral float32 and float64", function()
    local want = A.loss.cross_entropy(logits, A.tensor({1, 2}, {dtype = "int64"})):item()
    for _, dtype in ipairs{"float32", "float64"} do
      S.assert_close(A.loss.cross_entropy(logits, A.tensor({1, 2}, {dtype = dtype})), {want})
    end
    S.assert_close(A.loss.nll(A.log_softmax(logits, 2), A.tensor{1, 2}), {want}, 1e-12)
  end)

  it("take what argmax returns", function()
    local classes = logits:argmax(2)
    assert.are.equal("int64", classes:dtype())
    S.assert_close(A.loss.cross_entropy(logits, classes),
                   A.loss.cross_entropy(logits, A.tensor{1, 2}), 1e-12)
  end)

  it("of 0 or above the count are errors naming the index and range", function()
    for _, bad in ipairs{{0, 1}, {1, 4}} do
      local err = S.error_of(A.loss.cross_entropy, logits, A.tensor(bad))
      assert.matches("bad argument #2 to '[%w._]*cross_entropy' %(index " ..
                     (bad[1] == 0 and 0 or 4) .. " is out of range %(expected 1 to 3%)%)",
                     err)
      assert.matches("index " .. (bad[1] == 0 and 0 or 4) .. " is out of range",
                     S.error_of(A.loss.nll, logits, A.tensor(bad)))
    end
  end)

  it("must be integers", function()
    assert.matches("index 1.5 is not an integer",
                   S.error_of(A.loss.cross_entropy, logits, A.tensor{1.5, 1}))
  end)

  it("of a wrong shape name both shapes", function()
    local err = S.error_of(A.loss.cross_entropy, logits, A.tensor{{1}, {2}})
    assert.matches("cross_entropy: input %[2,3%] and target %[2,1%] differ: the target " ..
                   "must be class indices of shape %[2%] or probabilities of shape %[2,3%]",
                   err)
  end)

  it("with the input's shape are probabilities, which must be float", function()
    assert.matches("must be float, not int64",
                   S.error_of(A.loss.cross_entropy, A.tensor{1, 2, 3},
                              A.tensor({1, 2, 3}, {dtype = "int64"})))
  end)
end)

describe("shapes", function()
  local h, y = A.tensor{{0.2}, {0.7}, {0.9}, {0.4}}, A.tensor{0, 1, 1, 0}

  for _, name in ipairs{"mse", "l1", "smooth_l1", "huber", "bce", "bce_with_logits",
                        "kl_div", "bce_naive"} do
    it(name .. " refuses shapes that differ, naming both", function()
      assert.are.equal(name .. ": input [4,1] and target [4] differ (losses do not " ..
                       "broadcast: reshape one of them)",
                       S.error_of(A.loss[name], h, y))
    end)
  end

  it("agree once the target is reshaped", function()
    S.assert_close(A.loss.mse(h, y:reshape{4, 1}), {(0.04 + 0.09 + 0.01 + 0.16) / 4}, 1e-6)
  end)
end)

describe("options", function()
  local x, y = A.tensor{0.5, 2}, A.tensor{0, 0}

  it("take a reduction's name in place of the table", function()
    S.assert_close(A.loss.mse(x, y, "sum"), {4.25})
    assert.are.same({2}, A.loss.mse(x, y, "none"):shape())
  end)

  it("promote a float32 input with a float64 target to float64", function()
    assert.are.equal("float64", A.loss.mse(x, y:double()):dtype())
  end)

  it("refuse unknown reductions, unknown keys and batchmean outside kl_div", function()
    assert.matches("unknown reduction 'avg'", S.error_of(A.loss.mse, x, y, "avg"))
    assert.matches("unknown option 'reductoin'",
                   S.error_of(A.loss.mse, x, y, {reductoin = "sum"}))
    assert.matches("unknown option 'beta'", S.error_of(A.loss.huber, x, y, {beta = 1}))
    assert.matches("\"batchmean\" is only for kl_div",
                   S.error_of(A.loss.mse, x, y, "batchmean"))
  end)

  it("check their ranges", function()
    assert.matches("beta must be >= 0, got %-1", S.error_of(A.loss.smooth_l1, x, y, {beta = -1}))
    assert.matches("delta must be > 0, got 0", S.error_of(A.loss.huber, x, y, {delta = 0}))
    assert.matches("label_smoothing must be in %[0, 1%], got 1.5",
                   S.error_of(A.loss.cross_entropy, A.tensor{{1, 2}}, A.tensor{1},
                              {label_smoothing = 1.5}))
    assert.matches("outside %[0, 1%]: bce takes probabilities",
                   S.error_of(A.loss.bce, A.tensor{0.5, 1.5}, A.tensor{0, 1}))
    assert.matches("pos_weight %[2%] does not broadcast",
                   S.error_of(A.loss.bce_with_logits, A.tensor{{0, 1, 2}},
                              A.tensor{{0, 1, 0}}, {pos_weight = A.tensor{1, 2}}))
  end)

  it("refuse non-float inputs", function()
    assert.matches("int64", S.error_of(A.loss.mse, A.tensor({1, 2}, {dtype = "int64"}), y))
  end)
end)

describe("bce_naive", function()
  it("is the textbook formula, equal to bce inside (0, 1)", function()
    local h = A.tensor({0.1, 0.5, 0.9, 0.3}, {dtype = "float64", requires_grad = true})
    local y = A.tensor({0, 1, 1, 0.25}, {dtype = "float64"})
    local naive = A.loss.bce_naive(h, y)
    S.assert_close(naive, A.loss.bce(h, y), 1e-12)
    S.assert_close(A.loss.bce_naive(h, y, "sum"), A.loss.bce(h, y, "sum"), 1e-12)
    S.assert_close(A.loss.bce_naive(h, y, {reduction = "none"}),
                   A.loss.bce(h, y, "none"), 1e-12)
  end)

  it("goes to inf and NaN where bce clamps", function()
    local inf = A.loss.bce_naive(A.tensor{0, 0.5}, A.tensor{1, 1}):item()
    assert.are.equal(math.huge, inf)
    local nan = A.loss.bce_naive(A.tensor{0, 0.5}, A.tensor{0, 1}):item()
    assert.is_true(nan ~= nan) -- 0 * log(0)
  end)

  it("has bce's gradient inside (0, 1)", function()
    local y = A.tensor({0, 1, 1, 0.25}, {dtype = "float64"})
    local h1 = A.tensor({0.1, 0.5, 0.9, 0.3}, {dtype = "float64", requires_grad = true})
    local h2 = A.tensor({0.1, 0.5, 0.9, 0.3}, {dtype = "float64", requires_grad = true})
    A.loss.bce_naive(h1, y):backward()
    A.loss.bce(h2, y):backward()
    S.assert_close(h1.grad, h2.grad, 1e-10)
  end)
end)

describe("gradients", function()
  it("pass gradcheck through every loss in float64", function()
    local gradcheck = require "actlua.gradcheck"
    local function f64(v) return A.tensor(v, {dtype = "float64", requires_grad = true}) end
    local x, y = f64{{0.3, -1.2}, {2.5, 0.1}}, f64{{0.1, 0.4}, {-0.5, 0.7}}
    local p, q = f64{{0.2, 0.6}, {0.9, 0.4}}, f64{{0, 1}, {0.3, 1}}
    for _, name in ipairs{"mse", "smooth_l1", "huber", "bce_with_logits"} do
      for _, r in ipairs{"mean", "sum", "none"} do
        assert(gradcheck(function(a, b) return A.loss[name](a, b, r) end, {x, y}))
      end
    end
    assert(gradcheck(function(a, b) return A.loss.bce(a, b) end, {p, q}))
    -- kl_div's target gradient, log q + 1 - input, is -inf at q = 0: not q.
    assert(gradcheck(function(a, b) return A.loss.kl_div(A.log(a), b, "batchmean") end,
                     {p, f64{{0.1, 0.9}, {0.3, 0.7}}}))
    assert(gradcheck(function(a, b)
      return A.loss.kl_div(a, b, {reduction = "sum", log_target = true})
    end, {x, y}))
    assert(gradcheck(function(a) return A.loss.cross_entropy(a, A.tensor{2, 1},
                                                             {label_smoothing = 0.1}) end, x))
    assert(gradcheck(function(a, b) return A.loss.cross_entropy(a, A.softmax(b, 2)) end,
                     {x, y}))
  end)

  it("refuse a second backward through the same loss", function()
    local x = A.tensor({1, 2}, {requires_grad = true})
    local l = A.loss.mse(x, A.tensor{0, 0})
    l:backward()
    assert.matches("second time", S.error_of(l.backward, l))
  end)
end)
