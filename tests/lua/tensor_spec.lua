-- The Tensor type from Lua: creation, description, 1-based indexing,
-- views, conversions and printing.
local A = require "actlua"
local S = require "support"

describe("require 'actlua'", function()
  it("returns a table and sets no global", function()
    assert.is_table(A)
    assert.is_nil(rawget(_G, "actlua"))
    assert.is_nil(rawget(_G, "A"))
    assert.are.equal(A, require "actlua")
    assert.is_string(A.version)
  end)
end)

describe("creation", function()
  it("builds a tensor from nested tables, float32 by default", function()
    local t = A.tensor{{1, 2, 3}, {4, 5, 6}}
    assert.are.same({2, 3}, t:shape())
    assert.are.equal("float32", t:dtype())
    assert.are.same({{1, 2, 3}, {4, 5, 6}}, t:totable())
    assert.are.equal(2, t:dim())
    assert.are.equal(6, t:numel())
    assert.are.equal(2, #t)
  end)

  it("takes a dtype option", function()
    local t = A.tensor({0.1, 0.2}, {dtype = "float64"})
    assert.are.equal("float64", t:dtype())
    assert.are.equal(0.1, t[1]) -- exact in float64
    local f = A.tensor{0.1}
    assert.are_not.equal(0.1, f[1]) -- rounded to float32
    assert.is_true(S.close(f[1], 0.1, 1e-7))
  end)

  it("makes a 0-d tensor from a number", function()
    local t = A.tensor(3.5)
    assert.are.same({}, t:shape())
    assert.are.equal(3.5, t:item())
    assert.are.equal(3.5, t:totable())
  end)

  it("makes zeros, ones, full, eye from a table or from integers", function()
    assert.are.same({{0, 0, 0}, {0, 0, 0}}, A.zeros{2, 3}:totable())
    assert.are.same({{0, 0, 0}, {0, 0, 0}}, A.zeros(2, 3):totable())
    assert.are.same({1, 1}, A.ones(2):totable())
    assert.are.same({{7, 7}}, A.full({1, 2}, 7):totable())
    assert.are.same({{1, 0, 0}, {0, 1, 0}}, A.eye(2, 3):totable())
    assert.are.equal("float64", A.zeros({2}, {dtype = "float64"}):dtype())
    assert.are.same({0, 3}, A.zeros{0, 3}:shape())
  end)

  it("makes ranges like PyTorch (end exclusive)", function()
    assert.are.same({0, 1, 2, 3, 4}, A.arange(5):totable())
    assert.are.same({2, 4, 6}, A.arange(2, 8, 2):totable())
    assert.are.same({3, 2, 1}, A.arange(3, 0, -1):totable())
    S.assert_close(A.linspace(0, 1, 5), {0, 0.25, 0.5, 0.75, 1})
    assert.are.equal(100, A.linspace(-5, 5):numel())
  end)

  it("makes *_like tensors", function()
    local t = A.zeros({2, 3}, {dtype = "float64"})
    local o = A.ones_like(t)
    assert.are.same({2, 3}, o:shape())
    assert.are.equal("float64", o:dtype())
    assert.are.equal(6, o:sum():item())
  end)

  it("switches the default dtype", function()
    A.set_default_dtype("float64")
    assert.are.equal("float64", A.zeros(1):dtype())
    assert.are.equal("float64", A.get_default_dtype())
    A.set_default_dtype("float32")
    assert.are.equal("float32", A.zeros(1):dtype())
  end)
end)

describe("indexing", function()
  it("is 1-based: t[i] is a number on a 1-d tensor, a view otherwise", function()
    local t = A.tensor{{1, 2}, {3, 4}}
    assert.are.equal(3, t[2][1])
    assert.are.equal(4, t[-1][-1])
    local row = t[1]
    assert.are.same({2}, row:shape())
    row[2] = 20 -- writes through the view
    assert.are.equal(20, t[1][2])
  end)

  it("assigns numbers and tensors to rows", function()
    local t = A.zeros{2, 3}
    t[1] = 5
    t[2] = A.tensor{1, 2, 3}
    assert.are.same({{5, 5, 5}, {1, 2, 3}}, t:totable())
  end)

  it("rejects out-of-range indices with the extent", function()
    local t = A.zeros{3}
    local err = S.error_of(function() return t[4] end)
    assert.truthy(err:find("index 4 is out of range for an extent of 3", 1, true))
    assert.truthy(S.error_of(function() return t[0] end):find("index 0", 1, true))
  end)

  it("returns integers for int64 tensors", function()
    local t = A.tensor({5, 6}, {dtype = "int64"})
    assert.are.equal(math.type(t[1]), "integer")
    assert.are.equal("int64", t:dtype())
  end)
end)

describe("views", function()
  local base
  before_each(function() base = A.arange(6):reshape{2, 3} end)

  it("view and reshape share storage; -1 is inferred", function()
    local v = base:view(3, -1)
    assert.are.same({3, 2}, v:shape())
    v[1][1] = 100
    assert.are.equal(100, base[1][1])
  end)

  it("transposes without copying and copies on reshape when it must", function()
    local t = base:t()
    assert.are.same({3, 2}, t:shape())
    assert.is_false(t:is_contiguous())
    assert.are.same({{0, 3}, {1, 4}, {2, 5}}, t:totable())
    assert.has_error(function() t:view(6) end)
    assert.are.same({0, 3, 1, 4, 2, 5}, t:reshape(6):totable())
    assert.is_true(t:contiguous():is_contiguous())
  end)

  it("permutes, narrows, selects", function()
    local x = A.arange(24):reshape{2, 3, 4}
    assert.are.same({4, 2, 3}, x:permute(3, 1, 2):shape())
    assert.are.same({4, 2, 3}, x:permute{3, 1, 2}:shape())
    assert.are.same({{4, 5, 6, 7}, {8, 9, 10, 11}}, x[1]:narrow(1, 2, 2):totable())
    assert.are.same({1, 5, 9}, x:select(1, 1):select(2, 2):totable())
    assert.are.same({3, 4}, x:select(1, -1):shape())
  end)

  it("expands, squeezes, unsqueezes", function()
    local c = A.tensor{{1}, {2}}
    assert.are.same({{1, 1, 1}, {2, 2, 2}}, c:expand(2, 3):totable())
    assert.are.same({2}, c:squeeze():shape())
    assert.are.same({2, 1}, c:squeeze(1):shape())
    assert.are.same({2}, c:squeeze(2):shape())
    assert.are.same({1, 2, 1}, c:unsqueeze(1):shape())
    assert.are.same({2, 1, 1}, c:unsqueeze(-1):shape())
  end)

  it("clones into independent storage", function()
    local c = base:clone()
    c[1][1] = 9
    assert.are.equal(0, base[1][1])
  end)
end)

describe("conversions", function()
  it("converts dtypes", function()
    local t = A.tensor{1.5, -2.5}
    assert.are.equal("float64", t:double():dtype())
    assert.are.same({1, -2}, t:long():totable())
    assert.are.equal("int64", t:to("int64"):dtype())
    assert.are.equal(t, t:float()) -- same dtype: the same tensor
  end)

  it("copies with broadcasting and dtype conversion", function()
    local t = A.zeros({2, 3}, {dtype = "float64"})
    t:copy_(A.tensor{1, 2, 3})
    assert.are.same({{1, 2, 3}, {1, 2, 3}}, t:totable())
    t:fill_(4)
    assert.are.same({{4, 4, 4}, {4, 4, 4}}, t:totable())
    t:zero_()
    assert.are.equal(0, t:sum():item())
  end)
end)

describe("printing", function()
  it("shows values, shape and dtype", function()
    local s = tostring(A.tensor{{1, 2}, {3, 4.5}})
    assert.truthy(s:find("4.5000", 1, true))
    assert.truthy(s:find("shape=[2,2]", 1, true))
    assert.truthy(s:find("float32", 1, true))
    assert.truthy(tostring(A.tensor{1}:long()):find("int64", 1, true))
  end)
end)

describe("lifetime", function()
  it("closes a to-be-closed tensor, after which it cannot be used", function()
    local keep
    do
      local t <close> = A.ones(3)
      keep = t
    end
    assert.truthy(S.error_of(function() return keep:sum() end):find("closed", 1, true))
    assert.truthy(tostring(keep):find("closed", 1, true))
  end)

  it("keeps a base alive while a view of it lives", function()
    local v = A.arange(4):view(2, 2)
    collectgarbage()
    assert.are.same({{0, 1}, {2, 3}}, v:totable())
  end)

  it("keeps freed blocks for reuse until empty_cache", function()
    A.empty_cache()
    assert.are.equal(0, A.memory_cached())
    local live
    do
      local t <close> = A.zeros{1024, 1024}
      live = A.memory_in_use()
    end
    assert.is_true(A.memory_in_use() <= live - 4 * 1024 * 1024)
    assert.is_true(A.memory_cached() >= 4 * 1024 * 1024)
    A.empty_cache()
    assert.are.equal(0, A.memory_cached())
  end)
end)
