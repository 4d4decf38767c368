-- Shared helpers for the Lua specs: tolerant comparison of numbers and
-- nested tables, flattening, this process's resident memory, and running
-- the experiment scripts in a subprocess (plain, or under a terminal).
local M = {}

-- |a - b| <= atol + rtol * |b|, with NaN equal to NaN and inf to inf.
function M.close(a, b, rtol, atol)
  rtol, atol = rtol or 1e-6, atol or 1e-6
  if a ~= a or b ~= b then return a ~= a and b ~= b end
  if a == b then return true end
  return math.abs(a - b) <= atol + rtol * math.abs(b)
end

function M.flat(t, out)
  out = out or {}
  if type(t) ~= "table" then out[#out + 1] = t; return out end
  for _, v in ipairs(t) do M.flat(v, out) end
  return out
end

-- Asserts that two numbers, nested tables or tensors hold close values.
function M.assert_close(actual, expected, rtol, atol)
  local A = require "actlua"
  if A.is_tensor(actual) then actual = actual:totable() end
  if A.is_tensor(expected) then expected = expected:totable() end
  local a, e = M.flat(actual), M.flat(expected)
  assert(#a == #e, ("%d values where %d were expected"):format(#a, #e))
  for i = 1, #a do
    if not M.close(a[i], e[i], rtol, atol) then
      error(("value %d is %.17g, expected %.17g"):format(i, a[i], e[i]), 2)
    end
  end
end

-- Resident memory in KiB, from /proc.
function M.rss_kib()
  local f = assert(io.open("/proc/self/statm"))
  local _, resident = f:read("n", "n")
  f:close()
  return resident * 4
end

-- The error message of fn(...), or nil if it did not fail.
function M.error_of(fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then return nil end
  return tostring(err)
end

M.sanitized = os.getenv("ACTLUA_SANITIZED") == "1"

-- ------------------------------------------- running scripts in a subprocess

-- The interpreter under test and the source tree (ctest sets both).
M.bin = os.getenv("ACTLUA_BIN") or "build/actlua"
M.src = os.getenv("ACTLUA_SRC") or "."

function M.shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- The contents of a file (nil if it cannot be read); remove: delete it after.
function M.slurp(path, remove)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  if remove then os.remove(path) end
  return s
end

-- The size of a file in bytes, or nil when it does not exist.
function M.size(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local n = f:seek("end")
  f:close()
  return n
end

-- A fresh path for a folder (not created); remove it with M.rm_rf.
function M.tmpdir()
  local dir = os.tmpname()
  os.remove(dir)
  return dir .. "_dir"
end

function M.rm_rf(path)
  os.execute("rm -rf -- " .. M.shell_quote(path))
end

-- Whether a command is on PATH.
function M.have(cmd)
  return os.execute("command -v " .. M.shell_quote(cmd) .. " >/dev/null 2>&1") == true
end

-- The shell command running scripts/NAME (".lua" may be left out) with
-- args, a string of shell words; env, a string of NAME=VALUE words put in
-- front through env(1).
function M.script_command(name, args, env)
  if not name:find("%.lua$") then name = name .. ".lua" end
  return ("%s%s %s %s"):format(env and ("env " .. env .. " ") or "",
    M.shell_quote(M.bin), M.shell_quote(M.src .. "/scripts/" .. name), args or "")
end

-- Runs scripts/NAME with args (see script_command); its exit status, stdout
-- and stderr.
function M.run_script(name, args, env)
  local out, err = os.tmpname(), os.tmpname()
  local _, how, code = os.execute(("%s </dev/null >%s 2>%s"):format(
    M.script_command(name, args, env), M.shell_quote(out), M.shell_quote(err)))
  assert(how == "exit", "the script was killed by a signal")
  return code, M.slurp(out, true), M.slurp(err, true)
end

-- Runs scripts/NAME with args and returns its stdout; fails unless it exits
-- 0 with nothing on stderr.
function M.ok_run(name, args, env)
  local code, out, err = M.run_script(name, args, env)
  if code ~= 0 or err ~= "" then
    error(("%s %s: exit %d, stderr:\n%s"):format(name, args or "", code, err), 2)
  end
  return out
end

-- Runs scripts/NAME under a pseudo-terminal of `cols` columns (util-linux's
-- script(1)), TERM=xterm unless env says otherwise, COLUMNS unset; its exit
-- status and what the terminal showed (stdout and stderr, \n as \r\n).
function M.run_script_in_terminal(name, args, cols, env)
  local inner = ("stty cols %d rows 24 2>/dev/null; exec %s"):format(cols or 80,
    M.script_command(name, args, "-u COLUMNS TERM=xterm " .. (env or "")))
  local out = os.tmpname()
  local _, how, code = os.execute(("script -qec %s /dev/null </dev/null >%s 2>&1"):format(
    M.shell_quote(inner), M.shell_quote(out)))
  assert(how == "exit", "script(1) was killed by a signal")
  return code, M.slurp(out, true)
end

-- The cells of the table row whose line starts with prefix followed by a
-- space (the nth such row, default the first), split on runs of 2+ spaces.
function M.row(out, prefix, nth)
  local seen = 0
  for line in out:gmatch("[^\n]+") do
    if line:sub(1, #prefix + 1) == prefix .. " " then
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
  error(("no table row starting with '%s' in:\n%s"):format(prefix, out), 2)
end

-- The rows of the first table whose header line matches the Lua pattern
-- `header` from its start ("activation +sum"): an array of cell arrays,
-- from the line after the dashes to the first blank line.
function M.table_rows(out, header)
  local rows, state = {}, "header"
  for line in (out .. "\n"):gmatch("([^\n]*)\n") do
    if state == "header" and line:find("^" .. header .. " ") then
      state = "dashes"
    elseif state == "dashes" then
      state = "rows"
    elseif state == "rows" then
      if line:match("^%s*$") then break end
      local cells = {}
      for cell in (line .. "  "):gmatch("(.-)%s%s+") do
        if cell ~= "" then cells[#cells + 1] = cell end
      end
      rows[#rows + 1] = cells
    end
  end
  assert(#rows > 0, ("no table with a header '%s' in:\n%s"):format(header, out))
  return rows
end

-- A "k/n" cell as two numbers.
function M.count(cell)
  local k, n = tostring(cell):match("^(%d+)/(%d+)$")
  assert(k, "not a count k/n: " .. tostring(cell))
  return tonumber(k), tonumber(n)
end

return M
