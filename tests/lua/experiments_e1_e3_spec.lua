-- Experiment scripts E1 (activation shapes), E2 (vanishing gradient) and E3
-- (zig-zag updates), each run in a subprocess with small arguments: exit
-- status, the summary table, the key measured facts, reproducibility,
-- --help, a bad --act, and the figures of --plot.
local bin = os.getenv("ACTLUA_BIN") or "build/actlua"
local have_gnuplot = os.execute("command -v gnuplot >/dev/null 2>&1") == true

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

-- The cells of the first table row starting with `name` (split on 2+ spaces).
local function row(out, name, nth)
  local seen = 0
  for line in out:gmatch("[^\n]+") do
    if line:sub(1, #name + 1) == name .. " " then
      seen = seen + 1
      if seen == (nth or 1) then
        local cells = {}
        for cell in (line .. "  "):gmatch("(.-)%s%s+") do
          if cell ~= "" then cells[#cells + 1] = cell end
        end
        return cells
      end
    end
  end
  error("no table row for " .. name .. " in:\n" .. out)
end

local function exists(path)
  local f = io.open(path); if f then f:close() end
  return f ~= nil
end

local function check_plot(script, args, stems)
  local dir = os.tmpname(); os.remove(dir)
  local code, out = run(script, args .. " --quiet --plot " .. dir)
  assert.are.equal(0, code)
  assert.truthy(out:find("wrote " .. dir, 1, true))
  for _, stem in ipairs(stems) do
    assert.is_true(exists(dir .. "/" .. stem .. ".csv"), stem .. ".csv")
    assert.is_true(exists(dir .. "/" .. stem .. ".gp"), stem .. ".gp")
    if have_gnuplot then
      assert.is_true(exists(dir .. "/" .. stem .. ".png"), stem .. ".png")
      assert.is_true(exists(dir .. "/" .. stem .. ".svg"), stem .. ".svg")
    end
  end
  os.execute(("rm -rf %q"):format(dir))
end

describe("scripts/e1_shapes.lua", function()
  local code, out, err
  setup(function() code, out, err = run("e1_shapes.lua", "--quiet --step 0.01") end)

  it("exits 0 and prints the table of properties", function()
    assert.are.equal(0, code, err)
    assert.truthy(out:find("E1: element-wise activations", 1, true))
    assert.truthy(out:find("activation%s+min%s+max%s+max |f'|"))
    assert.are.equal("", err)
  end)

  it("measures sigmoid's derivative peak: 0.25 at 0, and its range (0, 1)", function()
    local c = row(out, "sigmoid")
    assert.is_true(math.abs(tonumber(c[4]) - 0.25) < 1e-9)
    assert.are.equal("0.000", c[5])
    assert.is_true(tonumber(c[2]) > 0 and tonumber(c[3]) < 1)
    assert.are.equal("no", c[7])          -- not zero-centred
    assert.are.equal("up", c[8])
  end)

  it("measures tanh (peak 1, zero-centred) and relu (half the inputs with zero gradient)", function()
    local t = row(out, "tanh")
    assert.is_true(math.abs(tonumber(t[4]) - 1) < 1e-9)
    assert.are.equal("yes", t[7])
    local r = row(out, "relu")
    assert.is_true(math.abs(tonumber(r[9]) - 0.5) < 1e-3)
    assert.are.equal("no", r[7])
    assert.truthy(out:find("agrees   relu: f'(-1) = 0, f'(0) = 0, f'(1) = 1", 1, true))
  end)

  it("finds the softmax of the article's grid sums to 1", function()
    local s = row(out, "softmax")
    assert.is_true(math.abs(tonumber(s[2]) - 1) < 1e-12)
    assert.truthy(out:find("agrees   softmax of the 100-point grid sums to", 1, true))
    assert.is_nil(out:find("DIFFERS", 1, true))
  end)

  it("restricts to one activation with --act and is reproducible", function()
    local c1, o1 = run("e1_shapes.lua", "--quiet --act relu --seed 3")
    local c2, o2 = run("e1_shapes.lua", "--quiet --act relu --seed 3")
    assert.are.equal(0, c1); assert.are.equal(0, c2)
    assert.are.equal(o1, o2)
    assert.is_nil(o1:find("\nsigmoid ", 1, true))
    assert.truthy(o1:find("\nrelu ", 1, true))
  end)

  it("--help exits 0; a bad --act exits 1 with a message", function()
    local c, o = run("e1_shapes.lua", "--help")
    assert.are.equal(0, c); assert.truthy(o:find("Usage", 1, true))
    local c2, _, e2 = run("e1_shapes.lua", "--act nosuch")
    assert.are.equal(1, c2); assert.truthy(e2:find("unknown activation 'nosuch'", 1, true))
  end)

  it("writes the figures with --plot", function()
    check_plot("e1_shapes.lua", "--step 0.05 --act sigmoid",
               {"e1_shapes", "e1_derivatives"})
  end)
end)

describe("scripts/e2_vanishing.lua", function()
  local args = "--quiet --steps 5 --act sigmoid,relu,tanh"
  local code, out, err
  setup(function() code, out, err = run("e2_vanishing.lua", args) end)

  it("exits 0 and prints the per-layer table", function()
    assert.are.equal(0, code, err)
    assert.truthy(out:find("E2: weight-gradient norm per linear layer", 1, true))
    assert.truthy(out:find("first/last", 1, true))
  end)

  it("finds sigmoid's gradient vanishing at initialisation, not relu's or tanh's", function()
    local s = row(out, "sigmoid")
    assert.are.equal("init", s[2])
    assert.is_true(tonumber(s[6]) < 1e-2)
    assert.are.equal("yes", s[7])
    assert.are.equal("no", row(out, "relu")[7])
    assert.are.equal("no", row(out, "tanh")[7])
    assert.truthy(out:find("Vanishing (first/last < 0.01): sigmoid (init", 1, true))
  end)

  it("gives the same output for the same seed", function()
    local c, o = run("e2_vanishing.lua", args)
    assert.are.equal(0, c)
    assert.are.equal(out, o)
    local c2, o2 = run("e2_vanishing.lua", args .. " --seed 1")
    assert.are.equal(0, c2)
    assert.are_not.equal(out, o2)
  end)

  it("--help exits 0; a bad --act exits 1 with a message", function()
    local c, o = run("e2_vanishing.lua", "--help")
    assert.are.equal(0, c); assert.truthy(o:find("--steps", 1, true))
    local c2, _, e2 = run("e2_vanishing.lua", "--act sigmoid,nosuch")
    assert.are.equal(1, c2); assert.truthy(e2:find("unknown activation 'nosuch'", 1, true))
    local c3, _, e3 = run("e2_vanishing.lua", "--act softmax")
    assert.are.equal(1, c3); assert.truthy(e3:find("softmax", 1, true))
  end)

  it("writes the figures with --plot", function()
    check_plot("e2_vanishing.lua", "--steps 2 --act sigmoid,relu",
               {"e2_grad_norm_init", "e2_grad_norm_trained"})
  end)
end)

describe("scripts/e3_zigzag.lua", function()
  local args = "--quiet --steps 40 --seeds 1"
  local code, out, err
  setup(function() code, out, err = run("e3_zigzag.lua", args) end)

  it("exits 0 and prints the table", function()
    assert.are.equal(0, code, err)
    assert.truthy(out:find("E3: gradients of the 8 x 8 layer", 1, true))
    assert.truthy(out:find("one-sign share", 1, true))
  end)

  it("with one example per step, every neuron behind sigmoid has one-sign gradients, few behind tanh", function()
    local s, t = row(out, "sigmoid"), row(out, "tanh")
    assert.are.equal("1", s[2]); assert.are.equal("1", t[2])
    assert.are.equal(1, tonumber(s[3]))
    assert.are.equal(1, tonumber(s[4]))
    assert.is_true(tonumber(t[3]) < 0.2)
    -- the full-batch rows exist too
    assert.truthy(row(out, "sigmoid", 2)[2]:find("full", 1, true))
  end)

  it("gives the same output for the same seed", function()
    local c, o = run("e3_zigzag.lua", args)
    assert.are.equal(0, c)
    assert.are.equal(out, o)
  end)

  it("--help exits 0; a bad --act exits 1 with a message", function()
    local c, o = run("e3_zigzag.lua", "--help")
    assert.are.equal(0, c); assert.truthy(o:find("--hidden", 1, true))
    local c2, _, e2 = run("e3_zigzag.lua", "--act nosuch")
    assert.are.equal(1, c2); assert.truthy(e2:find("unknown activation 'nosuch'", 1, true))
  end)

  it("writes the trajectory figure with --plot", function()
    check_plot("e3_zigzag.lua", "--steps 10 --seeds 1", {"e3_trajectory"})
  end)
end)
