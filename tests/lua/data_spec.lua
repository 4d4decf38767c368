-- actlua.data: shapes, dtypes, labels, ranges, class balance, and the same
-- bits for the same seed without touching the global generator.
local A = require "actlua"
local data = require "actlua.data"

local function counts(y, classes)
  local c = {}
  for k = 1, classes do c[k] = 0 end
  for _, v in ipairs(y:totable()) do c[v] = c[v] + 1 end
  return c
end

local function max_abs(x)
  local m = 0
  for _, row in ipairs(x:totable()) do
    for _, v in ipairs(row) do m = math.max(m, math.abs(v)) end
  end
  return m
end

local GENERATORS = {"spirals", "moons", "circles"}

describe("actlua.data", function()
  it("gives the four XOR points and their targets", function()
    local x, y = data.xor()
    assert.are.same({4, 2}, x:shape())
    assert.are.equal("float32", x:dtype())
    assert.are.same({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, x:totable())
    assert.are.same({4, 1}, y:shape())
    assert.are.equal("float32", y:dtype())
    assert.are.same({{0}, {1}, {1}, {0}}, y:totable())
    local _, yi = data.xor{labels = "index"}
    assert.are.equal("int64", yi:dtype())
    assert.are.same({1, 2, 2, 1}, yi:totable())
    local _, yo = data.xor{labels = "onehot", dtype = "float64"}
    assert.are.equal("float64", yo:dtype())
    assert.are.same({{1, 0}, {0, 1}, {0, 1}, {1, 0}}, yo:totable())
  end)

  for _, name in ipairs(GENERATORS) do
    describe(name, function()
      local make = data[name]

      it("has the documented shapes and dtypes", function()
        local x, y = make{n = 50}
        assert.are.same({50, 2}, x:shape())
        assert.are.equal("float32", x:dtype())
        assert.are.same({50}, y:shape())
        assert.are.equal("int64", y:dtype())
        x, y = make{n = 50, labels = "float", dtype = "float64"}
        assert.are.equal("float64", x:dtype())
        assert.are.same({50, 1}, y:shape())
        assert.are.equal("float64", y:dtype())
        for _, row in ipairs(y:totable()) do
          assert.is_true(row[1] == 0 or row[1] == 1)
        end
        local _, yo = make{n = 50, labels = "onehot"}
        assert.are.same({50, 2}, yo:shape())
        for _, row in ipairs(yo:totable()) do assert.are.equal(1, row[1] + row[2]) end
      end)

      it("gives the same bits for the same seed", function()
        local x1, y1 = make{seed = 7, shuffle = true}
        local x2, y2 = make{seed = 7, shuffle = true}
        assert.are.same(x1:totable(), x2:totable())
        assert.are.same(y1:totable(), y2:totable())
        local x3 = make{seed = 8, shuffle = true}
        assert.are_not.same(x1:totable(), x3:totable())
        assert.are.same(make{}:totable(), make{seed = 0}:totable())
      end)

      it("leaves the global generator alone", function()
        A.manual_seed(3)
        local a = A.rand{5}:totable()
        A.manual_seed(3)
        make{seed = 1}
        assert.are.same(a, A.rand{5}:totable())
      end)

      it("balances the classes", function()
        local _, y = make{n = 201}
        assert.are.same({101, 100}, counts(y, 2))
        local _, ys = make{n = 201, shuffle = true}
        assert.are.same({101, 100}, counts(ys, 2))
        assert.are_not.same(y:totable(), ys:totable())
      end)

      it("stays near its curves with no noise", function()
        local x = make{n = 40, noise = 0}
        local bound = name == "moons" and 2 or 1
        assert.is_true(max_abs(x) <= bound + 1e-6)
        local noisy = make{n = 400, noise = 0.1}
        assert.is_true(max_abs(noisy) <= bound + 0.8)
        assert.is_true(max_abs(noisy) > 0)
      end)

      it("rejects bad options with a message", function()
        assert.has_error(function() make{n = 0} end,
                         ("data.%s: n must be an integer >= 1"):format(name))
        assert.has_error(function() make{noise = -1} end,
                         ("data.%s: noise must be a finite number >= 0"):format(name))
        assert.has_error(function() make{labels = "x"} end,
                         ("data.%s: labels must be \"index\", \"float\" or \"onehot\", got x"):format(name))
        assert.has_error(function() make{sead = 1} end,
                         ("data.%s: unknown option 'sead'"):format(name))
      end)
    end)
  end

  it("puts spiral arms at their radii and angles", function()
    local x, y = data.spirals{n = 6, classes = 3, noise = 0}
    assert.are.same({1, 1, 2, 2, 3, 3}, y:totable())
    local pts = x:totable()
    for i, p in ipairs(pts) do
      local k, j = (i - 1) // 2, (i - 1) % 2 + 1     -- class (0-based), point in class
      local r = (j - 0.5) / 2
      local t = 2 * math.pi * (k / 3 + r)
      assert.is_true(math.abs(p[1] - r * math.cos(t)) < 1e-6)
      assert.is_true(math.abs(p[2] - r * math.sin(t)) < 1e-6)
    end
    local _, y3 = data.spirals{n = 300, classes = 3}
    assert.are.same({100, 100, 100}, counts(y3, 3))
  end)

  it("draws moons on scikit-learn's half circles", function()
    local x = data.moons{n = 6, noise = 0}:totable()
    local want = {{1, 0}, {0, 1}, {-1, 0}, {0, 0.5}, {1, -0.5}, {2, 0.5}}
    for i = 1, 6 do
      assert.is_true(math.abs(x[i][1] - want[i][1]) < 1e-6)
      assert.is_true(math.abs(x[i][2] - want[i][2]) < 1e-6)
    end
    assert.has_error(function() data.moons{classes = 3} end, "data.moons: classes must be 2")
  end)

  it("draws circles from radius 1 down to factor", function()
    local x, y = data.circles{n = 90, classes = 3, factor = 0.4, noise = 0}
    local radii = {1, 0.7, 0.4}
    local yt = y:totable()
    for i, p in ipairs(x:totable()) do
      local r = math.sqrt(p[1] ^ 2 + p[2] ^ 2)
      assert.is_true(math.abs(r - radii[yt[i]]) < 1e-6)
    end
    assert.has_error(function() data.circles{factor = 1} end, "data.circles: factor must be in (0, 1)")
  end)
end)
