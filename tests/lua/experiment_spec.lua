-- actlua.experiment: the deep-XOR model (shape, N(0, 1) draws, seeded),
-- runs over activations x seeds, the median with NaN, the figures
-- collector, and the libraries it hands out.
local A = require "actlua"
local experiment = require "actlua.experiment"
local support = require "support"

describe("actlua.experiment", function()
  it("builds the article's deep XOR net: 2 -> nine layers of 5 -> 1, sigmoid output", function()
    A.manual_seed(0)
    local model = experiment.deep_xor_model("relu")
    local linears, acts = {}, {}
    for i, m in ipairs(model:children()) do
      if i % 2 == 1 then linears[#linears + 1] = m else acts[#acts + 1] = m end
    end
    assert.are.equal(10, #linears)
    assert.are.same({5, 2}, linears[1].weight:shape())
    assert.are.same({1, 5}, linears[10].weight:shape())
    for i = 2, 9 do assert.are.same({5, 5}, linears[i].weight:shape()) end
    assert.are.equal(2 * 5 + 5 + 8 * (5 * 5 + 5) + 5 + 1, model:num_parameters())
    for i = 1, 9 do assert.matches("relu", tostring(acts[i])) end
    assert.matches("Sigmoid", tostring(acts[10]))
    local h = model(A.tensor{{0, 0}, {1, 1}})
    assert.are.same({2, 1}, h:shape())
    assert.is_true(h:min():item() >= 0 and h:max():item() <= 1)
  end)

  it("draws every weight and bias from N(0, 1), from the seed", function()
    local function values(seed)
      A.manual_seed(seed)
      local v = {}
      for _, p in ipairs(experiment.deep_xor_model("tanh"):parameters()) do
        for _, x in ipairs(support.flat(p:totable())) do v[#v + 1] = x end
      end
      return v
    end
    local v = values(3)
    assert.are.same(v, values(3))
    assert.are_not.same(v, values(4))
    -- 261 draws: the mean within 4 standard errors of 0, the variance near 1
    -- (PyTorch's default init would give a variance near 1/15 here)
    local n, sum, sq = #v, 0, 0
    for _, x in ipairs(v) do sum = sum + x; sq = sq + x * x end
    local mean = sum / n
    assert.is_true(math.abs(mean) < 4 / math.sqrt(n))
    assert.is_true(math.abs(sq / n - mean * mean - 1) < 0.35)
  end)

  it("builds other sizes", function()
    local model = experiment.deep_xor_model("sigmoid", {3, 4, 2})
    assert.are.equal(3 * 4 + 4 + 4 * 2 + 2, model:num_parameters())
  end)

  it("runs every activation over every seed, offsets following on", function()
    local calls = {}
    local results = experiment.runs{acts = {"relu", "tanh"}, seeds = {5, 6, 7}, steps = 10,
                                    quiet = true, run = function(act, seed, bar, offset)
      calls[#calls + 1] = ("%s %d %d"):format(act, seed, offset)
      bar:update(offset + 10)
      return seed * 2
    end}
    assert.are.same({"relu 5 0", "relu 6 10", "relu 7 20", "tanh 5 0", "tanh 6 10", "tanh 7 20"},
                    calls)
    assert.are.same({{act = "relu", runs = {10, 12, 14}}, {act = "tanh", runs = {10, 12, 14}}},
                    results)
  end)

  it("takes the median, NaN last", function()
    assert.is_nil(experiment.median{})
    assert.are.equal(2, experiment.median{3, 1, 2})
    assert.are.equal(2.5, experiment.median{4, 1, 3, 2})
    assert.are.equal(3, experiment.median{0 / 0, 1, 2, 3, 0 / 0})   -- 1 2 3 NaN NaN
    local m = experiment.median{0 / 0, 1, 0 / 0}
    assert.is_true(m ~= m)
    local input = {3, 1, 2}
    experiment.median(input)
    assert.are.same({3, 1, 2}, input)          -- not sorted in place
  end)

  it("collects the figures' files and notes, and prints where they are", function()
    local dir = support.tmpdir()
    local figs = experiment.figures(dir)
    figs:lines("a", {series = {{name = "s", y = {1, 2}}}, gnuplot = false})
    figs:lines("b", {series = {{name = "s", y = {1, 2}}}, gnuplot = false})
    local printed = {}
    figs:report(function(s) printed[#printed + 1] = s end)
    assert.are.same({"", ("wrote %s/a.csv, %s/a.gp, %s/b.csv, %s/b.gp"):format(dir, dir, dir, dir),
                     "images not drawn (gnuplot disabled); " .. dir .. "/a.gp draws them",
                     "images not drawn (gnuplot disabled); " .. dir .. "/b.gp draws them"},
                    printed)
    assert.is_true(support.size(dir .. "/b.csv") > 0)
    support.rm_rf(dir)
    assert.has_error(function() experiment.figures(nil) end,
                     "experiment.figures: dir must be a folder name")
  end)

  it("hands out the experiment libraries", function()
    for _, name in ipairs{"cli", "data", "plot", "progress", "report"} do
      assert.are.equal(require("actlua." .. name), experiment[name])
    end
    assert.is_nil(experiment.nosuch)
  end)
end)
