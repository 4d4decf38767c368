-- actlua.gradcheck — A.gradcheck(fn, inputs [, opts]): checks the
-- gradients autograd gives for fn against float64 central differences.
--
--   local x = A.randn({3, 4}, {dtype = "float64"}):requires_grad(true)
--   assert(A.gradcheck(function(x) return A.tanh(x) * x end, x))
--
-- inputs is a tensor or an array of values passed to fn(table.unpack(
-- inputs)); the float64 tensors among them that require grad are checked,
-- everything else is held constant (a float32 tensor that requires grad is
-- an error: its rounding would swamp the differences). fn returns a tensor.
-- With w a fixed random weighting of fn's output (U[0.5, 1.5], from its own
-- generator), the analytic gradient of sum(w * fn) comes from one backward
-- and the numeric one from (f(x + eps) - f(x - eps)) / 2 eps for each
-- element; they agree when |analytic - numeric| <= atol + rtol |numeric|.
-- opts: eps (1e-6), atol (1e-5), rtol (1e-3).
--
-- Returns true, or false and a report naming the first disagreement by
-- input and element, both 1-based:
--   "gradcheck: input 2, element 3 (index [1,3]): analytic gradient 0.5,
--    numeric 1 (difference 0.5)"
-- Prints nothing; the inputs' values and .grad are as they were after.
local A = require "actlua"

local WEIGHT_SEED = 0x5eed

-- A 1-based flat index as a 1-based multi-index "[i,j,...]" of shape.
local function index_str(shape, j)
  local idx, r = {}, j - 1
  for d = #shape, 1, -1 do
    idx[d] = shape[d] > 0 and r % shape[d] + 1 or 1
    r = shape[d] > 0 and r // shape[d] or 0
  end
  return "[" .. table.concat(idx, ",") .. "]"
end

-- Setter and getter of element j (1-based, row-major) of x, written
-- through a flat view when x is contiguous, through nested views if not.
local function element_access(x)
  if x:is_contiguous() then
    local flat = x:view{-1}
    return function(j) return flat[j] end, function(j, v) flat[j] = v end
  end
  local shape = x:shape()
  local function locate(j)
    local idx, r = {}, j - 1
    for d = #shape, 1, -1 do
      idx[d] = r % shape[d] + 1
      r = r // shape[d]
    end
    local t = x
    for d = 1, #shape - 1 do t = t[idx[d]] end
    return t, idx[#shape]
  end
  return function(j) local t, i = locate(j); return t[i] end,
         function(j, v) local t, i = locate(j); t[i] = v end
end

local function flat_values(t)
  return t:contiguous():view{-1}:totable()
end

local function check_opts(opts)
  if opts ~= nil and type(opts) ~= "table" then
    error(("bad argument #3 to 'gradcheck' (options table expected, got %s)"):format(
      type(opts)), 3)
  end
  opts = opts or {}
  return opts.eps or 1e-6, opts.atol or 1e-5, opts.rtol or 1e-3
end

-- The indices of the inputs to check.
local function checked_inputs(inputs)
  local list = {}
  for k = 1, inputs.n do
    local x = inputs[k]
    if A.is_tensor(x) and x:requires_grad() then
      if x:dtype() ~= "float64" then
        error(("gradcheck: input %d is %s: gradients are checked in float64 " ..
               "(use :double())"):format(k, x:dtype()), 3)
      end
      if not x:is_leaf() then
        error(("gradcheck: input %d is not a leaf (use :detach():requires_grad(true))"):format(k), 3)
      end
      list[#list + 1] = k
    end
  end
  if #list == 0 then
    error("gradcheck: no input is a float64 tensor that requires grad", 3)
  end
  return list
end

local function call(fn, inputs)
  local y = fn(table.unpack(inputs, 1, inputs.n))
  if not A.is_tensor(y) then
    error(("gradcheck: fn returned a %s, not a tensor"):format(type(y)), 0)
  end
  return y
end

-- The analytic gradients (flat arrays) of sum(w * fn) for the inputs
-- checked, and w.
local function analytic(fn, inputs, checked)
  return A.enable_grad(function()
    local y = call(fn, inputs)
    local w = A.uniform(0.5, 1.5, y:shape(),
                        {dtype = y:dtype(), generator = A.Generator(WEIGHT_SEED)})
    local s = (y * w):sum()
    if s:requires_grad() then s:backward() end
    local grads = {}
    for _, k in ipairs(checked) do
      local x = inputs[k]
      local g = x.grad
      grads[k] = g and flat_values(g) or flat_values(A.zeros_like(x))
    end
    return grads, w
  end)
end

-- The first disagreement of input k, as a report, or nil.
local function compare_input(fn, inputs, k, grad, w, eps, atol, rtol)
  local x = inputs[k]
  local get, set = element_access(x)
  local function f() return (call(fn, inputs) * w):sum():item() end
  for j = 1, x:numel() do
    local x0 = get(j)
    set(j, x0 + eps)
    local ok, plus = pcall(f)
    set(j, x0 - eps)
    local ok2, minus = true, nil
    if ok then ok2, minus = pcall(f) end
    set(j, x0)
    if not ok then error(plus, 0) end
    if not ok2 then error(minus, 0) end
    local numeric, a = (plus - minus) / (2 * eps), grad[j]
    if not (math.abs(a - numeric) <= atol + rtol * math.abs(numeric)) then
      return ("gradcheck: input %d, element %d (index %s): analytic gradient %.10g, " ..
              "numeric %.10g (difference %.3g)"):format(
              k, j, index_str(x:shape(), j), a, numeric, math.abs(a - numeric))
    end
  end
  return nil
end

local function run(fn, inputs, checked, eps, atol, rtol)
  local grads, w = analytic(fn, inputs, checked)
  return A.no_grad(function()
    for _, k in ipairs(checked) do
      local report = compare_input(fn, inputs, k, grads[k], w, eps, atol, rtol)
      if report then return false, report end
    end
    return true
  end)
end

return function(fn, inputs, opts)
  if type(fn) ~= "function" and not (getmetatable(fn) or {}).__call then
    error(("bad argument #1 to 'gradcheck' (function expected, got %s)"):format(type(fn)), 2)
  end
  if A.is_tensor(inputs) then
    inputs = table.pack(inputs)
  elseif type(inputs) == "table" then
    inputs = table.pack(table.unpack(inputs))
  else
    error(("bad argument #2 to 'gradcheck' (tensor or array expected, got %s)"):format(
      type(inputs)), 2)
  end
  local eps, atol, rtol = check_opts(opts)
  local checked = checked_inputs(inputs)
  local saved = {}
  for _, k in ipairs(checked) do
    saved[k] = inputs[k].grad
    inputs[k].grad = nil
  end
  local ok, passed, report = pcall(run, fn, inputs, checked, eps, atol, rtol)
  for _, k in ipairs(checked) do inputs[k].grad = saved[k] end
  if not ok then error(passed, 0) end
  if passed then return true end
  return false, report
end
