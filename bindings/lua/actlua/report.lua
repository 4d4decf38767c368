-- actlua.report — plain-text summary tables with aligned columns.
--
--   local report = require "actlua.report"
--   report.print_table{
--     title = "Deep XOR, 5 seeds",
--     columns = {"activation", "accuracy", "final cost", "NaN at"},
--     rows = {{"sigmoid", 0.5, 0/0, 17500}, {"relu", 1, 1.2e-4, nil}},
--     format = {accuracy = "%.2f"},
--   }
-- prints
--   Deep XOR, 5 seeds
--   activation  accuracy  final cost  NaN at
--   ----------  --------  ----------  ------
--   sigmoid         0.50         NaN   17500
--   relu            1.00   0.0001200
--
-- Options:
--   columns  the header names, in order (required)
--   rows     an array of rows; a row is an array in column order or a
--            table keyed by column name
--   format   per column (by name or index): a format string for numbers,
--            or a function(value, row) -> string
--   align    per column (by name or index), or one value for all: "left",
--            "right" or "center" ("l", "r", "c"); by default a column
--            whose values are all numbers is right-aligned, others left
--   title    a line above the table
--   missing  the text of a nil cell ("")
--   gap      spaces between columns (2)
--   rule     the character under the header ("-"; false for no rule)
--
-- Numbers without a format: integers as such, others "%.4g"; NaN as "NaN",
-- infinities as "inf" and "-inf"; booleans as "yes" and "no". Widths count
-- display columns: UTF-8 characters, two for East Asian wide ones (Hangul,
-- CJK), none for combining marks.
local M = {}

local function is_wide(c)
  return (c >= 0x1100 and c <= 0x115F) or (c >= 0x2E80 and c <= 0x303E)
      or (c >= 0x3041 and c <= 0x33FF) or (c >= 0x3400 and c <= 0x4DBF)
      or (c >= 0x4E00 and c <= 0x9FFF) or (c >= 0xA000 and c <= 0xA4CF)
      or (c >= 0xAC00 and c <= 0xD7A3) or (c >= 0xF900 and c <= 0xFAFF)
      or (c >= 0xFE30 and c <= 0xFE4F) or (c >= 0xFF00 and c <= 0xFF60)
      or (c >= 0xFFE0 and c <= 0xFFE6) or (c >= 0x1F300 and c <= 0x1F64F)
      or (c >= 0x1F900 and c <= 0x1F9FF) or (c >= 0x20000 and c <= 0x3FFFD)
end

local function is_combining(c)
  return (c >= 0x0300 and c <= 0x036F) or (c >= 0x1AB0 and c <= 0x1AFF)
      or (c >= 0x1DC0 and c <= 0x1DFF) or (c >= 0x20D0 and c <= 0x20FF)
      or (c >= 0xFE20 and c <= 0xFE2F) or c == 0x200B or c == 0x200D
end

-- The display width of s; its byte length when s is not valid UTF-8.
function M.width(s)
  if not utf8.len(s) then return #s end
  local w = 0
  for _, c in utf8.codes(s) do
    if is_wide(c) then w = w + 2
    elseif not is_combining(c) then w = w + 1 end
  end
  return w
end

-- A cell's text: v through fmt (a format string or function), or the
-- defaults described above.
function M.format_value(v, fmt, row, missing)
  if v == nil then return missing or "" end
  if type(fmt) == "function" then return tostring(fmt(v, row)) end
  if type(v) == "userdata" and type(v.item) == "function" then v = v:item() end
  if type(v) == "boolean" then return v and "yes" or "no" end
  if type(v) ~= "number" then return tostring(v) end
  if v ~= v then return "NaN" end
  if v == math.huge then return "inf" end
  if v == -math.huge then return "-inf" end
  if type(fmt) == "string" then
    if fmt:find("%%[-+ #0]*%d*[di]") and math.type(v) == "float" then
      local i = math.tointeger(v)
      if i then v = i end
    end
    return fmt:format(v)
  end
  if math.type(v) == "integer" then return ("%d"):format(v) end
  return ("%.4g"):format(v)
end

local ALIGN = {left = "left", l = "left", right = "right", r = "right",
               center = "center", c = "center", centre = "center"}

local function pad(s, w, align)
  local n = w - M.width(s)
  if n <= 0 then return s end
  if align == "right" then return string.rep(" ", n) .. s end
  if align == "center" then
    local l = n // 2
    return string.rep(" ", l) .. s .. string.rep(" ", n - l)
  end
  return s .. string.rep(" ", n)
end

local function per_column(opt, j, name)
  if type(opt) ~= "table" then return opt end
  local v = opt[name]
  if v == nil then v = opt[j] end
  return v
end

-- The table as a string (lines joined by "\n", no trailing newline).
function M.table(opts)
  if type(opts) ~= "table" or type(opts.columns) ~= "table" then
    error("report.table: expected a table with columns", 2)
  end
  local columns, rows = opts.columns, opts.rows or {}
  local ncol = #columns
  local cells, numeric = {}, {}
  for j = 1, ncol do numeric[j] = true end
  for i, row in ipairs(rows) do
    if type(row) ~= "table" then
      error(("report.table: row %d is a %s, not a table"):format(i, type(row)), 2)
    end
    local keyed = row[1] == nil and next(row) ~= nil
    local line = {}
    for j, name in ipairs(columns) do
      local v
      if keyed then v = row[name] else v = row[j] end
      if type(v) == "userdata" and type(v.item) == "function" then v = v:item() end
      if v ~= nil and type(v) ~= "number" then numeric[j] = false end
      line[j] = M.format_value(v, per_column(opts.format, j, name), row, opts.missing)
    end
    cells[i] = line
  end
  local widths = {}
  for j, name in ipairs(columns) do
    local w = M.width(tostring(name))
    for i = 1, #cells do w = math.max(w, M.width(cells[i][j])) end
    widths[j] = w
  end
  local aligns = {}
  for j, name in ipairs(columns) do
    local a = per_column(opts.align, j, name)
    if a ~= nil and ALIGN[a] == nil then
      error(("report.table: bad align '%s' for column '%s'"):format(
        tostring(a), tostring(name)), 2)
    end
    aligns[j] = ALIGN[a] or (numeric[j] and #cells > 0 and "right" or "left")
  end
  local gap = string.rep(" ", opts.gap or 2)
  local function render(line)
    local parts = {}
    for j = 1, ncol do parts[j] = pad(line[j], widths[j], aligns[j]) end
    return (table.concat(parts, gap):gsub("%s+$", ""))
  end
  local out = {}
  if opts.title then out[#out + 1] = tostring(opts.title) end
  local header = {}
  for j, name in ipairs(columns) do header[j] = tostring(name) end
  out[#out + 1] = render(header)
  local rule = opts.rule
  if rule == nil then rule = "-" end
  if rule then
    local r = {}
    for j = 1, ncol do r[j] = string.rep(rule, widths[j]) end
    out[#out + 1] = table.concat(r, gap)
  end
  for i = 1, #cells do out[#out + 1] = render(cells[i]) end
  return table.concat(out, "\n")
end

-- Prints the table (to opts.out, a file or a function(text); io.stdout by
-- default) followed by a newline.
function M.print_table(opts)
  local s = M.table(opts) .. "\n"
  local out = opts.out or io.stdout
  if type(out) == "function" then out(s) else out:write(s) end
  return s
end

return M
