-- actlua.act — A.act.define: activations written as Lua formulas, and the
-- activation registry (A.act.names, info, apply) over built-in and defined
-- ones alike.
--
--   local F = A.fn
--   A.act.define("ncu2", function(x) return x - x^3 end)
--   A.act.define("swish_b", function(x, p) return x * F.sigmoid(p.beta * x) end,
--                {params = {beta = 1.0}})
--   A.swish_b(t, {beta = 2});  t:ncu2();  nn.Activation("swish_b", {learnable = true})
--
-- A traced definition is compiled by the engine (forward and symbolic
-- derivative, native speed). What tracing cannot express takes callbacks:
-- {f = function(x, p) ... end, df = function(x, y, p) ... end} (scalar Lua
-- functions, called per element), or f alone (a central-difference
-- derivative, with a one-time warning). On definition the derivative is
-- checked against float64 central differences and a grid up to +-1000 is
-- probed for non-finite values.
--
-- Returns a function of the module table A (loaded while `require
-- "actlua"` runs).
return function(A)
  local act = A.act
  local F, trace = require("actlua.fn")(A)
  local properties = require "actlua.act_properties"
  A.fn = F

  local builtin = {names = act.names, info = act.info, apply = act.apply}
  local defined = {}   -- name -> definition
  local builtin_names = {}
  for _, n in ipairs(builtin.names()) do builtin_names[n] = true end

  -- Where warnings go; tests and hosts may replace it.
  function act.warn(msg) io.stderr:write("actlua: ", msg, "\n") end

  -- ------------------------------------------------------------ params

  -- {beta = 1} or {{"beta", 1}, {"gamma", 2}} -> names, defaults (a map
  -- gives its names in alphabetical order).
  local function read_params(name, spec)
    local names, defaults = {}, {}
    if spec == nil then return names, defaults end
    if type(spec) ~= "table" then
      error(("A.act.define('%s'): params must be a table, got %s"):format(name, type(spec)), 4)
    end
    if #spec > 0 then
      for i, pair in ipairs(spec) do
        if type(pair) ~= "table" or type(pair[1]) ~= "string" or type(pair[2]) ~= "number" then
          error(("A.act.define('%s'): params[%d] must be {name, default}"):format(name, i), 4)
        end
        names[i], defaults[pair[1]] = pair[1], pair[2]
      end
    else
      for k, v in pairs(spec) do
        if type(k) ~= "string" or type(v) ~= "number" then
          error(("A.act.define('%s'): params maps names to default numbers, got %s = %s")
            :format(name, tostring(k), tostring(v)), 4)
        end
        names[#names + 1], defaults[k] = k, v
      end
      table.sort(names)
    end
    if #names > 3 then
      error(("A.act.define('%s'): at most 3 parameters, got %d"):format(name, #names), 4)
    end
    return names, defaults
  end

  -- The values of one call, in the definition's order: numbers or tensors
  -- (learnable ones), from {beta = 2} or positional numbers.
  local function call_values(def, given, fname)
    if given == nil then return def.default_list end -- the common call: no table made
    local values = {}
    if given ~= nil and type(given) ~= "table" then given = {given} end
    given = given or {}
    for k, v in pairs(given) do
      local pn = math.type(k) == "integer" and def.params[k] or k
      if type(pn) ~= "string" or def.defaults[pn] == nil then
        local takes = #def.params > 0 and table.concat(def.params, ", ") or "no parameters"
        error(("bad argument #2 to '%s' (%s takes %s, got '%s')"):format(
          fname, def.name, takes, tostring(pn or k)), 3)
      end
      if type(v) ~= "number" and not A.is_tensor(v) then
        error(("bad argument #2 to '%s' (%s must be a number or a tensor, got %s)"):format(
          fname, pn, type(v)), 3)
      end
      values[pn] = v
    end
    local list = {}
    for i, pn in ipairs(def.params) do
      local v = values[pn]
      if v == nil then v = def.defaults[pn] end
      list[i] = v
    end
    return list
  end

  -- --------------------------------------------------------- callbacks

  local function flat(t) return t:contiguous():view(-1):totable() end

  -- f and f' of a callback definition over a tensor, element by element.
  local function apply_callbacks(def, x, list)
    local p = {}
    for i, pn in ipairs(def.params) do
      if A.is_tensor(list[i]) then
        error(("%s: a callback activation cannot learn %s (only traced ones can)")
          :format(def.name, pn), 3)
      end
      p[pn] = list[i]
    end
    if x:numel() == 0 then return x:clone() end
    local xs, ys = flat(x), {}
    local f, df = def.f, def.df
    for i = 1, #xs do ys[i] = f(xs[i], p) end
    local opts = {dtype = x:dtype()}
    local y = A.tensor(#ys > 0 and ys or {}, opts):view(x:shape())
    if not (A.is_grad_enabled() and x:requires_grad()) then return y end
    local ds = {}
    if df then
      for i = 1, #xs do ds[i] = df(xs[i], ys[i], p) end
    else -- central differences, step scaled to x
      for i = 1, #xs do
        local h = 6e-6 * math.max(1, math.abs(xs[i]))
        ds[i] = (f(xs[i] + h, p) - f(xs[i] - h, p)) / (2 * h)
      end
    end
    return def.named:with_derivative(x, y, A.tensor(#ds > 0 and ds or {}, opts):view(x:shape()))
  end

  -- ----------------------------------------------------------- applying

  local function apply_defined(def, x, given, fname)
    if not A.is_tensor(x) then
      error(("bad argument #1 to '%s' (tensor expected, got %s)"):format(fname, type(x)), 3)
    end
    local list = call_values(def, given, fname)
    if def.expr then return def.expr:activate(x, list) end
    return apply_callbacks(def, x, list)
  end

  -- The parameters of a call: one table, one number, or several numbers.
  local function given_of(...)
    local n = select("#", ...)
    if n <= 1 then return (...) end
    return {...}
  end

  function act.names()
    local names = builtin.names()
    for n in pairs(defined) do
      if not builtin_names[n] then names[#names + 1] = n end
    end
    table.sort(names)
    return names
  end

  function act.apply(name, x, ...)
    local def = defined[name]
    if def then return apply_defined(def, x, given_of(...), "apply") end
    return builtin.apply(name, x, ...)
  end

  function act.is_defined(name) return defined[name] ~= nil end

  -- -------------------------------------------------------------- info

  local function defined_info(def)
    local params = {}
    for i, pn in ipairs(def.params) do params[i] = {name = pn, default = def.defaults[pn]} end
    local info = {
      name = def.name, aliases = {}, form = "elementwise", params = params,
      defined = def.kind, formula = def.formula, derivative = def.derivative,
      derivative_from = "x", kinks = {}, smooth = def.smooth,
      nonfinite = def.nonfinite, monotonic = def.monotonic, range = def.range,
    }
    return info
  end

  -- Measured with grad mode on, rrelu in evaluation (no random draws).
  local function measure(info, params)
    if type(params) == "table" and params.training then
      local copy = {}
      for k, v in pairs(params) do copy[k] = v end
      copy.training = false
      params = copy
    end
    local was = A.set_grad_enabled(true)
    local ok, m = pcall(properties.measure, A, info, params)
    A.set_grad_enabled(was)
    if not ok then error(m, 0) end
    return m
  end

  -- A.act.info(name [, params]): the registry's descriptor; for an
  -- element-wise activation also `measured`, its properties on [-10, 10]
  -- (actlua.act_properties), worked out when first read.
  function act.info(name, ...)
    local def, params = defined[name], given_of(...)
    local info
    if def then
      call_values(def, params, "info")
      info = defined_info(def)
    else
      local ok, got = pcall(builtin.info, name, ...)
      -- raised again at our caller, as if it had called the C function
      if not ok then error((tostring(got):gsub("^[^:\n]*:%d+: ", "")), 2) end
      info = got
    end
    if info.form == "elementwise" then
      setmetatable(info, {__index = function(t, k)
        if k ~= "measured" then return nil end
        local m = measure(t, params)
        rawset(t, "measured", m)
        return m
      end})
    end
    return info
  end

  -- ------------------------------------------------------------ checks

  -- f, f' and df/dp at one point, with parameter values pv (in order).
  local function point(def, x, pv)
    if def.expr then
      local y, dx, dp = def.expr:eval({x}, pv)
      local dps = {}
      for k = 1, #def.params do dps[k] = dp[k][1] end
      return y[1], dx[1], dps
    end
    local p = {}
    for i, pn in ipairs(def.params) do p[pn] = pv[i] end
    local y = def.f(x, p)
    return y, def.df(x, y, p), {}
  end

  -- The definition's derivative (traced: in x and each parameter; with
  -- callbacks: df) against float64 central differences of its value, with
  -- default params, at points away from kinks (where a central difference
  -- straddles a corner, its two halves disagree).
  local function check_gradient(def)
    local pv = def.default_list
    local h, nvars = 1e-6, def.expr and #def.params or 0
    for i = 0, 40 do
      local x = -4.93 + i * 0.2437
      local ok, y, dx, dp = pcall(point, def, x, pv)
      if not ok then
        error(("A.act.define('%s'): evaluating at x = %.4g failed: %s"):format(def.name, x, y), 4)
      end
      for k = 0, nvars do
        local xp, xm, pp, pm = x, x, {table.unpack(pv)}, {table.unpack(pv)}
        if k == 0 then xp, xm = x + h, x - h else pp[k], pm[k] = pv[k] + h, pv[k] - h end
        local yp, ym = point(def, xp, pp), point(def, xm, pm)
        local numeric, analytic = (yp - ym) / (2 * h), k == 0 and dx or dp[k]
        local kink = math.abs((yp - y) - (y - ym)) > 1e-3 * (math.abs(yp - ym) + 1e-12)
        local finite = type(analytic) == "number" and analytic == analytic
          and numeric == numeric and math.abs(numeric) < 1e12
        if finite and not kink and math.abs(analytic - numeric) > 1e-5 + 1e-4 * math.abs(numeric) then
          error(("A.act.define('%s'): the derivative in %s fails the gradient check at "
                 .. "x = %.4g: %s %.10g, central difference %.10g"):format(
            def.name, k == 0 and "x" or def.params[k], x,
            def.expr and "symbolic" or "df gives", analytic, numeric), 4)
        end
      end
    end
  end

  -- Evaluates f on a grid from -1000 to 1000 and lists where it is not finite.
  local PROBE = {-1000, -100, -30, -10, -3, -1, -1e-8, 0, 1e-8, 1, 3, 10, 30, 100, 1000}
  local function probe(def)
    local bad = {}
    for _, x in ipairs(PROBE) do
      local y
      if def.expr then
        y = def.expr:eval({x}, def.default_list)[1]
      else
        local ok, v = pcall(def.f, x, def.defaults)
        y = ok and type(v) == "number" and v or 0 / 0
      end
      if y ~= y or y == math.huge or y == -math.huge then bad[#bad + 1] = ("%g"):format(x) end
    end
    if #bad > 0 then
      act.warn(("%s is not finite at x = %s (float64)"):format(def.name, table.concat(bad, ", ")))
    end
    return bad
  end

  -- ------------------------------------------------------------- define

  local function check_name(name, opts)
    if type(name) ~= "string" or not name:match("^[%a_][%w_]*$") then
      error(("bad argument #1 to 'define' (a name like ncu2 expected, got %s)"):format(
        type(name) == "string" and ("'" .. name .. "'") or type(name)), 3)
    end
    if opts.override then return end
    if builtin_names[name] or (builtin.info and pcall(builtin.info, name)) then
      error(("bad argument #1 to 'define' ('%s' is a built-in activation: "
             .. "pass {override = true} to replace it)"):format(name), 3)
    end
    local existing = rawget(A, name)
    if existing ~= nil and not defined[name] then
      error(("bad argument #1 to 'define' (A.%s already exists: pick another name, "
             .. "or pass {override = true})"):format(name), 3)
    end
  end

  local function install(def)
    local previous = defined[def.name]
    if previous then
      def.replaced = previous.replaced -- what undefine restores
    else
      def.replaced = {A = rawget(A, def.name), Tensor = rawget(A.Tensor, def.name)}
    end
    defined[def.name] = def
    local function call(x, ...) return apply_defined(def, x, given_of(...), def.name) end
    rawset(A, def.name, call)
    A.Tensor[def.name] = call
    return def
  end

  -- A.act.define(name, fn | {f = ..., df = ...} [, {params =, override =}])
  function act.define(name, body, opts)
    opts = opts or {}
    if type(opts) ~= "table" then
      error(("bad argument #3 to 'define' (table expected, got %s)"):format(type(opts)), 2)
    end
    check_name(name, opts)
    local names, defaults = read_params(name, opts.params)
    local def = {name = name, params = names, defaults = defaults, default_list = {}}
    for i, pn in ipairs(names) do def.default_list[i] = defaults[pn] end
    if type(body) == "function" then
      def.kind = "traced"
      def.expr = trace(name, body, names, 2)
      def.formula, def.derivative = def.expr:format(0), def.expr:format(1)
      def.smooth = def.expr:describe().smooth
      check_gradient(def)
    elseif type(body) == "table" and type(body.f) == "function" then
      if body.df ~= nil and type(body.df) ~= "function" then
        error(("bad argument #2 to 'define' (df must be a function, got %s)"):format(type(body.df)), 2)
      end
      def.kind = body.df and "callback" or "numeric"
      def.f, def.df = body.f, body.df
      def.formula = body.formula or "(Lua callback)"
      def.named = act._expr(name, names)
      if body.df then check_gradient(def) end
      if not body.df then
        act.warn(("%s has no df: its derivative is a central difference of f "
                  .. "(slower and less exact; give df = function(x, y, p) ... end)"):format(name))
      end
    else
      error(("bad argument #2 to 'define' (a function of x, or {f = function, "
             .. "df = function} expected, got %s)"):format(type(body)), 2)
    end
    def.nonfinite = probe(def)
    properties.forget(A, name)
    install(def)
    local m = act.info(name).measured
    def.monotonic = m.monotonic ~= "no"
    def.range = {m.range[1], m.range[2]}
    return act.info(name)
  end

  -- A.act.undefine(name): removes a defined activation (and brings back
  -- the built-in it overrode, if any).
  function act.undefine(name)
    if not defined[name] then
      error(("bad argument #1 to 'undefine' ('%s' is not a defined activation)"):format(
        tostring(name)), 2)
    end
    local replaced = defined[name].replaced
    defined[name] = nil
    properties.forget(A, name)
    rawset(A, name, replaced.A)   -- a built-in that was overridden comes back
    rawset(A.Tensor, name, replaced.Tensor)
  end
end
