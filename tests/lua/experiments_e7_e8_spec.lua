-- Experiment scripts E7 (one neuron on XOR) and E8 (deep XOR), each run in
-- a subprocess with small arguments: counts within [0, seeds], what the
-- mathematics guarantees (a monotonic neuron never solves XOR; the clamped
-- cost never goes NaN), the deep sigmoid net's constant guess, and the
-- table's internal consistency. The options every script shares are checked
-- in experiments_common_spec.lua.
local support = require "support"

local ok_run = support.ok_run

describe("scripts/e7_single_neuron.lua", function()
  local SEEDS = 3
  local out
  setup(function()
    out = ok_run("e7_single_neuron", ("--steps 600 --seeds %d --quiet --act sine,ncu,squ,relu,sigmoid,tanh")
                                      :format(SEEDS))
  end)

  it("counts solved runs within [0, seeds], the best loss at most the mean", function()
    for _, c in ipairs(support.table_rows(out, "activation")) do
      local solved, n = support.count(c[3])
      assert.are.equal(SEEDS, n)
      assert.is_true(solved >= 0 and solved <= n, c[1])
      assert.is_true(tonumber(c[5]) <= tonumber(c[4]) + 1e-4, c[1])
      assert.is_true(tonumber(c[5]) >= 0, c[1])
    end
  end)

  it("a monotonic neuron never solves XOR; some non-monotonic one does", function()
    for _, act in ipairs{"relu", "sigmoid", "tanh"} do
      local c = support.row(out, act)
      assert.are.equal("yes", c[2])
      assert.are.equal(0, (support.count(c[3])))
    end
    local solved = 0
    for _, act in ipairs{"sine", "ncu", "squ"} do
      assert.are.equal("no", support.row(out, act)[2])
      solved = solved + support.count(support.row(out, act)[3])
    end
    assert.is_true(solved >= 1, out)
  end)

  it("each oscillating unit solves XOR from larger initial weights", function()
    -- The article's claim for one neuron of sine, DSU and GCU (E7's table
    -- in the README: 9, 7 and 10 of 10 seeds); a wrong derivative in any of
    -- their kernels loses it.
    local o = ok_run("e7_single_neuron", "--init-std 2 --seeds 10 --quiet --act sine,dsu,gcu")
    for _, act in ipairs{"sine", "dsu", "gcu"} do
      assert.is_true(support.count(support.row(o, act)[3]) >= 5, act .. "\n" .. o)
    end
  end)

  it("the affine readout still never lets a monotonic unit solve XOR", function()
    local o = ok_run("e7_single_neuron", "--steps 300 --seeds 2 --quiet --readout affine --act relu,tanh,sine")
    assert.are.equal(0, (support.count(support.row(o, "relu")[3])))
    assert.are.equal(0, (support.count(support.row(o, "tanh")[3])))
  end)
end)

describe("scripts/e8_deep_xor.lua", function()
  it("deep sigmoid sticks at a constant guess (cost ln 2) with the default seed", function()
    local out = ok_run("e8_deep_xor", "--steps 2001 --seeds 1 --quiet --act sigmoid")
    local cells = support.row(out, "sigmoid")
    assert.are.equal("0/1", cells[2])
    local cost = tonumber(cells[6])
    assert(cost and math.abs(cost - math.log(2)) < 1e-3, "final cost " .. tostring(cells[6]))
    assert.matches("PyTorch 1.13", out, 1, true)
  end)

  it("reports counts within [0, seeds] that agree with the NaN steps listed", function()
    local SEEDS = 3
    local out = ok_run("e8_deep_xor", ("--steps 301 --seeds %d --seed 3 --quiet"):format(SEEDS))
    local seen = {}
    for _, c in ipairs(support.table_rows(out, "activation")) do
      seen[c[1]] = true
      local learned, n = support.count(c[2])
      local nan, n2 = support.count(c[4])
      assert.are.equal(SEEDS, n); assert.are.equal(SEEDS, n2)
      assert.is_true(learned >= 0 and learned <= n and nan >= 0 and nan <= n, c[1])
      local listed = 0
      for step, seed in c[5]:gmatch("(%d+) %(s(%d+)%)") do
        listed = listed + 1
        assert.is_true(tonumber(step) <= 300 and tonumber(seed) >= 3 and tonumber(seed) < 3 + SEEDS)
      end
      assert.are.equal(nan, listed, c[1])
      -- a first step with accuracy 1.0 exists when a run ended there
      if learned > 0 then assert.is_not.equal("-", c[3], c[1]) end
    end
    for _, act in ipairs{"sigmoid", "relu", "leaky_relu", "tanh"} do assert.is_true(seen[act], act) end
  end)

  it("draws one colour per activation, named once, with readable log-axis labels", function()
    local dir = support.tmpdir()
    ok_run("e8_deep_xor", "--steps 101 --seeds 2 --quiet --act relu,tanh --plot " .. dir,
           "PATH=/nonexistent")
    local gp = support.slurp(dir .. "/e8_cost.gp")
    assert.matches("set format y '%g'", gp, 1, true)
    assert.matches("using 1:2 with lines linewidth 2 linecolor 1 title 'relu (2 seeds)'", gp, 1, true)
    assert.matches("using 1:3 with lines linewidth 2 linecolor 1 notitle", gp, 1, true)
    assert.matches("using 1:4 with lines linewidth 2 linecolor 2 title 'tanh (2 seeds)'", gp, 1, true)
    assert.matches("^x,relu s0,relu s1,tanh s0,tanh s1\n", support.slurp(dir .. "/e8_cost.csv"))
    support.rm_rf(dir)
  end)

  it("--stable never goes NaN", function()
    local out = ok_run("e8_deep_xor", "--stable --steps 501 --seeds 2 --quiet")
    assert.matches("clamped (bce)", out, 1, true)
    for _, act in ipairs{"sigmoid", "relu", "leaky_relu", "tanh"} do
      assert.are.equal(0, (support.count(support.row(out, act)[4])))
    end
  end)
end)
