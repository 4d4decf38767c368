-- run.lua — `make bench`: every workload of bench/README.md on actlua and on
-- its peer, PyTorch from Debian's python3-torch (left out, with a note,
-- when it is absent), in one invocation, the two sides' runs alternated.
-- Prints the table of medians and ratios and writes it, with the date and
-- the machine, into bench/README.md between its bench:begin and bench:end
-- markers (through a temporary file and a rename).
--
-- Usage (from the repository root, after make): lua5.4 bench/run.lua
--   [runs=3] [only=1,2,3,4,5] [write=yes|no] [actlua=build/actlua]
--   [floor=build/gemm_floor] [python=/usr/bin/python3]
-- Each workload prints "@ key values..." lines, which are what is read here.
package.path = "bench/?.lua;" .. package.path
local report = require "report"

local clock = require("system").monotime

local opts = {runs = "3", only = "1,2,3,4,5", write = "yes", actlua = "build/actlua",
              floor = "build/gemm_floor", python = "/usr/bin/python3"}
for _, a in ipairs(arg) do
  local k, v = a:match("^(%w+)=(.*)$")
  if not k or not opts[k] then
    io.stderr:write(("run.lua: unknown argument '%s' (keys: runs, only, write, " ..
                     "actlua, floor, python)\n"):format(a))
    os.exit(2)
  end
  if v ~= "" then opts[k] = v end
end
local RUNS = math.tointeger(tonumber(opts.runs))
if not RUNS or RUNS < 1 then
  io.stderr:write(("run.lua: runs must be a positive integer, got '%s'\n"):format(opts.runs))
  os.exit(2)
end
local only = {}
for w in opts.only:gmatch("%d") do only[tonumber(w)] = true end

-- ---------------------------------------------------------------- running

local function sh_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- Runs cmd with `threads` set the same for every pool on both sides.
-- Returns the "@" lines as arrays of fields keyed by their first field,
-- and the wall time. A failure ends the benchmark with the output.
-- OMP_WAIT_POLICY=PASSIVE puts PyTorch's OpenMP threads to sleep when idle
-- rather than spinning beside OpenBLAS's: with the default, its 2-thread
-- MLP ran 13 s for a fifth of an epoch on the shared 2-core machine, 1 s
-- with it. The peer at its best; actlua has no OpenMP.
local function run(cmd, threads)
  local env = ("OPENBLAS_NUM_THREADS=%d OMP_NUM_THREADS=%d ACTLUA_NUM_THREADS=%d " ..
               "OMP_WAIT_POLICY=PASSIVE "):format(threads, threads, threads)
  local t0 = clock()
  local p = assert(io.popen(env .. cmd .. " 2>&1"))
  local out = p:read("a")
  local ok = p:close()
  local wall = clock() - t0
  if not ok then
    io.stderr:write(("run.lua: '%s' failed:\n%s\n"):format(cmd, out))
    os.exit(1)
  end
  local at = {}
  for line in out:gmatch("[^\n]+") do
    local fields = {}
    for f in line:gmatch("%S+") do fields[#fields + 1] = f end
    if fields[1] == "@" then
      table.remove(fields, 1)
      local key = table.remove(fields, 1)
      at[key] = at[key] or {}
      table.insert(at[key], fields)
    end
  end
  return at, wall
end

local function first_number(at, key, i)
  return tonumber(assert(at[key], "no @ " .. key .. " line")[1][i or 1])
end

local function capture(cmd)
  local p = io.popen(cmd .. " 2>/dev/null")
  if not p then return nil end
  local out = p:read("a")
  p:close()
  return out ~= "" and out:gsub("%s+$", "") or nil
end

local HAVE_TORCH = os.execute(sh_quote(opts.python) .. " -c 'import torch' >/dev/null 2>&1") == true
local A, PY = sh_quote(opts.actlua), sh_quote(opts.python)

-- The two sides of run r, in turn: actlua first on odd runs, the peer on
-- even ones, so that a drift in the machine's load hits both alike.
local function alternate(r, actlua_side, peer_side)
  if r % 2 == 1 or not HAVE_TORCH then
    actlua_side()
    if HAVE_TORCH then peer_side() end
  else
    peer_side()
    actlua_side()
  end
end

local T0 = clock()
local function progress(fmt, ...)
  io.stderr:write(("[%4.0f s] "):format(clock() - T0), fmt:format(...), "\n")
end

-- -------------------------------------------------------------- workloads

local R = {runs = RUNS, have_torch = HAVE_TORCH}

-- 1. Deep XOR, whole processes, one thread.
local function deep_xor()
  local w = {actlua = {}, torch = {}, actlua_loop = {}, torch_loop = {}}
  for r = 1, RUNS do
    progress("workload 1 (deep XOR), run %d of %d", r, RUNS)
    alternate(r, function()
      local at, wall = run(A .. " bench/deep_xor.lua", 1)
      table.insert(w.actlua, wall)
      table.insert(w.actlua_loop, first_number(at, "loop_s"))
    end, function()
      local at, wall = run(PY .. " bench/peers/deep_xor.py --threads 1", 1)
      table.insert(w.torch, wall)
      table.insert(w.torch_loop, first_number(at, "loop_s"))
    end)
  end
  R.xor = w
end

-- 2 and 4. The MLP epoch at 1 and 2 threads with the OpenBLAS floor
-- measured in the same runs; peak resident memory from the same processes.
local function mlp_at(threads)
  local w = {actlua = {}, torch = {}, floor = {}, shapes = {}, actlua_peak = {},
             torch_peak = {}, actlua_phases = {{}, {}, {}, {}},
             torch_phases = {{}, {}, {}, {}}, steps = 60000 / 128}
  for r = 1, RUNS do
    progress("workload 2 (MLP), %d thread(s), run %d of %d", threads, r, RUNS)
    local at = run(sh_quote(opts.floor) .. " 128 0.1", threads)
    table.insert(w.floor, first_number(at, "step_s") * w.steps)
    R.openblas = R.openblas or table.concat(at.openblas[1], " ")
    for _, s in ipairs(at.shape) do
      w.shapes[s[1]] = w.shapes[s[1]] or
        {desc = ("%s %s x %s x %s"):format(s[2], s[3], s[4], s[5]), gflops = {}, s = {}}
      table.insert(w.shapes[s[1]].s, tonumber(s[6]))
      table.insert(w.shapes[s[1]].gflops, tonumber(s[7]))
    end
    local function side(name, cmd)
      local at = run(cmd, threads)
      table.insert(w[name], first_number(at, "epoch_s"))
      table.insert(w[name .. "_peak"], first_number(at, "peak_mib"))
      for i = 1, 4 do table.insert(w[name .. "_phases"][i], first_number(at, "phases", i)) end
    end
    alternate(r, function() side("actlua", A .. " bench/mlp.lua") end,
      function() side("torch", PY .. " bench/peers/mlp.py --threads " .. threads) end)
  end
  return w
end

-- 3. Activations, one thread; fewer runs (each is long), at least one.
local function activations()
  local w = {actlua = {}, torch = {}, copy = {}, torch_copy = {}, bytes = {}, names = {}}
  local runs = (RUNS + 1) // 2
  local function collect(at, times, copies)
    for _, c in ipairs(at.copy) do
      local n = math.tointeger(tonumber(c[1]))
      copies[n] = copies[n] or {}
      table.insert(copies[n], tonumber(c[2]))
    end
    for _, a in ipairs(at.act) do
      local key = a[1] .. " " .. math.tointeger(tonumber(a[2]))
      times[key] = times[key] or {}
      table.insert(times[key], tonumber(a[3]) + tonumber(a[4]))
      if a[5] then w.bytes[key] = tonumber(a[5]) end
      if times == w.actlua and not w.names[a[1]] then
        w.names[a[1]] = true
        table.insert(w.names, a[1])
      end
    end
  end
  for r = 1, runs do
    progress("workload 3 (activations), run %d of %d", r, runs)
    alternate(r, function() collect(run(A .. " bench/activations.lua 3", 1), w.actlua, w.copy) end,
      function() collect(run(PY .. " bench/peers/activations.py 3", 1), w.torch, w.torch_copy) end)
  end
  R.act = w
end

-- 4. Resident memory of the deep XOR after 1,000 and after 100,000 steps.
local function xor_memory()
  progress("workload 4 (memory), 100,000 deep XOR steps")
  local at = run(A .. " bench/deep_xor.lua 100000", 1)
  R.xor_rss = {tonumber(at.rss_mib[1][2]), tonumber(at.rss_mib[2][2])}
end

-- 5. Start-up, in a bash loop (EPOCHREALTIME: no process to read a clock).
local function startup()
  progress("workload 5 (start-up)")
  local build = opts.actlua:match("^(.*)/[^/]*$") or "."
  local at = run(("bash bench/startup.sh 20 %d %s %s %s"):format(
    HAVE_TORCH and 5 or 0, A, sh_quote(build), PY), 1)
  R.start = {}
  for _, s in ipairs(at.start) do
    R.start[s[1]] = R.start[s[1]] or {}
    table.insert(R.start[s[1]], tonumber(s[2]))
  end
end

-- ---------------------------------------------------------------- machine

local function machine()
  local cpu = capture("sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1")
  return {
    date = os.date("!%Y-%m-%d %H:%M UTC"),
    cpu = cpu or "?", cores = capture("nproc") or "?",
    os = capture(". /etc/os-release && echo \"$PRETTY_NAME\"") or "?",
    lua = (capture("lua5.4 -v") or "?"):match("Lua [%d.]+") or "?",
    torch = HAVE_TORCH and capture(PY .. " -c 'import torch; print(torch.__version__)'") or nil,
    commit = capture("git describe --always --dirty") or "?",
    load = capture("cut -d' ' -f1-3 /proc/loadavg") or "?",
  }
end

local M = machine()
local t0 = clock()
if only[1] then deep_xor() end
if only[2] or only[4] then R.mlp = {mlp_at(1), mlp_at(2)} end
if only[3] then activations() end
if only[4] then xor_memory() end
if only[5] then startup() end
M.load_end = capture("cut -d' ' -f1-3 /proc/loadavg") or "?"
M.openblas = R.openblas or capture(sh_quote(opts.floor) .. " 1 0.001 | sed -n 's/^@ openblas //p'") or "?"
M.elapsed = clock() - t0
M.runs = RUNS

local block = report.render(M, R)
io.write(block)
if opts.write == "yes" then
  report.write_readme("bench/README.md", block)
  progress("bench/README.md updated (between <!-- bench:begin --> and <!-- bench:end -->)")
end
