-- Bad input gets a Lua error that names the function, the argument and
-- what was wrong; nothing crashes. Messages are asserted by their words.
local A = require "actlua"
local S = require "support"

local function expect(fn, ...)
  local err = S.error_of(fn)
  assert(err, "the call did not fail")
  for _, words in ipairs{...} do
    if not err:find(words, 1, true) then
      error(("message %q lacks %q"):format(err, words), 2)
    end
  end
end

describe("bad input", function()
  it("matmul names both shapes", function()
    expect(function() return A.matmul(A.zeros{4, 2}, A.zeros{5, 5}) end,
           "bad argument #2 to 'matmul'", "[4,2]", "[5,5]")
  end)

  it("broadcasting names both shapes", function()
    expect(function() return A.zeros{2, 3} + A.zeros{4} end, "[2,3]", "[4]")
  end)

  it("a wrong type is named", function()
    expect(function() return A.exp("x") end, "bad argument #1 to 'exp'", "tensor expected")
    expect(function() return A.zeros{2}:add({}) end, "tensor expected")
  end)

  it("a ragged nested table says which row", function()
    expect(function() return A.tensor{{1, 2}, {3}} end,
           "bad argument #1 to 'tensor'", "ragged", "[2]", "expected 2")
  end)

  it("a non-number element says where it is", function()
    expect(function() return A.tensor{{1, 2}, {3, "x"}} end, "[2][2]", "string")
  end)

  it("negative and absurd sizes are refused", function()
    expect(function() return A.zeros{-1, 2} end, "negative")
    expect(function() return A.zeros{1e12, 1e12} end, "bad argument #1 to 'zeros'", "too many elements")
    expect(function() return A.zeros{2.5} end, "not an integer")
  end)

  it("dims are 1-based and checked", function()
    local t = A.zeros{2, 3}
    expect(function() return t:sum(3) end, "dim 3 is out of range for a 2-d tensor", "1 to 2")
    expect(function() return t:sum(0) end, "dim 0")
    expect(function() return t:transpose(1, 5) end, "dim 5")
  end)

  it("indices out of range are refused", function()
    local t = A.zeros{2, 3}
    expect(function() return t:select(2, 4) end, "index 4", "extent of 3")
    expect(function() return t:index_select(1, A.tensor{0}) end, "index 0", "1 to 2")
    expect(function() return t:gather(2, A.tensor{{1, 4, 1}, {1, 1, 1}}) end, "index 4", "1 to 3")
    expect(function() return t:narrow(2, 3, 2) end, "length 2")
  end)

  it("view of a non-contiguous tensor explains the way out", function()
    expect(function() return A.zeros{2, 3}:t():view(6) end, "view", "reshape")
  end)

  it("unknown dtypes are named", function()
    expect(function() return A.zeros({2}, {dtype = "float16"}) end, "float16")
    expect(function() return A.zeros{2}:to("half") end, "half")
  end)

  it("math on int64 tensors says how to convert", function()
    expect(function() return A.exp(A.tensor({1}, {dtype = "int64"})) end, "int64", "float dtype")
  end)

  it("item of a tensor with many elements gives its shape", function()
    expect(function() return A.zeros{2, 2}:item() end, "[2,2]")
  end)

  it("in-place ops refuse a shape they cannot write", function()
    expect(function() return A.zeros{3}:add_(A.zeros{2, 3}) end, "[2,3]", "[3]")
  end)

  it("cat names the mismatch", function()
    expect(function() return A.cat{A.zeros{2, 3}, A.zeros{2, 4}} end, "bad argument #1 to 'cat'")
    expect(function() return A.cat{A.zeros{2}, 5} end, "element 2", "number")
  end)

  it("an int64 tensor refuses fractions", function()
    expect(function() return A.tensor({1.5}, {dtype = "int64"}) end, "1.5")
  end)

  it("a failing call leaves the state usable", function()
    pcall(A.matmul, A.zeros{4, 2}, A.zeros{5, 5})
    assert.are.same({4, 5}, A.matmul(A.zeros{4, 2}, A.zeros{2, 5}):shape())
  end)
end)
