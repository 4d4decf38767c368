-- Experiment scripts E1 (activation shapes), E2 (vanishing gradient) and E3
-- (zig-zag updates), each run in a subprocess with small arguments: their
-- summaries are checked for sense (relations that must hold, the registry's
-- declared properties against the measured ones, the articles' exact
-- values), never against numbers copied from a run. The options every
-- script shares are checked in experiments_common_spec.lua.
local A = require "actlua"
local support = require "support"

local ok_run = support.ok_run

-- |a - b| <= tol * max(1, |b|): table cells are rounded to 6 digits.
local function near(a, b, tol)
  return math.abs(a - b) <= (tol or 1e-5) * math.max(1, math.abs(b))
end

describe("scripts/e1_shapes.lua", function()
  local out
  setup(function() out = ok_run("e1_shapes", "--quiet --step 0.01") end)

  it("measures every element-wise activation the registry lists", function()
    local listed = {}
    for _, cells in ipairs(support.table_rows(out, "activation")) do listed[cells[1]] = true end
    for _, name in ipairs(A.act.names()) do
      if A.act.info(name).form == "elementwise" then
        assert.is_true(listed[name], name .. " is missing")
      end
    end
  end)

  it("gives each activation properties that agree with each other and with the registry", function()
    for _, c in ipairs(support.table_rows(out, "activation")) do
      local name, lo, hi, dmax, f0 = c[1], tonumber(c[2]), tonumber(c[3]), tonumber(c[4]), tonumber(c[6])
      local zero, small = tonumber(c[9]), tonumber(c[10])
      local info = A.act.info(name)
      assert.is_true(lo <= f0 + 1e-6 and f0 <= hi + 1e-6, name)
      assert.is_true(dmax >= 0, name)
      assert.is_true(zero >= 0 and zero <= small and small <= 1, name)
      -- the measured range lies inside the declared one
      assert.is_true(lo >= info.range[1] - 1e-5 * math.max(1, math.abs(lo)), name .. " min")
      assert.is_true(hi <= info.range[2] + 1e-5 * math.max(1, math.abs(hi)), name .. " max")
      -- zero-centred needs both signs; monotonic as the registry declares
      if c[7] == "yes" then assert.is_true(lo < 0 and hi > 0, name) end
      assert.are.equal(info.monotonic and "up" or "no", c[8], name .. " monotonic")
    end
  end)

  it("finds the articles' values: sigmoid' peaks at 0.25 at 0, tanh' at 1, relu' is 0 on half", function()
    local s = support.row(out, "sigmoid")
    assert.is_true(near(tonumber(s[4]), 0.25, 1e-9))
    assert.are.equal("0.000", s[5])
    assert.is_true(tonumber(s[2]) > 0 and tonumber(s[3]) < 1)
    assert.are.equal("no", s[7])
    local t = support.row(out, "tanh")
    assert.is_true(near(tonumber(t[4]), 1, 1e-9))
    assert.are.equal("yes", t[7])
    -- relu' = 0 on [-10, 0]: 1001 of the 2001 grid points
    assert.is_true(near(tonumber(support.row(out, "relu")[9]), 1001 / 2001, 1e-4))
    assert.is_nil(out:find("DIFFERS", 1, true))
    assert.matches("agrees   relu: f'(-1) = 0, f'(0) = 0, f'(1) = 1", out, 1, true)
  end)

  it("finds softmax and softmin of the article's grid sum to 1, log_softmax below 0", function()
    local rows = {}
    for _, c in ipairs(support.table_rows(out, "activation +sum")) do rows[c[1]] = c end
    for _, name in ipairs{"softmax", "softmin"} do
      assert.is_true(math.abs(tonumber(rows[name][2]) - 1) < 1e-12, name)
      assert.is_true(math.abs(tonumber(rows[name][3]) - 1) < 1e-6, name)
      assert.is_true(tonumber(rows[name][4]) > 0 and tonumber(rows[name][5]) < 1, name)
    end
    assert.is_true(tonumber(rows.log_softmax[5]) < 0)
    assert.matches("agrees   softmax of the 100-point grid sums to", out, 1, true)
  end)

  it("measures only the activation --act names", function()
    local o = ok_run("e1_shapes", "--quiet --act relu")
    local rows = support.table_rows(o, "activation")
    assert.are.equal(1, #rows)
    assert.are.equal("relu", rows[1][1])
  end)
end)

describe("scripts/e2_vanishing.lua", function()
  local out
  setup(function() out = ok_run("e2_vanishing", "--quiet --steps 5 --act sigmoid,relu,tanh") end)

  it("gets a smaller first-layer gradient behind sigmoid than behind relu or tanh", function()
    local s, r, t = support.row(out, "sigmoid"), support.row(out, "relu"), support.row(out, "tanh")
    assert.are.equal("init", s[2])
    assert.is_true(tonumber(s[3]) < tonumber(r[3]))
    assert.is_true(tonumber(s[3]) < tonumber(t[3]))
    assert.is_true(tonumber(s[6]) < tonumber(r[6]))   -- and first/last
  end)

  it("reports ratios and verdicts consistent with the norms", function()
    for _, c in ipairs(support.table_rows(out, "activation")) do
      local first, mid, last, ratio = tonumber(c[3]), tonumber(c[4]), tonumber(c[5]), tonumber(c[6])
      assert.is_true(first > 0 and mid > 0 and last > 0, c[1])
      -- the cells have 4 digits: the ratio of two agrees to about 1e-3
      assert.is_true(math.abs(ratio - first / last) <= 2e-3 * ratio, c[1])
      assert.are.equal(ratio < 1e-2 and "yes" or "no", c[7], c[1])
    end
    assert.matches("Vanishing (first/last < 0.01): sigmoid (init", out, 1, true)
  end)

  it("changes the draws with the seed", function()
    assert.are_not.equal(out, ok_run("e2_vanishing", "--quiet --steps 5 --act sigmoid,relu,tanh --seed 1"))
  end)

  it("refuses an activation that is not element-wise", function()
    local code, _, err = support.run_script("e2_vanishing", "--act softmax")
    assert.are.equal(1, code)
    assert.matches("softmax works along a dim", err, 1, true)
    code, _, err = support.run_script("e2_vanishing", "--act prelu")
    assert.are.equal(1, code)
    assert.matches("prelu is not element-wise", err, 1, true)
  end)
end)

describe("scripts/e3_zigzag.lua", function()
  local out
  setup(function() out = ok_run("e3_zigzag", "--quiet --steps 40 --seeds 1 --hidden 6") end)

  it("finds more one-sign neurons behind sigmoid than behind tanh, example by example", function()
    local s, t = support.row(out, "sigmoid"), support.row(out, "tanh")
    assert.are.equal("1", s[2]); assert.are.equal("1", t[2])
    assert.is_true(tonumber(s[3]) > tonumber(t[3]))
    -- sigmoid's outputs are > 0: the pair of weights agrees at least as often
    assert.is_true(tonumber(s[4]) >= tonumber(t[4]))
  end)

  it("reports shares in [0, 1], the chance level of 6 neurons, full-batch rows too", function()
    local full = 0
    for _, c in ipairs(support.table_rows(out, "hidden act")) do
      for i = 3, 4 do assert.is_true(tonumber(c[i]) >= 0 and tonumber(c[i]) <= 1, c[1]) end
      assert.is_true(near(tonumber(c[5]), 1 / 2 ^ 5, 1e-3))
      assert.is_true(tonumber(c[6]) >= 0 and tonumber(c[6]) <= 1)
      if c[2] == "full (200)" then full = full + 1 end
    end
    assert.are.equal(2, full)
    local s1, sf = support.row(out, "sigmoid", 1), support.row(out, "sigmoid", 2)
    assert.is_true(tonumber(sf[3]) <= tonumber(s1[3]))
  end)
end)
