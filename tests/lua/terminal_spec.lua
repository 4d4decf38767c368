-- Progress on a real terminal: experiment scripts run under a
-- pseudo-terminal (util-linux's script(1)) draw the in-place bar with step,
-- cost, steps/s and time left; --quiet draws nothing; TERM=dumb and a pipe
-- get plain lines. The summary table follows either way.
local support = require "support"

-- script(1) present and able to open a pseudo-terminal here
local have_script = support.have("script")
  and os.execute("script -qec true /dev/null </dev/null >/dev/null 2>&1") == true
local pty_it = have_script and it or pending

-- The redrawn states of the bar: the text between "\r" and "ESC [K".
local function frames(screen)
  local list = {}
  for f in screen:gmatch("\r([^\r\n]-)\27%[K") do
    if f ~= "" then list[#list + 1] = f end
  end
  return list
end

describe("progress on a terminal", function()
  pty_it("draws the bar with step, cost, steps/s and time left, then the table", function()
    local code, screen = support.run_script_in_terminal("e8_deep_xor",
      "--steps 2001 --seeds 2 --act relu", 120)
    assert.are.equal(0, code, screen)
    local list = frames(screen)
    -- the first update and the last step are always drawn, then the finish
    assert.is_true(#list >= 3, screen)
    local first, last = list[1], list[#list]
    assert.matches("^relu %[>? *%] +0%%  1/4002  cost %d", first)
    assert.matches("accuracy [%d.]+  [%d.]+k? steps/s  [%d.ms]+ left$", first)
    assert.matches("^relu %[=+%]  100%%  4002/4002  cost ", last)
    assert.matches(" steps/s  [%d.ms]+$", last)     -- the elapsed time, no "left"
    for _, f in ipairs(list) do assert.is_true(utf8.len(f) <= 119, f) end
    -- the bar's line ends before the table starts
    assert.matches("\27%[K\r?\n.*activation +acc 1%.0 at end", screen)
  end)

  pty_it("fits the line to an 80-column terminal", function()
    local code, screen = support.run_script_in_terminal("e8_deep_xor",
      "--steps 301 --seeds 1 --act leaky_relu", 80)
    assert.are.equal(0, code, screen)
    for _, f in ipairs(frames(screen)) do
      assert.is_true(utf8.len(f) <= 79, f)
      assert.matches("^leaky_relu .*301  cost [%d.]+  .*steps/s", f)
    end
  end)

  pty_it("draws nothing with --quiet, only the results", function()
    local code, screen = support.run_script_in_terminal("e8_deep_xor",
      "--steps 301 --seeds 1 --act tanh --quiet", 120)
    assert.are.equal(0, code, screen)
    assert.is_nil(screen:find("\27[K", 1, true))
    assert.is_nil(screen:find("steps/s", 1, true))
    assert.matches("tanh +%d/1", screen)
  end)

  pty_it("prints plain lines when TERM is dumb", function()
    local code, screen = support.run_script_in_terminal("e5_prelu",
      "--steps 100 --hidden 2 --n 30", 120, "TERM=dumb")
    assert.are.equal(0, code, screen)
    assert.is_nil(screen:find("\27[K", 1, true))
    assert.matches("E5 prelu: step 100/100 %(100%%%)  loss [%d.]+  .*steps/s  done in", screen)
  end)

  it("prints plain lines into a pipe", function()
    local code, out = support.run_script("e8_deep_xor", "--steps 1001 --seeds 1 --act relu")
    assert.are.equal(0, code)
    assert.is_nil(out:find("\27[K", 1, true))
    assert.is_nil(out:find("\r", 1, true))
    -- a line about every 10% of the steps (updated every 100), the last one
    local steps = {}
    for step in out:gmatch("relu: step (%d+)/1001") do steps[#steps + 1] = tonumber(step) end
    assert.is_true(#steps >= 5 and #steps <= 11, out)
    for i = 2, #steps do assert.is_true(steps[i] > steps[i - 1]) end
    assert.are.equal(1001, steps[#steps])
  end)
end)
