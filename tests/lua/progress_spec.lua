-- actlua.progress: the plain lines (at the expected steps, with metrics,
-- rate and time from an injected clock), quiet mode, and the in-place bar.
require "actlua"   -- registers the actlua.* modules in package.preload
local progress = require "actlua.progress"

-- A reporter writing into a table, with a clock the test moves.
local function capture(opts)
  local out, now = {}, {t = 0}
  opts.out = function(s) out[#out + 1] = s end
  opts.clock = function() return now.t end
  return progress.new(opts), out, now
end

describe("actlua.progress", function()
  it("prints a line every 10% of the total when not on a terminal", function()
    local bar, out, now = capture{total = 100, tty = false}
    for step = 1, 100 do
      now.t = step * 0.01
      bar:update(step, {cost = 1 / step})
    end
    bar:finish()
    assert.are.equal(10, #out)
    assert.are.equal("step 10/100 (10%)  cost 0.1  100 steps/s  0.9s left\n", out[1])
    assert.are.equal("step 50/100 (50%)  cost 0.02  100 steps/s  0.5s left\n", out[5])
    assert.are.equal("step 100/100 (100%)  cost 0.01  100 steps/s  done in 1.0s\n", out[10])
  end)

  it("prints every N steps, starting from step 0, with a label", function()
    local bar, out, now = capture{total = 95, every = 30, tty = false, label = "relu seed 1"}
    for step = 0, 95 do
      now.t = step * 0.5
      bar:update(step)
    end
    bar:finish()
    local steps = {}
    for i, line in ipairs(out) do steps[i] = tonumber(line:match("step (%d+)/95")) end
    assert.are.same({30, 60, 90, 95}, steps)
    assert.are.equal("relu seed 1: step 30/95 (31%)  2 steps/s  33s left\n", out[1])
    assert.are.equal("relu seed 1: step 95/95 (100%)  2 steps/s  done in 48s\n", out[4])
  end)

  it("prints a line when steps jump past a multiple of every", function()
    local bar, out = capture{total = 1000, every = 250, tty = false}
    for step = 100, 1000, 100 do bar:update(step) end
    local steps = {}
    for i, line in ipairs(out) do steps[i] = tonumber(line:match("step (%d+)/")) end
    assert.are.same({300, 500, 800, 1000}, steps)
  end)

  it("orders and formats the metrics", function()
    local bar, out = capture{total = 10, every = 10, tty = false,
                             metrics = {"cost", "accuracy"}, format = {accuracy = "%.2f"}}
    bar:update(10, {accuracy = 0.5, zeta = 3, cost = 0 / 0, alpha = 1 / 0})
    -- No time has passed: the rate is unknown.
    assert.are.equal("step 10/10 (100%)  cost NaN  accuracy 0.50  alpha inf  zeta 3  "
                     .. "? steps/s  done in 0.0s\n", out[1])
  end)

  it("finishes with the last state when it was not printed yet", function()
    local bar, out, now = capture{total = 100, every = 40, tty = false}
    for step = 1, 50 do now.t = step; bar:update(step, {cost = step}) end
    bar:finish({cost = 0.5})
    assert.are.equal(2, #out)
    assert.are.equal("step 50/100 (50%)  cost 0.5  1 steps/s  done in 50s\n", out[2])
    bar:update(60)
    bar:finish()
    assert.are.equal(2, #out)
  end)

  it("works without a total", function()
    local bar, out, now = capture{every = 2, tty = false}
    for step = 1, 5 do now.t = step; bar:update(step) end
    bar:finish()
    assert.are.same({"step 2  1 steps/s\n", "step 4  1 steps/s\n",
                     "step 5  1 steps/s  done in 5.0s\n"}, out)
  end)

  it("prints nothing when quiet", function()
    local bar, out = capture{total = 10, quiet = true, every = 1, tty = false}
    for step = 1, 10 do bar:update(step, {cost = 1}) end
    bar:print("a message")
    bar:finish()
    local tty_bar, tty_out = capture{total = 10, quiet = true, tty = true}
    tty_bar:update(10)
    tty_bar:finish()
    assert.are.same({}, out)
    assert.are.same({}, tty_out)
  end)

  it("redraws one line in place, at most every interval, on a terminal", function()
    local bar, out, now = capture{total = 100, tty = true, width = 80, label = "tanh",
                                  interval = 0.125}
    for step = 1, 100 do
      now.t = step / 64                   -- 64 steps/s: a redraw every 8 steps
      bar:update(step, {cost = 0.25})
    end
    assert.are.equal(14, #out)            -- steps 1, 9, 17, ..., 97 and 100
    for _, s in ipairs(out) do
      assert.are.equal("\r", s:sub(1, 1))
      assert.are.equal("\27[K", s:sub(-3))
      assert.is_nil(s:find("\n", 1, true))
      assert.is_true(utf8.len(s) - 4 <= 79)
    end
    -- 80 columns: 74 after the label; the first line's text takes 45 and
    -- the bar leaves 6 spare: 74 - 45 - 4 - 6 = 19 cells, kept after.
    assert.are.equal("\rtanh [======>            ]   33%  33/100  "
                     .. "cost 0.25  64 steps/s  1.0s left\27[K", out[5])
    bar:print("note")
    assert.are.equal("\r\27[Knote\n", out[15])
    assert.are.equal(out[14], out[16])   -- the bar is drawn again under the text
    bar:finish()
    assert.are.equal("\rtanh [===================]  100%  100/100  "
                     .. "cost 0.25  64 steps/s  1.6s\27[K", out[17])
    assert.are.equal("\n", out[18])
  end)

  it("fits the line to a narrow terminal, keeping step, rate and time left last", function()
    -- The same state drawn at decreasing widths: parts give way in order.
    local function line(width)
      local bar, out, now = capture{total = 2000, tty = true, width = width, label = "relu",
                                    metrics = {"cost", "accuracy"}}
      now.t = 0.5
      bar:update(500, {cost = 0.125, accuracy = 0.75})
      local s = out[1]:sub(2, -4)                        -- without \r and ESC [K
      assert.is_true(utf8.len(s) <= width - 1, s)
      return s
    end
    -- 58 characters; the label takes 5 and the last column stays empty.
    local full = "500/2000  cost 0.125  accuracy 0.75  1k steps/s  1.5s left"
    assert.are.equal("relu [=======>                      ]   25%  " .. full, line(120))
    assert.are.equal("relu [===>          ]  " .. full, line(88))
    assert.are.equal("relu  25%  " .. full, line(76))
    assert.are.equal("relu " .. full, line(66))
    assert.are.equal("relu 500/2000  cost 0.125  1k steps/s  1.5s left", line(60))
    assert.are.equal("relu 500/2000  1k steps/s  1.5s left", line(45))
    assert.are.equal("relu 500/2000  1k steps/s ", line(27))
  end)

  it("keeps the bar's size while the text grows a little", function()
    local bar, out, now = capture{total = 1000, tty = true, width = 80, interval = 0}
    local sizes = {}
    for step = 1, 1000, 37 do
      now.t = step / 1000
      bar:update(step)
      sizes[#sizes + 1] = #out[#out]:match("%[([=> ]*)%]")
    end
    for i = 2, #sizes do assert.are.equal(sizes[1], sizes[i]) end
  end)

  it("formats durations and rates", function()
    assert.are.equal("0.4s", progress.format_duration(0.42))
    assert.are.equal("12s", progress.format_duration(12.3))
    assert.are.equal("3m05s", progress.format_duration(185))
    assert.are.equal("2h07m", progress.format_duration(2 * 3600 + 7 * 60 + 20))
    assert.are.equal("?", progress.format_duration(1 / 0))
    assert.are.equal("950", progress.format_rate(950))
    assert.are.equal("12.3k", progress.format_rate(12345))
    assert.are.equal("4.5M", progress.format_rate(4.5e6))
  end)

  it("is not a terminal when TERM is unset or dumb, or output is a file", function()
    local bar = progress.new{total = 1, out = io.stderr}
    assert.is_false(bar.tty)
  end)

  it("rejects bad options", function()
    assert.has_error(function() progress.new{total = -1} end,
                     "progress.new: total must be a number >= 0")
    assert.has_error(function() progress.new{every = 0} end,
                     "progress.new: every must be a number > 0")
  end)
end)
