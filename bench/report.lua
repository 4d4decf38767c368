-- report.lua — turns what bench/run.lua measured into the markdown block of
-- bench/README.md (medians, ratios, each target met or missed by how much)
-- and writes that block between the README's markers.
local M = {}

local function median(t)
  if not t or #t == 0 then return nil end
  local c = {}
  for i, v in ipairs(t) do c[i] = v end
  table.sort(c)
  local n = #c
  return n % 2 == 1 and c[(n + 1) // 2] or (c[n // 2] + c[n // 2 + 1]) / 2
end
M.median = median

local function s(x) return x and ("%.3f s"):format(x) or "—" end
local function ms(x) return x and ("%.2f ms"):format(x * 1e3) or "—" end
local function ratio(a, b) return (a and b) and ("%.2fx"):format(a / b) or "—" end

-- "yes", or "**no**" and by how much the measured value misses the bound.
local function verdict(ok, miss)
  return ok and "yes" or ("**no** (%s)"):format(miss)
end

local function header(m, r)
  local lines = {
    ("Measured %s on %s (%s cores), %s; %s; %s; %s. `make bench RUNS=%d` at commit %s, %.0f s in all."):format(
      m.date, m.cpu, m.cores, m.os, m.openblas, m.lua,
      r.have_torch and ("PyTorch " .. m.torch) or "no PyTorch", m.runs, m.commit, m.elapsed),
    ("Load average %s at the start, %s at the end: the machine is shared, so figures move between invocations; the ratios, from alternated runs of one invocation, move less."):format(
      m.load, m.load_end),
  }
  if not r.have_torch then
    lines[#lines + 1] = "PyTorch (Debian's python3-torch) is not installed, so the peer's columns are empty: `apt-get install python3-torch`."
  end
  return table.concat(lines, "\n") .. "\n"
end

local function xor_table(w)
  local a, t = median(w.actlua), median(w.torch)
  local al, tl = median(w.actlua_loop), median(w.torch_loop)
  local speed = t and t / a
  return table.concat({
    "### 1. Deep XOR (20001 steps, 1 thread)\n",
    "| | actlua | PyTorch | PyTorch / actlua | target | met |",
    "| --- | --- | --- | --- | --- | --- |",
    ("| whole process | %s | %s | %s | ≥ 40x and ≤ 0.5 s | %s |"):format(s(a), s(t), ratio(t, a),
      speed and verdict(speed >= 40 and a <= 0.5,
        ("%.1fx; %.0f%% more speed needed"):format(speed, (40 / speed - 1) * 100)) or "—"),
    ("| training loop, per step | %.1f µs | %s | %s | | |"):format(al / 20001 * 1e6,
      tl and ("%.1f µs"):format(tl / 20001 * 1e6) or "—", ratio(tl, al)),
  }, "\n") .. "\n"
end

local function mlp_summary(ws)
  local rows = {
    "### 2. MLP 784-512-512-10, one epoch (469 steps: 468 of 128 samples, one of 96)\n",
    "| threads | OpenBLAS floor | actlua | PyTorch | actlua / floor | PyTorch / actlua | ≤ 1.1x floor | faster than PyTorch |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  }
  for threads, w in ipairs(ws) do
    local f, a, t = median(w.floor), median(w.actlua), median(w.torch)
    rows[#rows + 1] = ("| %d | %s | %s | %s | %s | %s | %s | %s |"):format(threads, s(f), s(a), s(t),
      ratio(a, f), ratio(t, a), verdict(a <= 1.1 * f, ("%.2fx"):format(a / f)),
      t and verdict(a < t, ("%.2fx slower"):format(a / t)) or "—")
  end
  return rows
end

-- The floor of the forward (phase 1) or backward (phase 3) products.
local function phase_floor(w, i)
  if i ~= 1 and i ~= 3 then return nil end
  local floor = 0
  for shape, v in pairs(w.shapes) do
    if (shape:sub(1, 3) == "fwd") == (i == 1) then floor = floor + median(v.s) * w.steps end
  end
  return floor
end

local function mlp_phases(ws, rows)
  rows[#rows + 1] = "\nWhere an epoch goes (medians; the floor split into the products of the forward and of the backward pass):\n"
  rows[#rows + 1] = "| phase | floor, 1 thread | actlua | PyTorch | floor, 2 threads | actlua | PyTorch |"
  rows[#rows + 1] = "| --- | --- | --- | --- | --- | --- | --- |"
  for i, name in ipairs{"forward", "loss", "zero_grad + backward", "optimizer step"} do
    local cells = {name}
    for _, w in ipairs(ws) do
      cells[#cells + 1] = ("%s | %s | %s"):format(s(phase_floor(w, i)),
        s(median(w.actlua_phases[i])), s(median(w.torch_phases[i])))
    end
    rows[#rows + 1] = "| " .. table.concat(cells, " | ") .. " |"
  end
end

local function mlp_rates(ws, rows)
  rows[#rows + 1] = "\nThe floor: each product timed alone (bench/gemm_floor: cblas_sgemm, hot caches, the fastest of 21 batches of calls), summed over one step, times 60000 / 128; medians over the runs. Its rates:\n"
  rows[#rows + 1] = "| product | layout m x n x k | GFLOP/s, 1 thread | GFLOP/s, 2 threads |"
  rows[#rows + 1] = "| --- | --- | --- | --- |"
  for _, name in ipairs{"fwd1", "fwd2", "fwd3", "gW1", "gW2", "gW3", "gx3", "gx2"} do
    local one, two = ws[1].shapes[name], ws[2].shapes[name]
    if one then
      rows[#rows + 1] = ("| %s | %s | %.0f | %.0f |"):format(name, one.desc,
        median(one.gflops), median(two.gflops))
    end
  end
end

local function mlp_table(ws)
  local rows = mlp_summary(ws)
  mlp_phases(ws, rows)
  mlp_rates(ws, rows)
  return table.concat(rows, "\n") .. "\n"
end

-- One activation's row: time (forward + backward) at each size, the ratio,
-- and actlua's GB/s at the largest size.
local function act_rows(w, sizes, slower)
  local rows = {}
  for _, name in ipairs(w.names) do
    local cells = {name}
    for _, n in ipairs(sizes) do
      local key = name .. " " .. n
      local a, t = median(w.actlua[key]), median(w.torch[key])
      cells[#cells + 1] = ("%s | %s | %s"):format(ms(a), ms(t), ratio(t, a))
      if t and a > t then table.insert(slower[n], ("%s (%.1fx)"):format(name, a / t)) end
    end
    local key = name .. " " .. sizes[#sizes]
    cells[#cells + 1] = ("%.1f"):format(w.bytes[key] / median(w.actlua[key]) * 1e-9)
    rows[#rows + 1] = "| " .. table.concat(cells, " | ") .. " |"
  end
  return rows
end

local function act_table(w)
  local sizes = {1000000, 10000000}
  local slower = {[sizes[1]] = {}, [sizes[2]] = {}}
  local rows = {
    "### 3. Activations, forward + backward (float32, 1 thread)\n",
    "| activation | 10^6 actlua | PyTorch | PyTorch / actlua | 10^7 actlua | PyTorch | PyTorch / actlua | actlua GB/s at 10^7 |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  }
  local copy = {"*copy (clone)*"}
  for _, n in ipairs(sizes) do
    local a, t = median(w.copy[n]), median(w.torch_copy[n])
    copy[#copy + 1] = ("%s | %s | %s"):format(ms(a), ms(t), ratio(t, a))
    copy.gbs = a and 8 * n / a * 1e-9
  end
  copy[#copy + 1] = copy.gbs and ("%.1f"):format(copy.gbs) or "—"
  rows[#rows + 1] = "| " .. table.concat(copy, " | ") .. " |"
  for _, row in ipairs(act_rows(w, sizes, slower)) do rows[#rows + 1] = row end
  rows[#rows + 1] = "\nGB/s: the bytes a fused forward and backward must move (x read and y written; gy and the saved x or y read, gx written), over the time; the copy row's are 8 bytes an element (read and written). `step` has no PyTorch equivalent with a gradient."
  for _, n in ipairs(sizes) do
    rows[#rows + 1] = ("\nSlower than PyTorch at %s elements (%d of %d): %s."):format(
      n == 1000000 and "10^6" or "10^7", #slower[n], #w.names,
      #slower[n] > 0 and table.concat(slower[n], ", ") or "none")
  end
  return table.concat(rows, "\n") .. "\n"
end

local function memory_table(ws, rss)
  local rows = {
    "### 4. Memory\n",
    "| | actlua | PyTorch | actlua / PyTorch | target | met |",
    "| --- | --- | --- | --- | --- | --- |",
  }
  for threads, w in ipairs(ws or {}) do
    local a, t = median(w.actlua_peak), median(w.torch_peak)
    rows[#rows + 1] = ("| peak resident, workload 2, %d thread%s | %.0f MiB | %s | %s | ≤ 0.5x | %s |"):format(
      threads, threads > 1 and "s" or "", a, t and ("%.0f MiB"):format(t) or "—", ratio(a, t),
      t and verdict(a <= 0.5 * t, ("%.2fx"):format(a / t)) or "—")
  end
  if rss then
    local change = (rss[2] - rss[1]) / rss[1]
    rows[#rows + 1] = ("| resident after 1,000 -> 100,000 deep XOR steps | %.1f -> %.1f MiB (%+.1f%%) | | | within 5%% | %s |"):format(
      rss[1], rss[2], change * 100, verdict(math.abs(change) <= 0.05, ("%+.1f%%"):format(change * 100)))
  end
  return table.concat(rows, "\n") .. "\n"
end

local function startup_table(st)
  local rows = {
    "### 5. Start-up (wall time, median)\n",
    "| command | runs | median | target | met |",
    "| --- | --- | --- | --- | --- |",
  }
  for _, c in ipairs{{"actlua", "`actlua -e ''`"}, {"actlua_require", "`actlua -e 'require \"actlua\"'`"},
                     {"lua_require", "`lua5.4 -e 'require \"actlua\"'`"},
                     {"torch", "`python3 -c 'import torch'`"}} do
    local t = st[c[1]]
    if t then
      local m = median(t)
      rows[#rows + 1] = ("| %s | %d | %s | %s | %s |"):format(c[2], #t, ms(m),
        c[1] == "torch" and "" or "< 10 ms", c[1] == "torch" and "" or verdict(m < 0.01, ms(m)))
    end
  end
  return table.concat(rows, "\n") .. "\n"
end

function M.render(m, r)
  local parts = {"<!-- bench:begin (written by make bench: bench/run.lua) -->\n", header(m, r)}
  if r.xor then parts[#parts + 1] = xor_table(r.xor) end
  if r.mlp then parts[#parts + 1] = mlp_table(r.mlp) end
  if r.act then parts[#parts + 1] = act_table(r.act) end
  if r.mlp or r.xor_rss then parts[#parts + 1] = memory_table(r.mlp, r.xor_rss) end
  if r.start then parts[#parts + 1] = startup_table(r.start) end
  parts[#parts + 1] = "<!-- bench:end -->\n"
  return table.concat(parts, "\n")
end

-- Replaces the README's block (or appends one), through a temporary file
-- renamed over the old one, so an interrupted write leaves the old file.
function M.write_readme(path, block)
  local f = assert(io.open(path))
  local text = f:read("a")
  f:close()
  local b, e = text:find("<!%-%- bench:begin.-<!%-%- bench:end %-%->\n?")
  if b then
    text = text:sub(1, b - 1) .. block .. text:sub(e + 1)
  else
    text = text .. "\n" .. block
  end
  local tmp = path .. ".tmp"
  local out = assert(io.open(tmp, "w"))
  assert(out:write(text))
  assert(out:close())
  assert(os.rename(tmp, path))
end

return M
