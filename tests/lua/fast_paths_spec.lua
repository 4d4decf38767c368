-- The speed paths against the straightforward ones they replace: a
-- Sequential's plain layers run in C (A._nn.chain) must give the same bits,
-- forward and backward, over training steps, as each module's own forward
-- called from Lua; and modules that are not plain (subclasses, instance
-- overrides, parameters, training-dependent ones) must still run their own
-- code.
local A = require "actlua"
local nn = require "actlua.nn"
local S = require "support"

local function exact(actual, expected) S.assert_close(actual, expected, 0, 0) end

-- The straightforward path: every module's forward, from Lua.
local function by_modules(model, x)
  for i = 1, #model do x = model[i]:forward(x) end
  return x
end

local function deep_model(act)
  local layers = {}
  local sizes = {2, 5, 5, 5, 5, 3, 1}
  for i = 1, #sizes - 1 do
    layers[#layers + 1] = nn.Linear(sizes[i], sizes[i + 1])
    layers[#layers + 1] = i < #sizes - 1 and nn.Activation(act) or nn.Sigmoid()
  end
  return nn.Sequential(layers)
end

-- Copies of model's parameters (values only).
local function snapshot(model)
  local out = {}
  for i, p in ipairs(model:parameters()) do out[i] = p:detach():clone() end
  return out
end

local function restore(model, values)
  A.no_grad(function()
    for i, p in ipairs(model:parameters()) do p:copy_(values[i]) end
  end)
end

describe("Sequential's C path for plain layers", function()
  before_each(function() A.manual_seed(11) end)

  it("runs a whole Linear/activation stack in one call", function()
    local model = deep_model("tanh")
    local x = A.randn{4, 2}
    local y, nxt = A._nn.chain(model, x, 1)
    assert.are.equal(#model + 1, nxt)
    exact(y, by_modules(model, x))
    -- from a later module on, and past the end
    local _, after = A._nn.chain(model, x, #model + 1)
    assert.are.equal(#model + 1, after)
  end)

  for _, act in ipairs{"sigmoid", "tanh", "relu", "gelu", "softplus"} do
    it(("gives the same bits as the modules' forwards over SGD steps (%s)"):format(act),
       function()
      local x = A.tensor{{0, 0}, {0, 1}, {1, 0}, {1, 1}}
      local y = A.tensor{{0}, {1}, {1}, {0}}
      local model = deep_model(act)
      local start = snapshot(model)
      local function train(forward)
        restore(model, start)
        local opt = A.optim.SGD(model:parameters(), {lr = 0.1})
        local h, grads
        for _ = 1, 25 do
          opt:zero_grad()
          h = forward(model, x)
          A.loss.bce_naive(h, y):backward()
          grads = {}
          for i, p in ipairs(model:parameters()) do grads[i] = p.grad:clone() end
          opt:step()
        end
        return h, grads, snapshot(model)
      end
      local h1, g1, p1 = train(function(m, v) return m(v) end)
      local h2, g2, p2 = train(by_modules)
      exact(h1, h2)
      for i = 1, #g1 do exact(g1[i], g2[i]); exact(p1[i], p2[i]) end
    end)
  end

  it("handles a Linear without bias, float64, and no_grad", function()
    local model = nn.Sequential{nn.Linear(3, 4, {bias = false, dtype = "float64"}), nn.ReLU(),
                                nn.Linear(4, 2, {dtype = "float64"})}
    local x = A.randn({5, 3}, {dtype = "float64"})
    exact(model(x), by_modules(model, x))
    local y = A.no_grad(function() return model(x) end)
    assert.is_false(y:requires_grad())
    exact(y, by_modules(model, x))
    local _, nxt = A._nn.chain(model, x, 1)
    assert.are.equal(4, nxt)
  end)

  it("stops at modules that are not plain, which then run their own code", function()
    local Doubled = nn.Linear:extend("Doubled")
    function Doubled:forward(x) return nn.Linear.forward(self, x) * 2 end
    local overridden = nn.Linear(3, 3)
    overridden.forward = function(_, x) return x + 100 end
    local leaky = nn.LeakyReLU(0.25)
    local cases = {
      {Doubled(3, 3), function(m, x) return A.linear(x, m.weight, m.bias) * 2 end},
      {overridden, function(_, x) return x + 100 end},
      {leaky, function(_, x) return A.leaky_relu(x, 0.25) end},
      {nn.Dropout(0.5), nil},
      {nn.RReLU(), nil},
    }
    for k, case in ipairs(cases) do
      local first = nn.Linear(3, 3)
      local model = nn.Sequential{first, case[1], nn.Tanh()}
      local x = A.randn{2, 3}
      local y, nxt = A._nn.chain(model, x, 1)
      assert.are.equal(2, nxt, "case " .. k)
      exact(y, first(x))
      if case[2] then
        A.manual_seed(3)
        exact(model(x), A.tanh(case[2](case[1], first(x))))
      end
    end
  end)

  it("leaves a failing layer to the module call, which names it", function()
    local model = nn.Sequential{nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(5, 1)}
    local _, nxt = A._nn.chain(model, A.zeros{4, 2}, 1)
    assert.are.equal(3, nxt)
    assert.matches("^nn.Sequential: module 3 %(nn.Linear%(5 %-> 1%)%) failed on input " ..
                   "of shape %[4,3%]", S.error_of(model, A.zeros{4, 2}))
    -- what is not a tensor goes the usual way too
    local y, at = A._nn.chain(model, "x", 1)
    assert.are.equal("x", y)
    assert.are.equal(1, at)
  end)

  it("sees a parameter replaced after the model was made", function()
    local model = nn.Sequential{nn.Linear(2, 2), nn.Sigmoid()}
    local x = A.randn{3, 2}
    model[1].weight = A.ones({2, 2}):requires_grad(true)
    exact(model(x), A.sigmoid(A.linear(x, A.ones{2, 2}, model[1].bias)))
  end)
end)
