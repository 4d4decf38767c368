-- nn.Module — the base of every layer, container and loss, and the small
-- class system they are made with.
--
--   local Net = nn.Module:extend("Net")       -- a class; the name is printed
--   function Net:__init(hidden)                -- the constructor
--     self.fc1 = nn.Linear(2, hidden)          -- a module assigned: a child
--     self.fc2 = nn.Linear(hidden, 1)
--     self.scale = nn.Parameter(A.ones{1})     -- a leaf that requires grad:
--   end                                        --   a parameter
--   function Net:forward(x) return self.fc2(A.tanh(self.fc1(x))) * self.scale end
--   local net = Net(8)                         -- calling a class makes one
--   local y = net(x)                           -- calling a module: forward
--
-- A class is a table that its instances have as metatable; Net:extend("Sub")
-- derives again, and a parent's method is called as Net.forward(self, x).
-- Keys become children and parameters the first time they are assigned, in
-- that order (register_parameter and add_module do it explicitly); later
-- assignments to the same key replace the value in place. Errors raised in
-- __init are reported at the line that called the class.
local A = require "actlua"

local Module = {}
Module.__name = "nn.Module"
Module.__index = Module

-- Metamethods are read from the metatable itself, never through __index,
-- so every class carries its own copy.
local METAMETHODS = {"__call", "__tostring", "__newindex"}

local function is_module(v)
  return type(v) == "table" and rawget(v, "_child_keys") ~= nil
end
Module.is_module = is_module

local function append_key(list, key)
  for i = 1, #list do
    if list[i] == key then return end
  end
  list[#list + 1] = key
end

-- cls(...): a new instance, initialised by cls.__init.
local function construct(cls, ...)
  local self = setmetatable({}, cls)
  rawset(self, "_param_keys", {})
  rawset(self, "_child_keys", {})
  rawset(self, "training", true)
  local ok, err = pcall(cls.__init, self, ...)
  if not ok then error(err, 2) end
  return self
end

local function class_tostring(cls) return "class " .. cls.__name end

-- Module:extend(name) -> a new class deriving from Module (or from the
-- class it is called on).
function Module.extend(parent, name)
  if type(name) ~= "string" then
    error("bad argument #1 to 'extend' (a class name is needed)", 2)
  end
  local cls = {}
  for _, k in ipairs(METAMETHODS) do cls[k] = parent[k] end
  cls.__index = cls
  cls.__name = name
  cls.super = parent
  return setmetatable(cls, {__index = parent, __call = construct,
                            __tostring = class_tostring})
end
setmetatable(Module, {__call = construct, __tostring = class_tostring})

function Module:__init() end

function Module:forward()
  error(self.__name .. " has no forward method", 2)
end

function Module:__call(...)
  return self:forward(...)
end

-- First assignment of a key: modules become children, leaf tensors that
-- require grad become parameters.
function Module:__newindex(key, value)
  rawset(self, key, value)
  -- A forward or params of the instance's own: no longer one that
  -- Sequential may run in C (lnn.c).
  if key == "forward" or key == "params" then rawset(self, "_plain", nil) end
  if is_module(value) then
    append_key(rawget(self, "_child_keys"), key)
  elseif A.is_tensor(value) and value:is_leaf() and value:requires_grad() then
    append_key(rawget(self, "_param_keys"), key)
  end
end

-- nn.Parameter(t): t as a leaf that requires grad (detached if t was
-- computed).
function Module.Parameter(t)
  if not A.is_tensor(t) then
    error(("bad argument #1 to 'Parameter' (tensor expected, got %s)"):format(type(t)), 2)
  end
  if not t:is_leaf() then t = t:detach() end
  return t:requires_grad(true)
end

function Module:register_parameter(name, t)
  if t ~= nil and not A.is_tensor(t) then
    error(("register_parameter: '%s' must be a tensor, got %s"):format(
      tostring(name), type(t)), 2)
  end
  rawset(self, name, t)
  append_key(rawget(self, "_param_keys"), name)
  return t
end

function Module:add_module(name, m)
  if not is_module(m) then
    error(("add_module: '%s' must be a module, got %s"):format(
      tostring(name), type(m)), 2)
  end
  rawset(self, name, m)
  append_key(rawget(self, "_child_keys"), name)
  return m
end

-- ------------------------------------------------------------ traversal

-- Own parameters in registration order, then each child's, depth first;
-- a tensor shared by two modules is listed once.
local function collect(m, prefix, out, seen, named)
  for _, k in ipairs(rawget(m, "_param_keys")) do
    local t = rawget(m, k)
    if t ~= nil and not seen[t] then
      seen[t] = true
      local name = prefix .. tostring(k)
      out[#out + 1] = named and {name, t, name = name, tensor = t} or t
    end
  end
  for _, k in ipairs(rawget(m, "_child_keys")) do
    local c = rawget(m, k)
    if c ~= nil then collect(c, prefix .. tostring(k) .. ".", out, seen, named) end
  end
  return out
end

-- A flat array of the parameter tensors.
function Module:parameters()
  return collect(self, "", {}, {}, false)
end

-- An array of {name, tensor} (also .name, .tensor), names dotted: "1.weight".
function Module:named_parameters()
  return collect(self, "", {}, {}, true)
end

function Module:num_parameters()
  local n = 0
  for _, p in ipairs(self:parameters()) do n = n + p:numel() end
  return n
end

-- The direct children, in registration order.
function Module:children()
  local out = {}
  for _, k in ipairs(rawget(self, "_child_keys")) do
    local c = rawget(self, k)
    if c ~= nil then out[#out + 1] = c end
  end
  return out
end

-- An array of {name, module} for the direct children.
function Module:named_children()
  local out = {}
  for _, k in ipairs(rawget(self, "_child_keys")) do
    local c = rawget(self, k)
    if c ~= nil then out[#out + 1] = {tostring(k), c, name = tostring(k), module = c} end
  end
  return out
end

-- self and every module below it, depth first.
function Module:modules(out)
  out = out or {}
  out[#out + 1] = self
  for _, c in ipairs(self:children()) do c:modules(out) end
  return out
end

-- fn(m) for every module below self, children first, then self.
function Module:apply(fn)
  for _, c in ipairs(self:children()) do c:apply(fn) end
  fn(self)
  return self
end

function Module:train(mode)
  if mode == nil then mode = true end
  for _, m in ipairs(self:modules()) do rawset(m, "training", not not mode) end
  return self
end

function Module:evaluate()
  return self:train(false)
end
Module.eval = Module.evaluate

-- Clears every parameter's gradient (PyTorch's set_to_none).
function Module:zero_grad()
  for _, p in ipairs(self:parameters()) do p.grad = nil end
  return self
end

-- ------------------------------------------------------------- printing

-- Shapes as "[4,3]"; other values by their type.
function Module.shape_str(x)
  if A.is_tensor(x) then return "[" .. table.concat(x:shape(), ",") .. "]" end
  return type(x)
end

-- The text inside the parentheses of describe(); subclasses override it.
function Module:extra_repr() return "" end

-- "nn.Linear(5 -> 1)"
function Module:describe()
  return self.__name .. "(" .. self:extra_repr() .. ")"
end

local function plural(n) return n == 1 and "1 parameter" or n .. " parameters" end

-- "weight [5,2], bias [5]: 15 parameters", or nil without own parameters.
local function own_params(m)
  local parts, n = {}, 0
  for _, k in ipairs(rawget(m, "_param_keys")) do
    local t = rawget(m, k)
    if t ~= nil then
      parts[#parts + 1] = tostring(k) .. " " .. Module.shape_str(t)
      n = n + t:numel()
    end
  end
  if #parts == 0 then return nil end
  return table.concat(parts, ", ") .. ": " .. plural(n)
end

local function tree(m, indent, label, out)
  local head = indent .. (label and "(" .. label .. "): " or "") .. m:describe()
  local mine = own_params(m)
  local kids = m:named_children()
  if #kids == 0 then
    out[#out + 1] = head .. (mine and "  -- " .. mine or "")
    return
  end
  head = head:sub(1, -2) -- reopen "Name(...)" as a block
  out[#out + 1] = head .. (head:sub(-1) == "(" and "" or ",") ..
                  (mine and "  -- " .. mine or "")
  for _, kid in ipairs(kids) do tree(kid[2], indent .. "  ", kid[1], out) end
  out[#out + 1] = indent .. ")"
end

-- The module tree, PyTorch-like, each parametrised module with its
-- parameters' shapes and count, and the total below a container.
function Module:__tostring()
  local out = {}
  tree(self, "", nil, out)
  if #self:children() > 0 then
    out[#out + 1] = "Total parameters: " .. self:num_parameters()
  end
  return table.concat(out, "\n")
end

return Module
