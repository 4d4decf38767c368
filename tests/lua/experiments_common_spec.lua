-- What every experiment script promises, checked on each in a reduced run:
-- --help, a clear error for a bad value or an unknown activation, progress
-- lines in a pipe and none with --quiet, a summary at the end, the same
-- output for the same seed, and --plot DIR with gnuplot (PNG and SVG
-- written, non-empty) and without it (the CSV and the gnuplot script, and a
-- message saying so). What each script measures is checked in its own spec.
local support = require "support"

local have_gnuplot = support.have("gnuplot")

-- Each script with small arguments, the figures --plot draws, whether it
-- takes --act, and a line its summary always prints.
local SCRIPTS = {
  {name = "xor", args = "--steps 200", figures = {"xor_cost"}, act = true,
   summary = "accuracy: "},
  {name = "e1_shapes", args = "--act sigmoid --step 0.05",
   figures = {"e1_shapes", "e1_derivatives"}, act = true, summary = "zero-centred"},
  {name = "e2_vanishing", args = "--steps 2 --act sigmoid,relu --depth 4",
   figures = {"e2_grad_norm_init", "e2_grad_norm_trained"}, act = true,
   summary = "first/last"},
  {name = "e3_zigzag", args = "--steps 10 --seeds 1 --hidden 4",
   figures = {"e3_trajectory"}, act = true, summary = "one-sign share"},
  {name = "e4_dying_relu", args = "--steps 20 --seeds 1 --hidden 4 --n 40",
   figures = {"e4_dead_share"}, act = true, summary = "never positive"},
  {name = "e5_prelu", args = "--steps 10 --hidden 2 --n 30",
   figures = {"e5_prelu_alphas"}, summary = "final median"},
  {name = "e6_maxout", args = "--steps 30 --n 60 --hidden 4",
   figures = {"e6_loss"}, act = true, summary = "total params"},
  {name = "e7_single_neuron", args = "--steps 100 --seeds 1 --act ncu,relu",
   figures = {"e7_loss"}, act = true, summary = "solved XOR"},
  {name = "e8_deep_xor", args = "--steps 201 --seeds 1 --act relu,tanh",
   figures = {"e8_cost", "e8_accuracy"}, act = true, summary = "acc 1.0 at end"},
}

local function ok_run(s, extra, env)
  return support.ok_run(s.name, s.args .. " " .. (extra or ""), env)
end

-- Runs s with --plot into a fresh folder; its output and the folder.
local function plot_run(s, env)
  local dir = support.tmpdir() .. "/figures"
  return ok_run(s, "--quiet --plot " .. support.shell_quote(dir), env), dir
end

for _, s in ipairs(SCRIPTS) do
  describe("scripts/" .. s.name .. ".lua", function()
    it("--help prints the usage and the common options, and exits 0", function()
      local code, out = support.run_script(s.name, "--help")
      assert.are.equal(0, code)
      for _, text in ipairs{"Usage: " .. s.name, "--seed", "--quiet", "--plot", "--help"} do
        assert.matches(text, out, 1, true)
      end
    end)

    it("rejects a bad value with a message, not a traceback (exit 1)", function()
      local code, out, err = support.run_script(s.name, "--seed x")
      assert.are.equal(1, code)
      assert.are.equal("", out)
      assert.matches("--seed: 'x' is not an integer", err, 1, true)
      assert.is_nil(err:find("traceback", 1, true))
      if s.act then
        code, _, err = support.run_script(s.name, "--act nosuch")
        assert.are.equal(1, code)
        assert.matches("unknown activation 'nosuch' (known: ", err, 1, true)
      end
    end)

    it("prints progress lines into a pipe, none with --quiet, and a summary", function()
      local out = ok_run(s)
      assert.matches(" steps/s  done in ", out, 1, true)
      local quiet = ok_run(s, "--quiet")
      assert.is_nil(quiet:find("steps/s", 1, true))
      assert.matches(s.summary, quiet, 1, true)
      assert.matches(s.summary, out, 1, true)
    end)

    it("prints the same results for the same seed", function()
      assert.are.equal(ok_run(s, "--quiet --seed 3"), ok_run(s, "--quiet --seed 3"))
    end)

    local with_gnuplot = have_gnuplot and it or pending
    with_gnuplot("--plot DIR draws PNG and SVG images through gnuplot and says where", function()
      local out, dir = plot_run(s)
      for _, stem in ipairs(s.figures) do
        local base = dir .. "/" .. stem
        for _, ext in ipairs{"csv", "gp", "png", "svg"} do
          assert.is_true((support.size(base .. "." .. ext) or 0) > 0, base .. "." .. ext)
          assert.matches(base .. "." .. ext, out, 1, true)
        end
        assert.are.equal("\137PNG", support.slurp(base .. ".png"):sub(1, 4))
        assert.matches("<svg", support.slurp(base .. ".svg"), 1, true)
      end
      assert.is_nil(out:find("gnuplot is not installed", 1, true))
      support.rm_rf(dir:match("^(.*)/"))
    end)

    it("--plot DIR without gnuplot writes the data and script and says so", function()
      -- A PATH with no gnuplot on it (the interpreter is named by its path).
      local empty = support.tmpdir()
      assert(os.execute("mkdir -p " .. support.shell_quote(empty)))
      local out, dir = plot_run(s, "PATH=" .. support.shell_quote(empty))
      for _, stem in ipairs(s.figures) do
        local base = dir .. "/" .. stem
        assert.is_true(support.size(base .. ".csv") > 0, base .. ".csv")
        assert.is_true(support.size(base .. ".gp") > 0, base .. ".gp")
        assert.is_nil(support.size(base .. ".png"))
        assert.is_nil(support.size(base .. ".svg"))
        assert.matches(base .. ".csv", out, 1, true)
        assert.matches("gnuplot " .. stem .. ".gp", out, 1, true)
      end
      assert.matches("gnuplot is not installed: wrote the data and script only", out, 1, true)
      support.rm_rf(empty)
      support.rm_rf(dir:match("^(.*)/"))
    end)
  end)
end

describe("a figure's gnuplot script", function()
  local with_gnuplot = have_gnuplot and it or pending
  with_gnuplot("redraws the images from the CSV beside it", function()
    local s = SCRIPTS[#SCRIPTS]
    local _, dir = plot_run(s, "PATH=/nonexistent")
    assert.is_nil(support.size(dir .. "/e8_cost.png"))
    assert(os.execute(("cd %s && gnuplot e8_cost.gp"):format(support.shell_quote(dir))))
    assert.are.equal("\137PNG", support.slurp(dir .. "/e8_cost.png"):sub(1, 4))
    assert.matches("<svg", support.slurp(dir .. "/e8_cost.svg"), 1, true)
    support.rm_rf(dir:match("^(.*)/"))
  end)
end)
