-- Shared helpers for the Lua specs: tolerant comparison of numbers and
-- nested tables, flattening, and reading this process's resident memory.
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
return M
