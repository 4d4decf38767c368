-- Experiments E4 (dying ReLU), E5 (PReLU alphas) and E6 (maxout): each
-- script runs in a subprocess with small arguments and --quiet; its summary
-- is checked for sense (shares in [0, 1], what must hold by construction,
-- parameter counts from the widths), never against numbers from a run. The
-- options every script shares are checked in experiments_common_spec.lua.
local support = require "support"

local ok_run = support.ok_run

describe("E4 dying relu", function()
  local H = 16
  local out
  setup(function()
    out = ok_run("e4_dying_relu", ("--quiet --steps 150 --seeds 1 --hidden %d --n 100"):format(H))
  end)

  local function cells(act, setup_name)
    return support.row(out, ("%-10s  %s"):format(act, setup_name))
  end

  it("reports every activation and set-up, with shares of whole units in [0, 1]", function()
    for _, act in ipairs{"relu", "leaky_relu", "elu", "prelu"} do
      for _, setup_name in ipairs{"baseline", "high lr", "bad bias"} do
        local c = cells(act, setup_name)
        assert.are.equal(7, #c)
        local share, acc = tonumber(c[4]), tonumber(c[6])
        assert.is_true(share >= 0 and share <= 1)
        -- one seed: a whole number of the 2 H units, to the table's 3 digits
        assert.is_true(math.abs(share * 2 * H - math.floor(share * 2 * H + 0.5)) < 0.02)
        assert.is_true(acc >= 0 and acc <= 1)
        local diverged, n = support.count(c[7])
        assert.is_true(diverged >= 0 and diverged <= n and n == 1)
      end
    end
  end)

  it("a bias of -4 kills every relu unit for good: chance accuracy, more dead than leaky relu", function()
    -- |w . x| <= 2.7 on moons under PyTorch's init, below 4: no unit ever
    -- fires, so none gets a gradient, so none recovers.
    local relu, leaky = cells("relu", "bad bias"), cells("leaky_relu", "bad bias")
    assert.are.equal(1, tonumber(relu[4]))
    assert.are.equal(0.5, tonumber(relu[6]))
    assert.is_true(tonumber(relu[4]) >= tonumber(leaky[4]))
  end)

  it("dead relu units get exactly no gradient; leaky ones some", function()
    for _, setup_name in ipairs{"baseline", "high lr", "bad bias"} do
      local c = cells("relu", setup_name)
      if tonumber(c[4]) > 0 then assert.are.equal(0, tonumber(c[5])) end
    end
    assert.is_true(tonumber(cells("leaky_relu", "bad bias")[5]) > 0)
  end)

  it("takes other activations with --act", function()
    local o = ok_run("e4_dying_relu", "--quiet --steps 10 --seeds 1 --hidden 4 --n 40 --act tanh,prelu")
    assert.are.equal(7, #support.row(o, ("%-10s  %s"):format("tanh", "bad bias")))
    assert.are.equal(7, #support.row(o, ("%-10s  %s"):format("prelu", "baseline")))
    assert.has_error(function() support.row(o, "relu") end)
  end)
end)

describe("E5 prelu", function()
  local H = 8
  local out
  setup(function()
    out = ok_run("e5_prelu", ("--quiet --steps 200 --hidden %d --n 150 --init 0.1"):format(H))
  end)

  it("moves every layer's alphas away from their initial value", function()
    for _, layer in ipairs{"prelu 1", "prelu 2"} do
      local c = support.row(out, layer)
      assert.are.equal(8, #c)
      assert.are.equal(H, tonumber(c[2]))
      assert.are.equal("0.100", c[3])
      local mn, med, mx, moved = tonumber(c[4]), tonumber(c[5]), tonumber(c[6]), tonumber(c[7])
      assert.is_true(mn <= med and med <= mx)
      assert.is_true(moved > 0)
      assert.is_true(mn < 0.1 or mx > 0.1)
      -- the mean distance moved is at most the farthest final alpha's
      assert.is_true(moved <= math.max(0.1 - mn, mx - 0.1) + 1e-3)
      local shown = 0
      for a in c[8]:gmatch("%S+") do
        shown = shown + 1
        assert.is_true(tonumber(a) >= mn - 1e-3 and tonumber(a) <= mx + 1e-3)
      end
      assert.are.equal(4, shown)
    end
    local acc = tonumber(out:match("accuracy (%d%.%d+)"))
    assert.is_true(acc >= 0 and acc <= 1)
  end)

  it("gives another result for another seed", function()
    assert.are_not.equal(out, ok_run("e5_prelu", ("--quiet --steps 200 --hidden %d --n 150 --init 0.1 --seed 1"):format(H)))
  end)
end)

describe("E6 maxout", function()
  -- Parameter counts from the widths: a Linear(i, o) holds i o + o, a
  -- maxout unit k times that; the output layer is the same in both nets.
  local function check(pieces, hidden, act)
    local out = ok_run("e6_maxout", ("--quiet --steps 60 --n 150 --pieces %d --hidden %d --act %s")
                                      :format(pieces, hidden, act))
    local mx, other = support.row(out, ("maxout (k = %d)"):format(pieces)), support.row(out, act)
    local C = 3
    assert.are.equal(7, #mx)
    assert.are.equal(2 * hidden + hidden, tonumber(other[2]))
    assert.are.equal(pieces * (2 * hidden + hidden), tonumber(mx[2]))
    assert.are.equal(hidden * hidden + hidden, tonumber(other[3]))
    assert.are.equal(pieces * (hidden * hidden + hidden), tonumber(mx[3]))
    assert.are.equal(hidden * C + C, tonumber(other[4]))
    assert.are.equal(tonumber(other[4]), tonumber(mx[4]))
    assert.are.equal(tonumber(other[2]) + tonumber(other[3]) + tonumber(other[4]), tonumber(other[5]))
    for _, c in ipairs{mx, other} do
      assert.is_true(tonumber(c[6]) >= 0 and tonumber(c[6]) <= 1)
      assert.is_true(tonumber(c[7]) > 0)
    end
    assert.are.equal(pieces, tonumber(support.row(out, "maxout / " .. act)[2]))
  end

  it("has pieces times the other net's hidden-layer parameters", function()
    check(2, 8, "relu")
    check(3, 5, "relu")
    check(2, 4, "tanh")
  end)

  it("a bad value exits 1 with a message", function()
    local code, _, err = support.run_script("e6_maxout", "--pieces 0")
    assert.are.equal(1, code)
    assert.matches("--pieces: 0 is out of range", err, 1, true)
  end)
end)
