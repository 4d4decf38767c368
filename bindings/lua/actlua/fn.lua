-- actlua.fn — A.fn, the mathematical functions of defined activations, and
-- the tracer that turns a Lua function into an engine expression.
--
-- Every A.fn function takes numbers, tensors or traced values:
--   F.sigmoid(0.5)        a number, the engine's own double arithmetic
--   F.sigmoid(t)          a tensor, with autograd
--   F.sigmoid(x)          inside A.act.define: a node of the expression
-- Tracing calls the user's function once with a traced x (and traced
-- parameters); Lua's + - * / ^ and unary - on traced values build nodes.
-- What cannot be traced (an if on x's value, math.exp, a loop that
-- depends on x) fails with a message that names the way out.
--
-- This file returns a function of the module table A (it is loaded while
-- `require "actlua"` runs, before the module is in package.loaded).
return function(A)
  local act = A.act
  local op_eval, OPS = act._op_eval, act._ops

  -- A traced value: {e = the expression being traced, id = its node}.
  -- __name is what Lua's own errors call it ("number expected, got traced
  -- value" from math.exp).
  local Traced = {__name = "traced value"}
  local tracing = nil -- the expression of the trace under way

  local function is_traced(v) return getmetatable(v) == Traced end

  local function node(v, fname)
    if type(v) == "number" then return tracing:const(v) end
    if is_traced(v) then
      if v.e ~= tracing then
        error("a traced value was used outside the trace that made it", 3)
      end
      return v.id
    end
    local what = A.is_tensor(v) and "a tensor" or ("a " .. type(v))
    error(("%s: cannot combine a traced value with %s (only numbers and "
           .. "traced values)"):format(fname, what), 3)
  end

  local function make(op, ...)
    return setmetatable({e = tracing, id = tracing:node(op, ...)}, Traced)
  end

  local function arith(op, sym)
    return function(a, b) return make(op, node(a, sym), node(b, sym)) end
  end
  Traced.__add, Traced.__sub = arith("add", "+"), arith("sub", "-")
  Traced.__mul, Traced.__div = arith("mul", "*"), arith("div", "/")
  Traced.__pow = arith("pow", "^")
  Traced.__unm = function(a) return make("neg", node(a, "-")) end

  local COMPARE = "cannot compare a traced value while tracing (an `if` on x's "
    .. "value cannot be compiled): use F.where(F.gt(x, 0), a, b) and F.gt, F.ge, "
    .. "F.lt, F.le, F.eq, or define the activation with callbacks "
    .. "{f = function(x) ... end, df = function(x, y) ... end}"
  local function refuse(msg) return function() error(msg, 2) end end
  Traced.__lt, Traced.__le, Traced.__eq = refuse(COMPARE), refuse(COMPARE), refuse(COMPARE)
  local UNSUPPORTED = "this operation on a traced value cannot be compiled; "
    .. "A.fn lists what can, or define the activation with callbacks {f = ..., df = ...}"
  Traced.__mod, Traced.__idiv = refuse(UNSUPPORTED), refuse(UNSUPPORTED)
  Traced.__concat, Traced.__len = refuse(UNSUPPORTED), refuse(UNSUPPORTED)
  Traced.__call = refuse(UNSUPPORTED)
  Traced.__index = function(_, k)
    error(("a traced value has no field '%s' (use A.fn functions: F.%s(x))"):format(
      tostring(k), tostring(k)), 2)
  end
  Traced.__tostring = function(v) return ("traced value (node %d)"):format(v.id) end

  local F = {pi = math.pi, e = math.exp(1)}

  local function typename(v)
    return A.is_tensor(v) and "tensor" or is_traced(v) and "traced value" or type(v)
  end

  local function bad(fname, i, v)
    error(("bad argument #%d to 'fn.%s' (number, tensor or traced value expected, "
           .. "got %s)"):format(i, fname, typename(v)), 3)
  end

  -- Single-operation expressions for tensors where A has no function of
  -- that name (tan, erf, softplus, sinc): compiled once, on first use.
  local single = {}
  local function single_op(op)
    if not single[op] then
      local e = act._expr(op)
      e:compile(e:node(op, e:input()))
      single[op] = e
    end
    return single[op]
  end

  local TENSOR_UNARY = {exp = true, log = true, log1p = true, expm1 = true,
    sqrt = true, abs = true, sin = true, cos = true, tanh = true, sigmoid = true,
    sign = true, neg = true}

  for _, op in ipairs{"neg", "exp", "log", "log1p", "expm1", "sqrt", "abs", "sign",
                      "sin", "cos", "tan", "tanh", "sigmoid", "erf", "softplus", "sinc"} do
    F[op] = function(a)
      if type(a) == "number" then return op_eval(op, a) end
      if is_traced(a) then return make(op, node(a, op)) end
      if A.is_tensor(a) then
        if TENSOR_UNARY[op] then return A[op](a) end
        return single_op(op):activate(a)
      end
      bad(op, 1, a)
    end
  end

  -- Binary and ternary functions: numbers, then traced values, then tensors.
  local function nary(op, on_tensors)
    local n = OPS[op]
    F[op] = function(...)
      local args, traced, tensor = {...}, false, false
      for i = 1, n do
        local v = args[i]
        if is_traced(v) then traced = true
        elseif A.is_tensor(v) then tensor = true
        elseif type(v) ~= "number" then bad(op, i, v) end
      end
      if traced then
        local ids = {}
        for i = 1, n do ids[i] = node(args[i], op) end
        return make(op, table.unpack(ids, 1, n))
      end
      if tensor then return on_tensors(...) end
      return op_eval(op, ...)
    end
  end
  local function first_tensor(a, b) return A.is_tensor(a) and a or A.full({}, a, {dtype = b:dtype()}) end
  nary("add", function(a, b) return a + b end)
  nary("sub", function(a, b) return a - b end)
  nary("mul", function(a, b) return a * b end)
  nary("div", function(a, b) return a / b end)
  nary("pow", function(a, b) return a ^ b end)
  nary("min", function(a, b) return A.minimum(first_tensor(a, b), b) end)
  nary("max", function(a, b) return A.maximum(first_tensor(a, b), b) end)
  for _, op in ipairs{"gt", "ge", "lt", "le", "eq"} do
    nary(op, function(a, b) return A[op](first_tensor(a, b), b) end)
  end
  nary("where", function(c, a, b)
    if not A.is_tensor(c) then return c ~= 0 and a or b end
    return A.where(c, a, b)
  end)

  -- clamp(x, lo, hi) = where(x < lo, lo, where(x > hi, hi, x)): the
  -- gradient passes on the closed interval, as torch.clamp's.
  function F.clamp(x, lo, hi)
    if type(lo) ~= "number" then bad("clamp", 2, lo) end
    if type(hi) ~= "number" then bad("clamp", 3, hi) end
    if A.is_tensor(x) then return A.clamp(x, lo, hi) end
    if type(x) == "number" then return math.min(math.max(x, lo), hi) end
    if not is_traced(x) then bad("clamp", 1, x) end
    return F.where(F.lt(x, lo), lo, F.where(F.gt(x, hi), hi, x))
  end

  local names = {}
  for k in pairs(F) do names[#names + 1] = k end
  table.sort(names)
  setmetatable(F, {__index = function(_, k)
    error(("A.fn has no '%s' (it has %s)"):format(tostring(k), table.concat(names, ", ")), 2)
  end})

  -- What a Lua error raised inside a traced function means, with the way
  -- out: math.exp(x) -> "use F.exp"; anything else about a traced value ->
  -- the callback form.
  local function explain(msg)
    msg = tostring(msg)
    local fname = msg:match("bad argument #%d+ to '([^']+)' %(number expected, got traced value%)")
    if fname then
      local short = fname:match("[%w_]+$")
      local alt = rawget(F, short) and ("F." .. short)
        or "A.fn (F.exp, F.sin, ...) or the callback form {f = ..., df = ...}"
      return msg .. (": %s cannot take a traced value, use %s"):format(fname, alt)
    end
    return msg
  end

  -- Traces fn(x, p) into a compiled expression called name with parameters
  -- param_names (p.<name> are traced too). Errors are raised at `level`.
  local function trace(name, fn, param_names, level)
    local e = act._expr(name, param_names)
    local x = setmetatable({e = e, id = e:input()}, Traced)
    local p, declared = {}, table.concat(param_names, ", ")
    for k, pn in ipairs(param_names) do
      p[pn] = setmetatable({e = e, id = e:param(k)}, Traced)
    end
    setmetatable(p, {__index = function(_, k)
      error(("parameter '%s' is not declared (declared: %s): add it to "
             .. "params = {...}"):format(tostring(k), declared == "" and "none" or declared), 2)
    end})
    local outer = tracing
    tracing = e
    local ok, result = xpcall(fn, function(m) return explain(m) end, x, p)
    tracing = outer
    if not ok then error(("A.act.define('%s'): %s"):format(name, result), level + 1) end
    if type(result) == "number" then
      result = setmetatable({e = e, id = e:const(result)}, Traced)
    elseif not is_traced(result) or result.e ~= e then
      error(("A.act.define('%s'): the function returned a %s, expected a number or "
             .. "an expression of x"):format(name, typename(result)), level + 1)
    end
    e:compile(result.id)
    return e
  end

  return F, trace
end
