-- Experiment scripts E7 (one neuron on XOR) and E8 (deep XOR), each run in
-- a subprocess with small arguments: exit status, the summary table and
-- the key facts (a non-monotonic neuron solves XOR, a relu neuron never
-- does; deep sigmoid sticks at ln 2), reproducibility, --help, bad --act.
local bin = os.getenv("ACTLUA_BIN") or "build/actlua"

local function slurp(path)
  local f = assert(io.open(path)); local s = f:read("a"); f:close(); os.remove(path)
  return s
end

-- Runs a script with arguments; its exit status, stdout and stderr.
local function run(script, args)
  local out, err = os.tmpname(), os.tmpname()
  local _, how, code = os.execute(("%q %q %s >%q 2>%q"):format(
    bin, "scripts/" .. script, args, out, err))
  assert.are.equal("exit", how)
  return code, slurp(out), slurp(err)
end

-- The cells of the table row starting with `name` (split on 2+ spaces).
local function row(out, name)
  for line in out:gmatch("[^\n]+") do
    if line:sub(1, #name + 1) == name .. " " then
      local cells = {}
      for cell in (line .. "  "):gmatch("(.-)%s%s+") do
        if cell ~= "" then cells[#cells + 1] = cell end
      end
      return cells
    end
  end
  error("no table row for " .. name .. " in:\n" .. out)
end

-- "k/n" -> k, n
local function count(cell)
  local k, n = cell:match("^(%d+)/(%d+)$")
  assert(k, "not a count: " .. tostring(cell))
  return tonumber(k), tonumber(n)
end

describe("scripts/e7_single_neuron.lua", function()
  local code, out, err

  setup(function()
    code, out, err = run("e7_single_neuron.lua",
                         "--steps 600 --seeds 3 --quiet --act sine,ncu,relu,sigmoid")
  end)

  it("exits 0 with the summary table", function()
    assert.are.equal(0, code, err)
    assert.matches("activation%s+monotonic%s+solved XOR%s+mean final loss", out)
    assert.matches("E7 one neuron on XOR", out, 1, true)
  end)

  it("a sine or ncu neuron solves XOR, a relu or sigmoid neuron never does", function()
    local sine = count(row(out, "sine")[3])
    local ncu = count(row(out, "ncu")[3])
    assert.is_true(sine + ncu >= 1, out)
    local relu, n = count(row(out, "relu")[3])
    assert.are.equal(0, relu)
    assert.are.equal(3, n)
    assert.are.equal(0, (count(row(out, "sigmoid")[3])))
  end)

  it("the affine readout still never lets a monotonic unit solve XOR", function()
    local c, o, e = run("e7_single_neuron.lua",
                        "--steps 300 --seeds 2 --quiet --readout affine --act relu,tanh,sine")
    assert.are.equal(0, c, e)
    assert.are.equal(0, (count(row(o, "relu")[3])))
    assert.are.equal(0, (count(row(o, "tanh")[3])))
  end)

  it("gives the same output for the same seed", function()
    local args = "--steps 200 --seeds 2 --seed 7 --quiet --act ncu,gcu --optim sgd --lr 0.5"
    local c1, o1 = run("e7_single_neuron.lua", args)
    local c2, o2 = run("e7_single_neuron.lua", args)
    assert.are.equal(0, c1); assert.are.equal(0, c2)
    assert.are.equal(o1, o2)
  end)

  it("writes a figure with --plot and says where", function()
    local dir = os.tmpname(); os.remove(dir)
    local c, o, e = run("e7_single_neuron.lua",
                        ("--steps 100 --seeds 1 --quiet --act ncu --plot %q"):format(dir))
    assert.are.equal(0, c, e)
    assert.matches("wrote " .. dir .. "/e7_loss.csv", o, 1, true)
    assert.is_truthy(io.open(dir .. "/e7_loss.csv"))
    os.execute(("rm -rf %q"):format(dir))
  end)

  it("--help exits 0, a bad --act exits 1 with a message", function()
    local c, o = run("e7_single_neuron.lua", "--help")
    assert.are.equal(0, c)
    assert.matches("--readout", o, 1, true)
    local c2, _, e2 = run("e7_single_neuron.lua", "--act nosuchunit")
    assert.are.equal(1, c2)
    assert.matches("unknown activation 'nosuchunit'", e2, 1, true)
    assert.not_matches("traceback", e2)
  end)
end)

describe("scripts/e8_deep_xor.lua", function()
  it("deep sigmoid sticks at ln 2 with the default seed, and never learns", function()
    local code, out, err = run("e8_deep_xor.lua", "--steps 2001 --seeds 1 --quiet --act sigmoid")
    assert.are.equal(0, code, err)
    assert.matches("activation%s+acc 1.0 at end", out)
    local cells = row(out, "sigmoid")
    assert.are.equal("0/1", cells[2])
    local cost = tonumber(cells[6])
    assert(cost and math.abs(cost - math.log(2)) < 1e-3, "final cost " .. tostring(cells[6]))
    assert.matches("PyTorch 1.13", out, 1, true)
  end)

  it("gives the same output for the same seed, and runs every default activation", function()
    local args = "--steps 301 --seeds 2 --seed 3 --quiet"
    local c1, o1 = run("e8_deep_xor.lua", args)
    local c2, o2 = run("e8_deep_xor.lua", args)
    assert.are.equal(0, c1); assert.are.equal(0, c2)
    assert.are.equal(o1, o2)
    for _, act in ipairs{"sigmoid", "relu", "leaky_relu", "tanh"} do
      local _, n = count(row(o1, act)[2])
      assert.are.equal(2, n)
    end
  end)

  it("--stable runs and never goes NaN", function()
    local code, out, err = run("e8_deep_xor.lua", "--stable --steps 501 --seeds 2 --quiet")
    assert.are.equal(0, code, err)
    assert.matches("clamped (bce)", out, 1, true)
    for _, act in ipairs{"sigmoid", "relu", "leaky_relu", "tanh"} do
      assert.are.equal(0, (count(row(out, act)[4])))
    end
  end)

  it("--help exits 0, a bad --act exits 1 with a message", function()
    local c, o = run("e8_deep_xor.lua", "--help")
    assert.are.equal(0, c)
    assert.matches("--stable", o, 1, true)
    local c2, _, e2 = run("e8_deep_xor.lua", "--act relu,bogus")
    assert.are.equal(1, c2)
    assert.matches("unknown activation 'bogus'", e2, 1, true)
  end)
end)
