-- actlua.plot — line figures through gnuplot, with their data kept.
--
--   local plot = require "actlua.plot"
--   local files, note = plot.lines{
--     file = args.plot .. "/cost",          -- no extension
--     title = "Deep XOR: cost", xlabel = "step", ylabel = "cost", logy = true,
--     series = {{name = "sigmoid", x = steps, y = costs_sigmoid},
--               {name = "relu", x = steps, y = costs_relu}},
--   }
--   print("wrote " .. table.concat(files, ", ")); if note then print(note) end
--
-- Always writes FILE.csv (the data) and FILE.gp (a gnuplot script that
-- reads the CSV from its own folder: `cd DIR && gnuplot NAME.gp` redraws the
-- figure), then runs gnuplot to make FILE.png (pngcairo, or png where cairo
-- is missing) and FILE.svg. Returns the array of files written and, when
-- gnuplot is missing or failed, a note saying so (the CSV and script are
-- there either way). Folders are created as needed; every file is written
-- under a temporary name and renamed, so none is ever left half-written.
--
-- The CSV has a header row. When every series has the same x, the columns
-- are x then one per series ("x,sigmoid,relu"); otherwise two per series
-- ("sigmoid x,sigmoid y,relu x,relu y"), shorter series leaving empty cells.
-- NaN is written "NaN" and infinities "inf" / "-inf": gnuplot takes all three
-- as undefined and leaves the point out.
--
-- Options of plot.lines:
--   file            the path without extension (required)
--   series          array of {name = ..., y = {...} [, x = {...}]
--                   [, style = "lines"] [, color = 2 or "dark-red"]
--                   [, key = false or "text"]}; x defaults to 1..#y; x and
--                   y may be arrays or 1-d tensors; series given the same
--                   color number share a colour; key = false leaves a
--                   series out of the key (several runs of one kind drawn
--                   alike, named once)
--   title, xlabel, ylabel
--   logx, logy      logarithmic axes
--   xrange, yrange  {min, max} (nil for automatic)
--   style           "lines" (default), "points" or "linespoints"
--   size            {width, height} in pixels ({800, 500})
--   formats         which images: {"png", "svg"} by default
--   gnuplot         the gnuplot command ("gnuplot"); false to write the data
--                   and script only
local M = {}

-- ---------------------------------------------------------------- files

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end
M.shell_quote = shell_quote

local function dirname(path)
  return path:match("^(.*)/[^/]*$")
end

local function basename(path)
  return path:match("([^/]*)$")
end

-- Creates folder dir and its parents; true, or nil and a message.
function M.mkdir_p(dir)
  if dir == nil or dir == "" or dir == "." or dir == "/" then return true end
  local ok, lfs = pcall(require, "lfs")
  if ok and type(lfs) == "table" then
    local prefix = dir:sub(1, 1) == "/" and "/" or ""
    local path = ""
    for part in dir:gmatch("[^/]+") do
      path = (path == "" and prefix or path .. "/") .. part
      local mode = lfs.attributes(path, "mode")
      if mode == nil then
        local made, err = lfs.mkdir(path)
        if not made and lfs.attributes(path, "mode") ~= "directory" then
          return nil, ("cannot create folder %s: %s"):format(path, tostring(err))
        end
      elseif mode ~= "directory" then
        return nil, ("cannot create folder %s: a file is in the way"):format(path)
      end
    end
    return true
  end
  if os.execute("mkdir -p -- " .. shell_quote(dir)) then return true end
  return nil, ("cannot create folder %s"):format(dir)
end

-- Writes text to path through path.part and a rename.
function M.write_file(path, text)
  local tmp = path .. ".part"
  local f, err = io.open(tmp, "wb")
  if not f then return nil, ("cannot write %s: %s"):format(path, err) end
  local ok, werr = f:write(text)
  local closed, cerr = f:close()
  if not ok or not closed then
    os.remove(tmp)
    return nil, ("cannot write %s: %s"):format(path, tostring(werr or cerr))
  end
  local renamed, rerr = os.rename(tmp, path)
  if not renamed then
    os.remove(tmp)
    return nil, ("cannot write %s: %s"):format(path, rerr)
  end
  return true
end

local function nonempty(path)
  local f = io.open(path, "rb")
  if not f then return false end
  local size = f:seek("end")
  f:close()
  return size and size > 0
end

-- ----------------------------------------------------------------- data

-- The shortest decimal that reads back as v; NaN, inf and -inf by name.
function M.number_text(v)
  if v ~= v then return "NaN" end
  if v == math.huge then return "inf" end
  if v == -math.huge then return "-inf" end
  if math.type(v) == "integer" then return ("%d"):format(v) end
  for _, fmt in ipairs{"%.15g", "%.16g", "%.17g"} do
    local s = fmt:format(v)
    if tonumber(s) == v then return s end
  end
  return ("%.17g"):format(v)
end

-- A CSV field, quoted when it must be (RFC 4180).
local function csv_field(s)
  if s:find('[,"\r\n]') then return '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local function as_array(v, what)
  if type(v) == "table" then return v end
  if type(v) == "userdata" and type(v.totable) == "function" then
    local t = v:totable()
    for i = 1, #t do
      if type(t[i]) ~= "number" then
        error(("plot: %s must be 1-d"):format(what), 3)
      end
    end
    return t
  end
  error(("plot: %s must be an array or a tensor, got %s"):format(what, type(v)), 3)
end

local function same_array(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do
    if a[i] ~= b[i] and not (a[i] ~= a[i] and b[i] ~= b[i]) then return false end
  end
  return true
end

-- Checks and normalises the series: {name, x, y, style} with arrays.
local function prepare_series(series)
  if type(series) ~= "table" or #series == 0 then
    error("plot: series must be a non-empty array", 3)
  end
  local out = {}
  for i, s in ipairs(series) do
    if type(s) ~= "table" then error(("plot: series %d is not a table"):format(i), 3) end
    local name = s.name ~= nil and tostring(s.name) or ("series " .. i)
    local y = as_array(s.y, ("series %d's y"):format(i))
    local x
    if s.x ~= nil then
      x = as_array(s.x, ("series %d's x"):format(i))
      if #x ~= #y then
        error(("plot: series %d (%s) has %d x values and %d y values"):format(
          i, name, #x, #y), 3)
      end
    else
      x = {}
      for k = 1, #y do x[k] = k end
    end
    for k = 1, #y do
      if type(x[k]) ~= "number" or type(y[k]) ~= "number" then
        error(("plot: series %d (%s): value %d is not a number"):format(i, name, k), 3)
      end
    end
    out[i] = {name = name, x = x, y = y, style = s.style, color = s.color, key = s.key}
  end
  return out
end

-- The CSV text and, per series, the columns gnuplot reads ({xcol, ycol}).
function M.csv(series)
  series = prepare_series(series)
  local shared = true
  for i = 2, #series do
    if not same_array(series[1].x, series[i].x) then shared = false; break end
  end
  local header, cols, lines = {}, {}, {}
  local nrows = 0
  if shared then
    header[1] = "x"
    for i, s in ipairs(series) do
      header[#header + 1] = csv_field(s.name)
      cols[i] = {1, i + 1}
    end
    nrows = #series[1].x
  else
    for i, s in ipairs(series) do
      header[#header + 1] = csv_field(s.name .. " x")
      header[#header + 1] = csv_field(s.name .. " y")
      cols[i] = {2 * i - 1, 2 * i}
      nrows = math.max(nrows, #s.x)
    end
  end
  lines[1] = table.concat(header, ",")
  for r = 1, nrows do
    local row = {}
    if shared then
      row[1] = M.number_text(series[1].x[r])
      for _, s in ipairs(series) do row[#row + 1] = M.number_text(s.y[r]) end
    else
      for _, s in ipairs(series) do
        local x, y = s.x[r], s.y[r]
        row[#row + 1] = x ~= nil and M.number_text(x) or ""
        row[#row + 1] = y ~= nil and M.number_text(y) or ""
      end
    end
    lines[#lines + 1] = table.concat(row, ",")
  end
  return table.concat(lines, "\n") .. "\n", cols, series
end

-- ------------------------------------------------------------- gnuplot

-- A gnuplot single-quoted string (no escapes inside but '' for ').
local function gp_string(s)
  return "'" .. tostring(s):gsub("'", "''"):gsub("[\r\n]", " ") .. "'"
end

local STYLES = {lines = true, points = true, linespoints = true}

-- " linecolor ..." for a series' color: a number picks gnuplot's line type
-- of that number (series sharing it share a colour), a string is a colour
-- name or "#rrggbb"; nil leaves gnuplot's next colour.
local function color_text(color, i)
  if color == nil then return "" end
  if math.type(color) == "integer" and color >= 1 then
    return (" linecolor %d"):format(color)
  end
  if type(color) == "string" and color:match("^[#%w_%-]+$") then
    return " linecolor rgb " .. gp_string(color)
  end
  error(("plot: series %d's color must be a line type number >= 1 or a colour name"):format(i), 4)
end

local function range_text(r, what)
  if r == nil then return nil end
  if type(r) ~= "table" then error(("plot: %s must be {min, max}"):format(what), 3) end
  local function b(v) return v == nil and "*" or M.number_text(v) end
  return ("[%s:%s]"):format(b(r[1]), b(r[2]))
end

-- The gnuplot script drawing csv_name (a file in the script's folder).
function M.script(opts, cols, series, csv_name, stem)
  local size = opts.size or {800, 500}
  local formats = opts.formats or {"png", "svg"}
  local L = {
    "# Written by actlua.plot. Redraw with: gnuplot " .. stem .. ".gp",
    "# (run in this folder; the data is " .. csv_name .. ").",
    "set datafile separator ','",
    "set encoding utf8",
    "set grid",
    "set key outside right top",
  }
  if opts.title then L[#L + 1] = "set title " .. gp_string(opts.title) end
  if opts.xlabel then L[#L + 1] = "set xlabel " .. gp_string(opts.xlabel) end
  if opts.ylabel then L[#L + 1] = "set ylabel " .. gp_string(opts.ylabel) end
  -- On a log axis gnuplot's default labels read "0.001000"; %g gives 0.001.
  if opts.logx then L[#L + 1] = "set logscale x"; L[#L + 1] = "set format x '%g'" end
  if opts.logy then L[#L + 1] = "set logscale y"; L[#L + 1] = "set format y '%g'" end
  local xr, yr = range_text(opts.xrange, "xrange"), range_text(opts.yrange, "yrange")
  if xr then L[#L + 1] = "set xrange " .. xr end
  if yr then L[#L + 1] = "set yrange " .. yr end
  local style = opts.style or "lines"
  local plots = {}
  for i, s in ipairs(series) do
    local st = s.style or style
    if not STYLES[st] then
      error(("plot: unknown style '%s' (lines, points or linespoints)"):format(st), 3)
    end
    plots[i] = ("%s skip 1 using %d:%d with %s linewidth 2%s %s"):format(
      gp_string(csv_name), cols[i][1], cols[i][2], st, color_text(s.color, i),
      s.key == false and "notitle" or ("title " .. gp_string(s.key or s.name)))
  end
  local plot_cmd = "plot " .. table.concat(plots, ", \\\n     ")
  local w, h = math.tointeger(size[1]) or 800, math.tointeger(size[2]) or 500
  for _, fmt in ipairs(formats) do
    L[#L + 1] = ""
    -- out_png / out_svg may be given with -e (actlua writes to a temporary
    -- name, then renames).
    L[#L + 1] = ("if (!exists('out_%s')) out_%s = %s"):format(fmt, fmt,
                                                              gp_string(stem .. "." .. fmt))
    if fmt == "png" then
      L[#L + 1] = "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {"
      L[#L + 1] = ("  set terminal pngcairo size %d,%d noenhanced font ',10'"):format(w, h)
      L[#L + 1] = "} else {"
      L[#L + 1] = ("  set terminal png size %d,%d noenhanced"):format(w, h)
      L[#L + 1] = "}"
    elseif fmt == "svg" then
      L[#L + 1] = ("set terminal svg size %d,%d noenhanced dynamic"):format(w, h)
    elseif fmt == "pdf" then
      L[#L + 1] = ("set terminal pdfcairo size %gin,%gin noenhanced"):format(w / 100, h / 100)
    else
      error(("plot: unknown image format '%s' (png, svg or pdf)"):format(fmt), 3)
    end
    L[#L + 1] = ("set output out_%s"):format(fmt)
    L[#L + 1] = plot_cmd
    L[#L + 1] = "unset output"
  end
  return table.concat(L, "\n") .. "\n"
end

local function have_command(cmd)
  return os.execute("command -v " .. shell_quote(cmd) .. " >/dev/null 2>&1") == true
end

-- Runs the gnuplot script (in its folder) writing the images to temporary
-- names, then renames them; the images written, or nil and a note.
local function run_gnuplot(gnuplot, dir, stem, formats)
  local sets = {}
  for _, fmt in ipairs(formats) do
    sets[#sets + 1] = ("out_%s='%s.%s.part'"):format(fmt, stem:gsub("'", "''"), fmt)
  end
  local cmd = ("cd %s && %s -e %s %s 2>&1"):format(
    shell_quote(dir), gnuplot, shell_quote(table.concat(sets, "; ")),
    shell_quote(stem .. ".gp"))
  local p = io.popen(cmd, "r")
  local output = p and p:read("a") or ""
  local ok = p and p:close()
  local written, missing = {}, {}
  for _, fmt in ipairs(formats) do
    local final = dir .. "/" .. stem .. "." .. fmt
    local part = final .. ".part"
    if ok and nonempty(part) and os.rename(part, final) then
      written[#written + 1] = final
    else
      os.remove(part)
      missing[#missing + 1] = final
    end
  end
  if #missing > 0 then
    output = output:gsub("%s+$", "")
    return written, ("gnuplot failed: %s not written%s"):format(
      table.concat(missing, ", "), output ~= "" and (" (" .. output .. ")") or "")
  end
  return written
end

-- See the top of this file.
function M.lines(opts)
  if type(opts) ~= "table" then error("plot.lines: expected a table of options", 2) end
  local file = opts.file
  if type(file) ~= "string" or file == "" or file:sub(-1) == "/" then
    error("plot.lines: file must be a path without extension (dir/name)", 2)
  end
  local csv_text, cols, series = M.csv(opts.series)
  local dir = dirname(file) or "."
  if dir == "" then dir = "/" end
  local stem = basename(file)
  local gp_text = M.script(opts, cols, series, stem .. ".csv", stem)
  local ok, err = M.mkdir_p(dir)
  if not ok then error("plot.lines: " .. err, 2) end
  local files = {}
  for _, item in ipairs{{file .. ".csv", csv_text}, {file .. ".gp", gp_text}} do
    local wrote, werr = M.write_file(item[1], item[2])
    if not wrote then error("plot.lines: " .. werr, 2) end
    files[#files + 1] = item[1]
  end
  local gnuplot = opts.gnuplot
  if gnuplot == false then
    return files, "images not drawn (gnuplot disabled); " .. file .. ".gp draws them"
  end
  gnuplot = gnuplot or "gnuplot"
  if not have_command(gnuplot) then
    return files, ("gnuplot is not installed: wrote the data and script only "
                   .. "(apt-get install gnuplot-nox, then: cd %s && gnuplot %s.gp)")
                  :format(shell_quote(dir), stem)
  end
  local images, note = run_gnuplot(shell_quote(gnuplot), dir, stem,
                                   opts.formats or {"png", "svg"})
  for _, f in ipairs(images) do files[#files + 1] = f end
  return files, note
end

return M
