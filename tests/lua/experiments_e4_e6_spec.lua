-- Experiments E4 (dying ReLU), E5 (PReLU alphas) and E6 (maxout): each
-- script runs in a subprocess with small arguments and --quiet; its exit
-- status, its summary table and the facts it is about are checked, and the
-- same seed must give the same output.
local bin = os.getenv("ACTLUA_BIN") or "build/actlua"
local src = os.getenv("ACTLUA_SRC") or "."

local function slurp(path)
  local f = assert(io.open(path)); local s = f:read("a"); f:close(); os.remove(path)
  return s
end

-- Runs scripts/NAME.lua with args; exit code, stdout, stderr.
local function run(name, args)
  local out, err = os.tmpname(), os.tmpname()
  local script = src .. "/scripts/" .. name .. ".lua"
  local ok, how, code = os.execute(("%q %q %s >%q 2>%q"):format(bin, script, args, out, err))
  assert.are.equal("exit", how)
  return code, slurp(out), slurp(err)
end

-- The cells of the table row whose text starts with `prefix` (cells are
-- separated by two or more spaces).
local function row(out, prefix)
  for line in out:gmatch("[^\n]+") do
    if line:sub(1, #prefix) == prefix then
      local cells = {}
      for cell in (line .. "  "):gmatch("(.-)%s%s+") do
        if cell ~= "" then cells[#cells + 1] = cell end
      end
      return cells
    end
  end
  error(("no row starting with '%s' in:\n%s"):format(prefix, out), 2)
end

local function ok_run(name, args)
  local code, out, err = run(name, args)
  assert.are.equal(0, code, err)
  return out
end

describe("E4 dying relu", function()
  local args = "--quiet --steps 150 --seeds 1 --hidden 16 --n 100"
  local out

  setup(function() out = ok_run("e4_dying_relu", args) end)

  it("prints the table for every activation and set-up", function()
    assert.matches("E4 dying ReLU", out, 1, true)
    assert.matches("never positive", out, 1, true)
    for _, act in ipairs{"relu", "leaky_relu", "elu", "prelu"} do
      for _, setup in ipairs{"baseline", "high lr", "bad bias"} do
        local cells = row(out, ("%-10s  %s"):format(act, setup))
        assert.are.equal(7, #cells)
      end
    end
  end)

  it("bad bias init kills most relu units, far more than leaky_relu's", function()
    local relu = tonumber(row(out, "relu        bad bias")[4])
    local leaky = tonumber(row(out, "leaky_relu  bad bias")[4])
    assert.is_true(relu >= 0.9, "relu dead share " .. relu)
    assert.is_true(leaky <= relu - 0.3, ("leaky %g vs relu %g"):format(leaky, relu))
  end)

  it("dead relu units get exactly no gradient; leaky ones some", function()
    assert.are.equal(0, tonumber(row(out, "relu        bad bias")[5]))
    assert.is_true(tonumber(row(out, "leaky_relu  bad bias")[5]) > 0)
  end)

  it("gives the same output for the same seed", function()
    assert.are.equal(out, ok_run("e4_dying_relu", args))
  end)
end)

describe("E5 prelu", function()
  local args = "--quiet --steps 200 --hidden 8 --n 150"
  local out

  setup(function() out = ok_run("e5_prelu", args) end)

  it("prints the table and the accuracy", function()
    assert.matches("E5 PReLU", out, 1, true)
    assert.matches("accuracy %d%.%d+", out)
    assert.are.equal(8, #row(out, "prelu 1"))
    assert.are.equal(8, #row(out, "prelu 2"))
  end)

  it("moves the alphas away from 0.25", function()
    for _, layer in ipairs{"prelu 1", "prelu 2"} do
      local cells = row(out, layer)
      assert.are.equal("0.250", cells[3])
      local mn, mx, moved = tonumber(cells[4]), tonumber(cells[6]), tonumber(cells[7])
      assert.is_true(moved > 0.05, layer .. " moved " .. moved)
      assert.is_true(mn < 0.25 or mx > 0.25)
      assert.is_true(mx > mn)
    end
  end)

  it("gives the same output for the same seed, another for another", function()
    assert.are.equal(out, ok_run("e5_prelu", args))
    assert.are_not.equal(out, ok_run("e5_prelu", args .. " --seed 1"))
  end)

  it("writes the alpha figure with --plot", function()
    local dir = os.tmpname()
    os.remove(dir)
    local o = ok_run("e5_prelu", "--quiet --steps 5 --hidden 2 --n 30 --plot " .. dir)
    assert.matches("wrote ", o, 1, true)
    local f = assert(io.open(dir .. "/e5_prelu_alphas.csv"))
    local header = f:read("l")
    f:close()
    assert.matches("L1 a1", header, 1, true)
    os.execute(("rm -rf %q"):format(dir))
  end)
end)

describe("E6 maxout", function()
  local function check(pieces, hidden)
    local out = ok_run("e6_maxout", ("--quiet --steps 100 --n 150 --pieces %d --hidden %d")
                                      :format(pieces, hidden))
    assert.matches("E6 maxout vs relu", out, 1, true)
    local mx = row(out, ("maxout (k = %d)"):format(pieces))
    local rl = row(out, "relu")
    assert.are.equal(7, #mx)
    -- the relu net's first layer: nn.Linear(2, H), 2 H weights + H biases
    local relu_first = 2 * hidden + hidden
    assert.are.equal(relu_first, tonumber(rl[2]))
    assert.are.equal(pieces * relu_first, tonumber(mx[2]))
    assert.are.equal(pieces * (hidden * hidden + hidden), tonumber(mx[3]))
    assert.are.equal(hidden * hidden + hidden, tonumber(rl[3]))
    assert.are.equal(tonumber(rl[4]), tonumber(mx[4]))
    local acc = tonumber(mx[6])
    assert.is_true(acc >= 0 and acc <= 1)
    assert.are.equal(pieces, tonumber(row(out, "maxout / relu")[2]))
    return out
  end

  it("has pieces times the relu net's hidden-layer parameters", function()
    check(2, 8)
    check(3, 5)
  end)

  it("gives the same output for the same seed", function()
    assert.are.equal(check(2, 8), check(2, 8))
  end)
end)

describe("experiment scripts", function()
  it("--help exits 0 with the usage", function()
    for _, name in ipairs{"e4_dying_relu", "e5_prelu", "e6_maxout"} do
      local code, out = run(name, "--help")
      assert.are.equal(0, code)
      assert.matches("Usage: " .. name, out, 1, true)
      assert.matches("--seed", out, 1, true)
    end
  end)

  it("a bad value exits 1 with a message", function()
    local code, _, err = run("e6_maxout", "--pieces 0")
    assert.are.equal(1, code)
    assert.matches("--pieces", err, 1, true)
  end)
end)
