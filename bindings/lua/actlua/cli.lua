-- actlua.cli — command-line options for experiment scripts, on Debian's
-- lua-argparse. Every script takes the same common options and adds the
-- knobs it needs with one call each:
--
--   local cli = require "actlua.cli"
--   local p = cli.parser("e8_deep_xor", "Deep XOR: sigmoid fails, ReLU learns.")
--   cli.add_steps(p, 20000)
--   cli.add_lr(p, 0.01)
--   cli.add_acts(p, {"sigmoid", "relu", "leaky_relu", "tanh"})
--   cli.add_seeds(p, 5)
--   cli.add_integer(p, "--hidden", 16, "Hidden width.", 1)
--   local args = cli.parse(p)        -- the running script's `arg`
--   -- args.seed (0), args.quiet (false), args.plot (nil or a folder),
--   -- args.steps, args.lr, args.acts (an array), args.seeds
--
-- --help prints the usage and exits with status 0; a bad value prints the
-- usage and "Error: ..." on stderr and exits with status 1 (argparse's own
-- behaviour: a message, never a Lua traceback). p:pparse(argv) parses
-- without exiting (false and the message on an error), for tests.
--
-- The converters (cli.integer, cli.number, cli.activation) turn an option's
-- text into a value or return nil and a message, as argparse expects; they
-- accept the numbers given as defaults as well as strings.
local argparse = require "argparse"

local M = {}

-- An integer in [min, max] (either bound optional), written in decimal.
function M.integer(min, max)
  return function(s)
    local v = math.tointeger(tonumber(s))
    if v == nil then
      return nil, ("'%s' is not an integer"):format(tostring(s))
    end
    if (min and v < min) or (max and v > max) then
      local range = min and max and ("in [%d, %d]"):format(min, max)
                    or min and (">= %d"):format(min) or ("<= %d"):format(max)
      return nil, ("%d is out of range (must be %s)"):format(v, range)
    end
    return v
  end
end

-- A finite number; opts.positive (> 0), opts.min, opts.max.
function M.number(opts)
  opts = opts or {}
  return function(s)
    local v = tonumber(s)
    if v == nil or v ~= v or v == math.huge or v == -math.huge then
      return nil, ("'%s' is not a finite number"):format(tostring(s))
    end
    v = v + 0.0
    if opts.positive and v <= 0 then
      return nil, ("%s must be positive"):format(tostring(s))
    end
    if (opts.min and v < opts.min) or (opts.max and v > opts.max) then
      return nil, ("%s is out of range [%s, %s]"):format(
        tostring(s), tostring(opts.min or "-inf"), tostring(opts.max or "inf"))
    end
    return v
  end
end

-- The activation names the registry knows (sorted), or nil when actlua has
-- no registry (then any name is accepted).
function M.activation_names()
  local ok, A = pcall(require, "actlua")
  if not ok or type(A) ~= "table" or type(A.act) ~= "table"
     or type(A.act.names) ~= "function" then
    return nil
  end
  local ok2, names = pcall(A.act.names)
  if not ok2 or type(names) ~= "table" then return nil end
  return names
end

-- Whether activation `name` may be used where only `forms` are (a set of
-- A.act.info(name).form values, such as {elementwise = true}) or the names
-- in `also`; true, or false and why.
local function form_allowed(name, forms, also)
  if forms == nil or (also and also[name]) then return true end
  local A = require "actlua"
  local ok, info = pcall(A.act.info, name)
  if not ok or type(info) ~= "table" or forms[info.form] then return true end
  if info.form == "along_dim" then
    return false, ("%s works along a dim, not element-wise: this script cannot use it"):format(name)
  end
  return false, ("%s is not element-wise (its form is %s): this script cannot use it")
                :format(name, tostring(info.form))
end

local function check_activation(name, forms, also)
  if type(name) ~= "string" or name == "" then
    return nil, "an activation name is empty"
  end
  local names = M.activation_names()
  if names == nil then return name end
  for _, n in ipairs(names) do
    if n == name then
      local ok, why = form_allowed(name, forms, also)
      if not ok then return nil, why end
      return name
    end
  end
  return nil, ("unknown activation '%s' (known: %s)"):format(
    name, table.concat(names, ", "))
end

-- One activation name, checked against A.act.names() at parse time (so
-- activations a script registers before parsing count).
function M.activation(s)
  return check_activation(s)
end

-- A comma-separated list of activation names ("relu,tanh"), as an array.
-- forms and also: see add_acts.
function M.activation_list(s, forms, also)
  if type(s) == "table" then s = table.concat(s, ",") end
  local list = {}
  for item in (tostring(s) .. ","):gmatch("([^,]*),") do
    item = item:match("^%s*(.-)%s*$")
    local name, err = check_activation(item, forms, also)
    if not name then return nil, err end
    list[#list + 1] = name
  end
  return list
end

-- conv, with the option's name in front of its messages.
local function named(option, conv)
  return function(s)
    local v, err = conv(s)
    if v == nil then return nil, option .. ": " .. tostring(err) end
    return v
  end
end
M.named = named

-- The parser of a script named `name`, with the common options:
--   --seed N     random seed (integer, default 0)
--   --quiet      no progress output
--   --plot DIR   write the figures into DIR
function M.parser(name, description, epilog)
  assert(type(name) == "string", "cli.parser: name must be a string")
  local p = argparse(name, description, epilog)
  p:option("--seed", "Random seed: the same seed gives the same bits.", "0")
    :argname("<n>"):convert(named("--seed", M.integer()))
  p:flag("-q --quiet", "Print no progress, only the results."):init(false)
  p:option("--plot", "Write the figures (PNG, SVG, CSV, gnuplot script) into this folder.")
    :argname("<dir>")
  return p
end

local function default_text(v)
  if type(v) == "table" then return table.concat(v, ",") end
  return v ~= nil and tostring(v) or nil
end

-- --steps N: the number of training steps (integer >= 0).
function M.add_steps(p, default, description)
  return p:option("--steps", description or "Number of training steps.",
                  default_text(default))
    :argname("<n>"):convert(named("--steps", M.integer(0)))
end

-- --lr X: the learning rate (a positive number).
function M.add_lr(p, default, description)
  return p:option("--lr", description or "Learning rate.", default_text(default))
    :argname("<x>"):convert(named("--lr", M.number{positive = true}))
end

-- A set {a = true, ...} from an array {"a", ...} (nil stays nil).
local function set_of(list)
  if list == nil then return nil end
  local set = {}
  for _, v in ipairs(list) do set[v] = true end
  return set
end

-- --act NAME: one activation, checked against A.act.names() (and, with
-- only = {forms = {...}, also = {...}}, restricted as in add_acts).
function M.add_act(p, default, description, only)
  only = only or {}
  local forms, also = set_of(only.forms), set_of(only.also)
  return p:option("--act", description or "Activation function.",
                  default_text(default))
    :argname("<name>"):convert(named("--act", function(s)
      return check_activation(s, forms, also)
    end))
end

-- --act NAME[,NAME...]: several activations, as args.acts (an array); the
-- option may also be repeated (--act relu --act tanh). only restricts them:
-- only.forms, the forms of A.act.info accepted ({"elementwise"}), and
-- only.also, names accepted whatever their form ({"prelu"}).
function M.add_acts(p, default, description, only)
  only = only or {}
  local forms, also = set_of(only.forms), set_of(only.also)
  local o = p:option("--act", description or
                     "Activation functions, comma-separated (relu,tanh).",
                     default_text(default))
    :argname("<names>"):target("acts"):count("*"):convert(named("--act", function(s)
      return M.activation_list(s, forms, also)
    end))
  -- Each use appends its names (argparse calls the action once per use).
  o:init(nil):action(function(result, target, list)
    local acc = result[target] or {}
    for _, n in ipairs(type(list) == "table" and list or {list}) do
      acc[#acc + 1] = n
    end
    result[target] = acc
  end)
  return o
end

-- An integer option (--name N) in [min, max] (either bound optional).
function M.add_integer(p, option, default, description, min, max)
  return p:option(option, description, default_text(default))
    :argname("<n>"):convert(named(option, M.integer(min, max)))
end

-- A number option (--name X); opts as cli.number's (positive, min, max).
function M.add_number(p, option, default, description, opts)
  return p:option(option, description, default_text(default))
    :argname("<x>"):convert(named(option, M.number(opts)))
end

-- --seeds K: how many seeds to run (seed, seed + 1, ..., seed + K - 1).
function M.add_seeds(p, default, description)
  return p:option("--seeds", description or
                  "Number of seeds to run (seed, seed+1, ...).", default_text(default or 1))
    :argname("<k>"):convert(named("--seeds", M.integer(1)))
end

-- The seeds args asks for: {seed, seed + 1, ..., seed + seeds - 1}.
function M.seed_list(args)
  local list = {}
  for i = 0, (args.seeds or 1) - 1 do list[#list + 1] = args.seed + i end
  return list
end

-- Parses argv (default: the running script's global `arg`); exits on
-- --help (status 0) or on an error (status 1, with a message).
function M.parse(p, argv)
  if argv == nil then
    argv = {}
    local a = rawget(_G, "arg")
    if type(a) == "table" then
      for i = 1, #a do argv[i] = a[i] end
    end
  end
  return p:parse(argv)
end

return M
