-- lib.lua — what the actlua workloads in bench/ share: a wall clock, the
-- process's memory from /proc/self/status, and the "@ key values" lines
-- that bench/run.lua reads (everything else they print is for people).
local M = {}

-- Seconds on a monotonic wall clock (os.clock is CPU time, which counts
-- every OpenBLAS thread).
M.clock = require("system").monotime

-- A field of /proc/self/status in MiB (VmRSS, VmHWM), or nil off Linux.
function M.status_mib(key)
  local f = io.open("/proc/self/status")
  if not f then return nil end
  for line in f:lines() do
    local v = line:match("^" .. key .. ":%s*(%d+)")
    if v then f:close(); return tonumber(v) / 1024 end
  end
  f:close()
end

function M.report(key, ...)
  local out = {"@", key}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    out[#out + 1] = math.type(v) == "float" and ("%.6g"):format(v) or tostring(v)
  end
  print(table.concat(out, " "))
end

-- The median of an array of numbers (sorted in place).
function M.median(t)
  table.sort(t)
  local n = #t
  return n % 2 == 1 and t[(n + 1) // 2] or (t[n // 2] + t[n // 2 + 1]) / 2
end

return M
