-- actlua.progress — progress of a training loop, for people watching it.
--
--   local progress = require "actlua.progress"
--   local bar = progress.new{total = steps, quiet = args.quiet, label = "relu"}
--   for step = 1, steps do
--     ...
--     bar:update(step, {cost = c, accuracy = acc})
--   end
--   bar:finish()
--
-- On a terminal, one line redrawn in place (at most ~10 times a second):
--   relu [=======>            ]   38%  7600/20000  cost 0.3466  accuracy 0.75  8.1k steps/s  1.5s left
-- fitted to the terminal's width: on a narrow one the bar, the percentage
-- and the metrics after the first give way, in that order.
-- Elsewhere (a pipe, a file, a log), plain lines every 10% of total or every
-- `every` steps:
--   relu: step 2000/20000 (10%)  cost 0.6931  accuracy 0.5  8100 steps/s  2s left
-- With quiet, nothing at all. finish() draws the last state with the elapsed
-- time and ends the line.
--
-- Options of progress.new:
--   total    the last step (the fraction shown is step / total); nil when
--            unknown (no bar, no time left)
--   quiet    print nothing
--   every    plain mode: a line each time step passes a multiple of every
--            (default: 10% of total, or 1000 without a total)
--   label    text in front of each line
--   metrics  order of the metric names (others follow, sorted)
--   format   per metric: a format string or a function(v) -> string
--            (default "%.4g" for non-integers)
--   out      where to write: a file (io.stdout by default) or a
--            function(text)
--   tty      force the in-place bar (true) or plain lines (false); by
--            default a bar when out is io.stdout, stdout is a terminal and
--            TERM is set and not "dumb"
--   width    the terminal width (default: M.terminal_width() on a
--            terminal, 80 elsewhere)
--   clock    a function returning seconds (default: a monotonic wall clock,
--            not os.clock's CPU time)
--   interval seconds between redraws of the bar (default 0.1)
local M = {}

local function default_clock()
  local ok, system = pcall(require, "system")
  if ok and type(system) == "table" then
    if type(system.monotime) == "function" then return system.monotime end
    if type(system.gettime) == "function" then return system.gettime end
  end
  return os.time
end

-- Whether io.stdout is a terminal that can redraw a line.
function M.stdout_is_tty()
  local term = os.getenv("TERM")
  if term == nil or term == "" or term == "dumb" then return false end
  local ok, t = pcall(require, "term")
  if ok and type(t) == "table" and type(t.isatty) == "function" then
    local ok2, res = pcall(t.isatty, io.stdout)
    return ok2 and res == true
  end
  return false
end

-- The width of the terminal: $COLUMNS when set (shells set it but rarely
-- export it), else what `stty size` reads from the controlling terminal
-- (neither lua-term nor lua-system tells the size), else 80.
function M.terminal_width()
  local cols = math.tointeger(tonumber(os.getenv("COLUMNS") or ""))
  if cols and cols > 0 then return cols end
  local p = io.popen("{ stty size </dev/tty; } 2>/dev/null", "r")
  if p then
    local text = p:read("a") or ""
    p:close()
    cols = math.tointeger(tonumber(text:match("^%s*%d+%s+(%d+)") or ""))
    if cols and cols > 0 then return cols end
  end
  return 80
end

-- "0.4s", "12s", "3m05s", "2h07m"; "?" for an unknown or infinite time.
function M.format_duration(s)
  if s == nil or s ~= s or s == math.huge or s < 0 then return "?" end
  if s < 9.95 then return ("%.1fs"):format(s) end
  s = math.floor(s + 0.5)
  if s < 60 then return ("%ds"):format(s) end
  if s < 3600 then return ("%dm%02ds"):format(s // 60, s % 60) end
  return ("%dh%02dm"):format(s // 3600, s % 3600 // 60)
end

-- A rate in steps/s, short: 950, 12.3k, 4.5M.
function M.format_rate(r)
  if r == nil or r ~= r or r == math.huge then return "?" end
  if r < 1000 then return ("%.3g"):format(r) end
  if r < 1e6 then return ("%.3gk"):format(r / 1e3) end
  return ("%.3gM"):format(r / 1e6)
end

local function format_value(v, fmt)
  if type(fmt) == "function" then return tostring(fmt(v)) end
  if type(v) == "userdata" and type(v.item) == "function" then v = v:item() end
  if type(v) ~= "number" then return tostring(v) end
  if v ~= v then return "NaN" end
  if v == math.huge then return "inf" end
  if v == -math.huge then return "-inf" end
  if fmt then return fmt:format(v) end
  if math.type(v) == "integer" then return ("%d"):format(v) end
  return ("%.4g"):format(v)
end

local Bar = {}
Bar.__index = Bar

function M.new(opts)
  opts = opts or {}
  local total = opts.total
  if total ~= nil and (type(total) ~= "number" or total < 0) then
    error("progress.new: total must be a number >= 0", 2)
  end
  local every = opts.every
  if every ~= nil and (type(every) ~= "number" or every <= 0) then
    error("progress.new: every must be a number > 0", 2)
  end
  if every == nil then
    every = total and total > 0 and math.max(1, math.ceil(total / 10)) or 1000
  end
  local out = opts.out or io.stdout
  local write
  if type(out) == "function" then
    write = out
  else
    write = function(s) out:write(s); if out.flush then out:flush() end end
  end
  local tty = opts.tty
  if tty == nil then tty = out == io.stdout and M.stdout_is_tty() end
  local clock = opts.clock or default_clock()
  local self = setmetatable({
    total = total, quiet = opts.quiet and true or false, every = every,
    label = opts.label, order = opts.metrics or {}, formats = opts.format or {},
    write = write, tty = tty and true or false, clock = clock,
    width = opts.width or (tty and not opts.quiet and M.terminal_width()) or 80,
    interval = opts.interval or 0.1,
    next_line = every, last_drawn = nil, step = nil, values = nil,
    finished = false, printed_step = nil,
  }, Bar)
  if not self.quiet then self.t0 = clock() end
  return self
end

-- The metrics as "name value" pairs, in the chosen order.
function Bar:metrics_text()
  local values = self.values
  if not values then return "" end
  local seen, parts = {}, {}
  local function add(name)
    if seen[name] or values[name] == nil then return end
    seen[name] = true
    parts[#parts + 1] = name .. " " .. format_value(values[name], self.formats[name])
  end
  for _, name in ipairs(self.order) do add(name) end
  local rest = {}
  for name in pairs(values) do
    if not seen[name] and type(name) == "string" then rest[#rest + 1] = name end
  end
  table.sort(rest)
  for _, name in ipairs(rest) do add(name) end
  return table.concat(parts, "  ")
end

-- Steps per second and seconds left, from the start to now.
function Bar:rates(now)
  local elapsed = now - self.t0
  local done = self.step or 0
  local rate = elapsed > 0 and done / elapsed or nil
  local left
  if self.total and rate and rate > 0 then left = (self.total - done) / rate end
  return rate, left, elapsed
end

local function step_text(self)
  if self.total then
    local pct = self.total > 0 and math.floor(100 * self.step / self.total) or 100
    return ("%d/%d"):format(self.step, self.total), pct
  end
  return tostring(self.step), nil
end

-- One plain line (no newline).
function Bar:line(now, done)
  local steps, pct = step_text(self)
  local parts = {}
  local head = self.label and (self.label .. ": ") or ""
  parts[1] = head .. "step " .. steps .. (pct and (" (%d%%)"):format(pct) or "")
  local m = self:metrics_text()
  if m ~= "" then parts[#parts + 1] = m end
  local rate, left, elapsed = self:rates(now)
  parts[#parts + 1] = M.format_rate(rate) .. " steps/s"
  if done then
    parts[#parts + 1] = "done in " .. M.format_duration(elapsed)
  elseif self.total then
    parts[#parts + 1] = M.format_duration(left) .. " left"
  end
  return table.concat(parts, "  ")
end

local function utf8_len(s) return utf8.len(s) or #s end

-- The in-place line's layouts, from the fullest: each drops a part (the
-- percentage, the bar, the metrics after the first, the metrics) until the
-- line fits the terminal: the step, the rate and the time left go last.
local function bar_layouts(self, now, done)
  local steps, pct = step_text(self)
  local rate, left, elapsed = self:rates(now)
  local metrics = self:metrics_text()
  local first = metrics:match("^(.-)  ") or metrics
  local when = done and M.format_duration(elapsed)
               or (self.total and M.format_duration(left) .. " left")
  local function tail(with_pct, m)
    local t = {}
    if with_pct and pct then t[#t + 1] = ("%3d%%"):format(pct) end
    t[#t + 1] = steps
    if m ~= "" then t[#t + 1] = m end
    t[#t + 1] = M.format_rate(rate) .. " steps/s"
    if when then t[#t + 1] = when end
    return table.concat(t, "  ")
  end
  return {{bar = true, text = tail(true, metrics)}, {bar = true, text = tail(false, metrics)},
          {text = tail(true, metrics)}, {text = tail(false, metrics)},
          {text = tail(false, first)}, {text = tail(false, "")}}
end

-- "[=====>    ]  " for the fraction done, n cells wide.
local function bar_cells(self, n)
  local frac = self.total > 0 and math.min(1, math.max(0, self.step / self.total)) or 1
  local full = math.floor(frac * n)
  local bar = string.rep("=", full)
  if full < n then bar = bar .. ">" .. string.rep(" ", n - full - 1) end
  return "[" .. bar .. "]  "
end

-- The in-place bar (no newline), fitted to the width. The bar is 10 to 30
-- cells; once drawn it keeps its size (so the line does not jitter) unless
-- the text grows by more than 6 cells and it must shrink.
function Bar:bar_line(now, done)
  local head = self.label and (self.label .. " ") or ""
  local room = self.width - 1 - utf8_len(head)
  local s
  for _, layout in ipairs(bar_layouts(self, now, done)) do
    local free = room - utf8_len(layout.text)
    if layout.bar then
      -- The first size leaves 6 cells spare for the text to grow in.
      local n = math.min(self.bar_n or math.min(30, free - 10), free - 4)
      if self.total and n >= 10 then
        self.bar_n = n
        s = head .. bar_cells(self, n) .. layout.text
        break
      end
    elseif free >= 0 then
      s = head .. layout.text
      break
    end
  end
  if s == nil then   -- narrower than the shortest layout: cut its end
    local layouts = bar_layouts(self, now, done)
    s = head .. layouts[#layouts].text
    s = s:sub(1, (utf8.offset(s, self.width) or #s + 1) - 1)
  end
  return s
end

function Bar:draw(now, done)
  -- \r and "clear to the end of the line" (ESC [K) redraw in place.
  self.write("\r" .. self:bar_line(now, done) .. "\27[K")
  self.last_drawn = now
end

-- Records step (and metrics, a table name -> number) and shows them when
-- it is time to.
function Bar:update(step, metrics)
  if self.quiet or self.finished then return end
  self.step = step
  if metrics then self.values = metrics end
  if self.tty then
    local now = self.clock()
    if self.last_drawn == nil or now - self.last_drawn >= self.interval
       or (self.total and step >= self.total) then
      self:draw(now, false)
    end
  elseif step >= self.next_line then
    local last = self.total ~= nil and step >= self.total
    self.write(self:line(self.clock(), last) .. "\n")
    self.printed_step = step
    self.next_line = (step // self.every + 1) * self.every
  end
end

-- Prints a line of text without breaking the bar (which is redrawn after).
function Bar:print(text)
  if self.quiet then return end
  if self.tty and self.last_drawn then
    self.write("\r\27[K" .. text .. "\n")
    if not self.finished then self:draw(self.clock(), false) end
  else
    self.write(text .. "\n")
  end
end

-- Shows the final state (metrics, if given, replace the last ones) with the
-- elapsed time, and ends the line. Further updates are ignored.
function Bar:finish(metrics)
  if self.quiet or self.finished then return end
  if metrics then self.values = metrics end
  self.finished = true
  if self.step == nil then return end
  local now = self.clock()
  if self.tty then
    self:draw(now, true)
    self.write("\n")
  elseif self.printed_step ~= self.step then
    self.write(self:line(now, true) .. "\n")
  end
end

M.Bar = Bar
return M
