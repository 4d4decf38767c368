-- The generator: its raw stream against an independent implementation
-- (tests/ref/xoshiro_reference.py), reproducibility, and the shape of the
-- distributions it draws.
local A = require "actlua"
local S = require "support"

-- Printed by python3 tests/ref/xoshiro_reference.py.
local reference = {
  [0] = {0.6012629994179048, 0.7477740925472398, 0.10301998939503632, 0.4165890778296456, 0.7329967790569901},
  [42] = {0.08386297105988216, 0.3789802506626686, 0.6800434110281394, 0.9246929453253876, 0.9918039142821028},
  [-9223372036854775803] = {0.17587737808940396, 0.8819378955354136, 0.12946160676027507, 0.37394081278166336, 0.4988000101440272},
}

describe("the generator", function()
  it("draws the xoshiro256** stream of the reference implementation", function()
    for seed, want in pairs(reference) do
      local g = A.Generator(seed)
      for i = 1, #want do assert.are.equal(want[i], g:random()) end
    end
  end)

  it("uses its stream for float64 uniforms", function()
    local g = A.Generator(42)
    local t = A.rand({5}, {dtype = "float64", generator = g})
    assert.are.same(reference[42], t:totable())
  end)

  it("gives the same bits for the same seed", function()
    A.manual_seed(7)
    local a = A.randn{100}
    local u = A.rand{3, 3}
    A.manual_seed(7)
    assert.are.same(a:totable(), A.randn{100}:totable())
    assert.are.same(u:totable(), A.rand{3, 3}:totable())
    A.manual_seed(8)
    assert.are_not.same(a:totable(), A.randn{100}:totable())
  end)

  it("keeps explicit generators independent of the global one", function()
    local g1, g2 = A.Generator(1), A.Generator(1)
    local a = A.randn({4}, {generator = g1})
    A.randn{10}
    assert.are.same(a:totable(), A.randn({4}, {generator = g2}):totable())
  end)

  it("draws normals with the requested mean and std", function()
    A.manual_seed(1)
    local x = A.normal(3, 2, {20000}, {dtype = "float64"})
    assert.is_true(math.abs(x:mean():item() - 3) < 0.05)
    assert.is_true(math.abs(x:std():item() - 2) < 0.05)
    local u = A.uniform(-1, 1, 20000)
    assert.is_true(u:min():item() >= -1 and u:max():item() < 1)
    assert.is_true(math.abs(u:mean():item()) < 0.02)
  end)

  it("fills in place", function()
    A.manual_seed(5)
    local t = A.zeros(1000):uniform_(2, 3)
    assert.is_true(t:min():item() >= 2 and t:max():item() < 3)
    t:normal_(0, 1)
    assert.is_true(math.abs(t:mean():item()) < 0.15)
  end)
end)
