-- actlua.nn: the Module class system (tree, parameter order, names,
-- train/evaluate, zero_grad, printing), Sequential and its error messages,
-- Linear (PyTorch's init bounds, forward against matmul + add), Dropout,
-- every activation module, PReLU and Swish learning, Maxout, the loss
-- modules, nn.init against PyTorch's gains, and XOR end to end: the
-- issue's 2000-step example, and resident memory over 100,000 steps.
local A = require "actlua"
local nn = require "actlua.nn"
local S = require "support"

local function xor_data()
  return A.tensor{{0, 0}, {0, 1}, {1, 0}, {1, 1}}, A.tensor{{0}, {1}, {1}, {0}}
end

local function xor_model()
  return nn.Sequential{nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 1), nn.Sigmoid()}
end

describe("nn.Module", function()
  before_each(function() A.manual_seed(7) end)

  it("lists parameters depth first in registration order", function()
    local model = xor_model()
    local ps = model:parameters()
    assert.are.equal(4, #ps)
    assert.are.equal(model[1].weight, ps[1])
    assert.are.equal(model[1].bias, ps[2])
    assert.are.equal(model[3].weight, ps[3])
    assert.are.equal(model[3].bias, ps[4])
    assert.are.equal(2 * 5 + 5 + 5 * 1 + 1, model:num_parameters())
    assert.are.same({5, 2}, ps[1]:shape())
    assert.are.same({1}, ps[4]:shape())
  end)

  it("names parameters with dotted paths", function()
    local names = {}
    for i, p in ipairs(xor_model():named_parameters()) do
      names[i] = p[1]
      assert.are.equal(p[1], p.name)
      assert.is_true(A.is_tensor(p[2]) and p[2] == p.tensor)
    end
    assert.are.same({"1.weight", "1.bias", "3.weight", "3.bias"}, names)
  end)

  it("makes classes whose assigned modules and parameters register", function()
    local Net = nn.Module:extend("Net")
    function Net:__init(hidden)
      self.fc1 = nn.Linear(2, hidden)
      self.act = nn.Tanh()
      self.scale = nn.Parameter(A.ones{1})
      self.fc2 = nn.Linear(hidden, 1)
      self.note = "not registered"
      self.constant = A.ones{3} -- does not require grad: not a parameter
    end
    function Net:forward(x) return self.fc2(self.act(self.fc1(x))) * self.scale end
    local net = Net(4)
    local names = {}
    for i, p in ipairs(net:named_parameters()) do names[i] = p[1] end
    assert.are.same({"scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}, names)
    assert.are.equal(3, #net:children())
    assert.are.equal(net.fc1, net:children()[1])
    assert.are.same({4, 1}, net(A.zeros{4, 2}):shape())
    assert.are.equal(12 + 1 + 5, net:num_parameters())
    -- a subclass inherits and overrides
    local Sub = Net:extend("Sub")
    function Sub:forward(x) return Net.forward(self, x) * 2 end
    local sub = Sub(3)
    assert.are.equal(5, #sub:parameters())
    assert.are.equal("Sub", sub.__name)
    local x = A.randn{2, 2}
    S.assert_close(sub(x), Net.forward(sub, x) * 2, 1e-6)
  end)

  it("lists a shared parameter once", function()
    local shared = nn.Linear(3, 3)
    local model = nn.Sequential{shared, nn.Tanh(), shared}
    assert.are.equal(2, #model:parameters())
    assert.are.equal(12, model:num_parameters())
  end)

  it("reports errors in __init at the caller's line", function()
    local err = S.error_of(function() local m = nn.Linear(0, 3); return m end)
    assert.matches("nn_spec.lua:%d+: nn.Linear: in_features must be a positive integer, got 0", err)
    assert.matches("options must be a table", S.error_of(nn.Linear, 2, 3, "bias"))
    assert.matches("unknown init 'foo'", S.error_of(nn.Linear, 2, 3, {init = "foo"}))
  end)

  it("switches training mode down the tree", function()
    local model = nn.Sequential{nn.Linear(2, 2), nn.Sequential{nn.Dropout(0.5)}}
    assert.is_true(model[2][1].training)
    assert.are.equal(model, model:evaluate())
    assert.is_false(model.training)
    assert.is_false(model[2][1].training)
    model:train()
    assert.is_true(model[2][1].training)
    model:eval()
    assert.is_false(model[1].training)
    model:train(true)
    assert.is_true(model[1].training)
  end)

  it("clears gradients with zero_grad", function()
    local model = xor_model()
    local x, y = xor_data()
    local cost = ((model(x) - y) ^ 2):mean()
    cost:backward()
    for _, p in ipairs(model:parameters()) do assert.is_not_nil(p.grad) end
    model:zero_grad()
    for _, p in ipairs(model:parameters()) do assert.is_nil(p.grad) end
  end)

  it("prints the tree with shapes and parameter counts", function()
    local text = tostring(xor_model())
    assert.are.equal(table.concat({
      "nn.Sequential(",
      "  (1): nn.Linear(2 -> 5)  -- weight [5,2], bias [5]: 15 parameters",
      "  (2): nn.Tanh()",
      "  (3): nn.Linear(5 -> 1)  -- weight [1,5], bias [1]: 6 parameters",
      "  (4): nn.Sigmoid()",
      ")",
      "Total parameters: 21"}, "\n"), text)
    local nested = tostring(nn.Sequential{nn.Maxout(3, 2, 2), nn.Dropout(0.1)})
    assert.matches("  %(1%): nn.Maxout%(3 %-> 2, pieces = 2,\n" ..
                   "    %(linear%): nn.Linear%(3 %-> 4%)  %-%- weight %[4,3%], bias %[4%]: 16 parameters\n" ..
                   "  %)\n  %(2%): nn.Dropout%(p = 0.1%)\n%)\nTotal parameters: 16$", nested)
    assert.are.equal("nn.Linear(4 -> 2, no bias)  -- weight [2,4]: 8 parameters",
                     tostring(nn.Linear(4, 2, {bias = false})))
    assert.are.equal("class nn.Linear", tostring(nn.Linear))
  end)
end)

describe("nn.Sequential", function()
  before_each(function() A.manual_seed(7) end)

  it("is indexable, has a length, and adds in a chain", function()
    local model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    assert.are.equal(2, #model)
    assert.are.equal(model, model:add(nn.Linear(3, 1)):add(nn.Sigmoid()))
    assert.are.equal(4, #model)
    assert.are.equal("nn.Linear(3 -> 1)", model[3]:describe())
    assert.is_nil(model[5])
    assert.are.same({6, 1}, model(A.randn{6, 2}):shape())
    assert.are.same(A.randn{2}:shape(), nn.Sequential{}(A.randn{2}):shape())
  end)

  it("names the failing module, its type and the input shape", function()
    local model = nn.Sequential{nn.Linear(2, 3), nn.Tanh(), nn.Linear(5, 1)}
    local err = S.error_of(model, A.zeros{4, 2})
    assert.matches("^nn.Sequential: module 3 %(nn.Linear%(5 %-> 1%)%) failed on input " ..
                   "of shape %[4,3%]: .+", err)
    -- the original message is kept
    assert.matches("%[4,3%]", err:match("failed on input of shape %[4,3%]: (.*)$"))
    local nested = nn.Sequential{nn.Sequential{nn.Linear(3, 2)}}
    assert.matches("^nn.Sequential: module 1 %(nn.Sequential%(%)%) failed on input of " ..
                   "shape %[1,2%]: nn.Sequential: module 1 %(nn.Linear%(3 %-> 2%)%) failed",
                   S.error_of(nested, A.zeros{1, 2}))
  end)

  it("refuses what is not a module", function()
    assert.matches("element 2 is a number, not a module",
                   S.error_of(nn.Sequential, {nn.ReLU(), 3}))
    assert.matches("bad argument #1 to 'add' %(module expected, got string%)",
                   S.error_of(function() nn.Sequential{}:add("relu") end))
  end)
end)

describe("nn.Linear", function()
  before_each(function() A.manual_seed(11) end)

  it("initialises as PyTorch: weight and bias in +-1/sqrt(in)", function()
    local layer = nn.Linear(400, 300)
    local bound = 1 / math.sqrt(400)
    local w, b = layer.weight, layer.bias
    assert.are.same({300, 400}, w:shape())
    assert.are.same({300}, b:shape())
    assert.is_true(w:requires_grad() and b:requires_grad())
    assert.is_true(w:max():item() <= bound and w:min():item() >= -bound)
    assert.is_true(w:max():item() > 0.99 * bound and w:min():item() < -0.99 * bound)
    -- U(-a, a) has std a / sqrt(3)
    assert.is_true(S.close(w:std():item(), bound / math.sqrt(3), 0.02))
    assert.is_true(math.abs(w:mean():item()) < 0.01 * bound)
    assert.is_true(b:max():item() <= bound and b:min():item() >= -bound)
    assert.is_true(b:max():item() > 0.9 * bound and b:min():item() < -0.9 * bound)
  end)

  it("takes init options", function()
    local he = nn.Linear(500, 200, {init = "kaiming_normal", nonlinearity = "relu",
                                    bias_init = "zeros", dtype = "float64"})
    assert.are.equal("float64", he.weight:dtype())
    assert.is_true(S.close(he.weight:std():item(), math.sqrt(2 / 500), 0.03))
    assert.are.equal(0, he.bias:abs():max():item())
    local x = nn.Linear(300, 100, {init = "xavier_uniform", gain = 2, bias_init = 0.5})
    local a = 2 * math.sqrt(6 / 400)
    assert.is_true(x.weight:max():item() <= a and x.weight:max():item() > 0.98 * a)
    assert.are.equal(0.5, x.bias:min():item())
    local custom = nn.Linear(2, 2, {init = function(w) nn.init.constant(w, 3) end})
    assert.are.equal(3, custom.weight:min():item())
    local nob = nn.Linear(3, 2, {bias = false})
    assert.is_nil(nob.bias)
    assert.are.equal(1, #nob:parameters())
  end)

  it("computes x wT + b", function()
    local layer = nn.Linear(5, 3, {dtype = "float64"})
    local x = A.randn({4, 5}, {dtype = "float64"})
    local want = x:matmul(layer.weight:t()) + layer.bias
    S.assert_close(layer(x), want, 1e-12, 1e-12)
    local nob = nn.Linear(5, 3, {bias = false})
    local x32 = A.randn{4, 5}
    S.assert_close(nob(x32), x32:matmul(nob.weight:t()), 1e-5, 1e-6)
    assert.are.same({2, 4, 3}, layer(A.randn({2, 4, 5}, {dtype = "float64"})):shape())
  end)

  it("passes gradients to weight, bias and input", function()
    local layer = nn.Linear(3, 2, {dtype = "float64"})
    local x = A.randn({4, 3}, {dtype = "float64"})
    assert.is_true(A.gradcheck(function(xx, w, b) return A.linear(xx, w, b) end,
                               {x:requires_grad(true), layer.weight, layer.bias}))
    layer(x):sum():backward()
    S.assert_close(layer.bias.grad, {4, 4}, 1e-12, 1e-12)
    S.assert_close(layer.weight.grad, x:sum(1):view{1, 3}:expand{2, 3}, 1e-12, 1e-12)
  end)
end)

describe("nn.Dropout and nn.Identity", function()
  before_each(function() A.manual_seed(3) end)

  it("drops and rescales while training, passes through in evaluation", function()
    local drop = nn.Dropout(0.25)
    local x = A.ones{200, 100}
    local y = drop(x)
    local kept = y:gt(0):mean():item()
    assert.is_true(math.abs(kept - 0.75) < 0.01, "kept " .. kept)
    S.assert_close(y:max(), 1 / 0.75, 1e-6)
    assert.is_true(math.abs(y:mean():item() - 1) < 0.02)
    drop:evaluate()
    assert.are.equal(x, drop(x))
    drop:train()
    assert.are.equal(0, nn.Dropout(1)(x):abs():max():item())
    assert.are.equal(x, nn.Dropout(0)(x))
    assert.are.equal(x, nn.Identity()(x))
    assert.matches("p must be a probability", S.error_of(nn.Dropout, 1.5))
  end)

  it("sends gradients through the kept elements only", function()
    local x = A.ones{10, 10}:requires_grad(true)
    local y = nn.Dropout(0.5)(x)
    y:sum():backward()
    S.assert_close(x.grad, y:detach(), 1e-6)
  end)
end)

describe("activation modules", function()
  local CAMEL = {
    step = "Step", sigmoid = "Sigmoid", tanh = "Tanh", relu = "ReLU", relu6 = "ReLU6",
    leaky_relu = "LeakyReLU", rrelu = "RReLU", elu = "ELU", selu = "SELU", celu = "CELU",
    gelu = "GELU", silu = "SiLU", mish = "Mish", softplus = "Softplus",
    softsign = "Softsign", hardtanh = "Hardtanh", hardsigmoid = "Hardsigmoid",
    hardswish = "Hardswish", logsigmoid = "LogSigmoid", tanhshrink = "Tanhshrink",
    softshrink = "Softshrink", hardshrink = "Hardshrink", threshold = "Threshold",
    sine = "Sine", gcu = "GCU", ncu = "NCU", squ = "SQU", dsu = "DSU", ssu = "SSU",
    softmax = "Softmax", log_softmax = "LogSoftmax", softmin = "Softmin", glu = "GLU",
    prelu = "PReLU",
  }

  it("exist for every registered activation", function()
    for _, name in ipairs(A.act.names()) do
      assert.is_not_nil(CAMEL[name], "no class name expected for " .. name)
      assert.is_not_nil(nn[CAMEL[name]], "nn." .. CAMEL[name] .. " is missing")
    end
    assert.is_not_nil(nn.Swish)
  end)

  for name, camel in pairs(CAMEL) do
    if name ~= "prelu" then
      it(("nn.%s constructs, runs and passes gradients"):format(camel), function()
        A.manual_seed(5)
        local m = nn[camel]()
        assert.are.equal("nn." .. camel .. "()", m:describe())
        local x = A.randn({4, 6}, {dtype = "float64"}):requires_grad(true)
        local y = m(x)
        if name == "glu" then
          assert.are.same({4, 3}, y:shape())
        else
          assert.are.same({4, 6}, y:shape())
        end
        if name ~= "rrelu" then
          S.assert_close(y, A[name](x), 1e-12, 1e-12)
        end
        y:sum():backward()
        assert.is_not_nil(x.grad)
        assert.are.equal(0, #m:parameters())
      end)
    end
  end

  it("take parameters positionally or by name", function()
    local x = A.tensor({-2, -0.5, 0.5, 3}, {dtype = "float64"})
    S.assert_close(nn.LeakyReLU(0.2)(x), {-0.4, -0.1, 0.5, 3}, 1e-12)
    S.assert_close(nn.LeakyReLU{negative_slope = 0.2}(x), {-0.4, -0.1, 0.5, 3}, 1e-12)
    S.assert_close(nn.Threshold(0.6, 20)(x), {20, 20, 20, 3}, 1e-12)
    S.assert_close(nn.Hardtanh(-1, 2)(x), {-1, -0.5, 0.5, 2}, 1e-12)
    S.assert_close(nn.GELU{approximate = "tanh"}(x), A.gelu(x, {approximate = "tanh"}), 1e-12)
    S.assert_close(nn.Softplus(2, 5)(x), A.softplus(x, 2, 5), 1e-12)
    local m = A.randn({3, 4}, {dtype = "float64"})
    S.assert_close(nn.Softmax(1)(m):sum(1), {1, 1, 1, 1}, 1e-12)
    S.assert_close(nn.LogSoftmax(2)(m):exp():sum(2), {1, 1, 1}, 1e-12)
    S.assert_close(nn.Softmin()(m), A.softmax(-m, 2), 1e-12)
    assert.are.same({1, 4}, nn.GLU(1)(A.randn{2, 4}):shape())
    assert.are.equal("nn.LeakyReLU(negative_slope = 0.2)", nn.LeakyReLU(0.2):describe())
    assert.are.equal('nn.GELU(approximate = "tanh")', nn.GELU("tanh"):describe())
    local generic = nn.Activation("elu", {alpha = 0.5})
    assert.are.equal("nn.Activation(elu, alpha = 0.5)", generic:describe())
    S.assert_close(generic(x), A.elu(x, 0.5), 1e-12)
    S.assert_close(nn.Activation("swish")(x), A.silu(x), 1e-12)
  end)

  it("check their parameters when made", function()
    assert.matches("nn.LeakyReLU: too many parameters", S.error_of(nn.LeakyReLU, 0.1, 2))
    assert.matches("nn.ELU: unknown parameter 'alpah'", S.error_of(nn.ELU, {alpah = 1}))
    assert.matches("nn.GELU: approximate must be 'none' or 'tanh', got 'fast'",
                   S.error_of(nn.GELU, {approximate = "fast"}))
    assert.matches("nn.Activation: unknown activation 'rleu' %(did you mean relu",
                   S.error_of(nn.Activation, "rleu"))
    assert.matches("use nn.PReLU", S.error_of(nn.Activation, "prelu"))
    assert.matches("training comes from the module",
                   S.error_of(nn.RReLU, {training = true}))
  end)

  it("nn.RReLU samples slopes while training and uses their mean in evaluation", function()
    A.manual_seed(9)
    local m = nn.RReLU(0.1, 0.3)
    local x = A.full({1000}, -1, {dtype = "float64"})
    local y = m(x)
    assert.is_true(y:max():item() <= -0.1 + 1e-12 and y:min():item() >= -0.3 - 1e-12)
    assert.is_true(y:std():item() > 0.03)
    m:evaluate()
    S.assert_close(m(x):min(), -0.2, 1e-12)
    S.assert_close(m(x):max(), -0.2, 1e-12)
    assert.are.equal("nn.RReLU(lower = 0.1, upper = 0.3)", m:describe())
  end)

  it("nn.Swish is SiLU at beta 1 and can learn beta", function()
    local x = A.randn({5, 3}, {dtype = "float64"})
    S.assert_close(nn.Swish()(x), A.silu(x), 1e-12)
    S.assert_close(nn.Swish{beta = 2}(x), x * A.sigmoid(x * 2), 1e-12)
    S.assert_close(nn.Swish(2)(x), x * A.sigmoid(x * 2), 1e-12)
    local learn = nn.Swish{beta = 1.5, learnable = true, dtype = "float64"}
    assert.are.equal(1, learn:num_parameters())
    assert.are.equal("beta", learn:named_parameters()[1][1])
    S.assert_close(learn(x), x * A.sigmoid(x * 1.5), 1e-12)
    learn(x):sum():backward()
    local b = learn.beta
    assert.is_not_nil(b.grad)
    -- d/dbeta sum(x sigmoid(beta x)) = sum(x^2 s (1 - s))
    local s = A.sigmoid(x * 1.5)
    S.assert_close(b.grad, {(x * x * s * (1 - s)):sum():item()}, 1e-10)
    assert.are.equal("nn.Swish(beta = 1.5, learnable)", learn:describe())
  end)
end)

describe("nn.PReLU", function()
  it("learns its slope", function()
    local m = nn.PReLU()
    assert.are.equal(1, m:num_parameters())
    S.assert_close(m.weight, {0.25})
    local x = A.tensor{{-1, 2}, {-3, 4}}
    S.assert_close(m(x), {{-0.25, 2}, {-0.75, 4}})
    local opt = A.optim.SGD(m:parameters(), {lr = 0.1})
    opt:zero_grad()
    m(x):sum():backward()
    S.assert_close(m.weight.grad, {-4})
    opt:step()
    S.assert_close(m.weight, {0.25 + 0.4}, 1e-6)
  end)

  it("keeps one slope per channel", function()
    local m = nn.PReLU{num_parameters = 3, init = 0.1, dtype = "float64"}
    assert.are.same({3}, m.weight:shape())
    local x = A.tensor({{-1, -2, -3}, {1, -1, 1}}, {dtype = "float64"})
    m.weight.grad = nil
    m(x):sum():backward()
    S.assert_close(m.weight.grad, {-1, -3, -3}, 1e-12)
    assert.are.equal("nn.PReLU(num_parameters = 3)", m:describe())
    assert.matches("num_parameters must be a positive integer", S.error_of(nn.PReLU, 0))
  end)
end)

describe("nn.Maxout", function()
  it("has one Linear's parameters and takes the max over pieces", function()
    A.manual_seed(2)
    local m = nn.Maxout(4, 3, 2, {dtype = "float64"})
    assert.are.equal(4 * 3 * 2 + 3 * 2, m:num_parameters())
    local names = {}
    for i, p in ipairs(m:named_parameters()) do names[i] = p[1] end
    assert.are.same({"linear.weight", "linear.bias"}, names)
    local x = A.randn({5, 4}, {dtype = "float64"}):requires_grad(true)
    local y = m(x)
    assert.are.same({5, 3}, y:shape())
    local z = m.linear(x):totable()
    for i = 1, 5 do
      for j = 1, 3 do
        S.assert_close(y[i][j], math.max(z[i][2 * j - 1], z[i][2 * j]), 1e-12)
      end
    end
    y:sum():backward()
    assert.is_not_nil(m.linear.weight.grad)
    assert.is_not_nil(x.grad)
    assert.are.same({2, 7, 3}, m(A.randn({2, 7, 4}, {dtype = "float64"})):shape())
  end)
end)

describe("loss modules", function()
  local LOSSES = {MSELoss = "mse", L1Loss = "l1", SmoothL1Loss = "smooth_l1",
                  HuberLoss = "huber", BCELoss = "bce",
                  BCEWithLogitsLoss = "bce_with_logits"}

  for class, fn in pairs(LOSSES) do
    it(("nn.%s calls A.loss.%s"):format(class, fn), function()
      A.manual_seed(4)
      local input = A.rand({6, 2}, {dtype = "float64"}) * 0.8 + 0.1
      local target = A.rand({6, 2}, {dtype = "float64"})
      S.assert_close(nn[class]()(input, target), A.loss[fn](input, target), 1e-12)
      S.assert_close(nn[class]{reduction = "sum"}(input, target),
                     A.loss[fn](input, target, {reduction = "sum"}), 1e-12)
      S.assert_close(nn[class]("sum")(input, target),
                     A.loss[fn](input, target, {reduction = "sum"}), 1e-12)
      assert.are.equal(('nn.%s(reduction = "sum")'):format(class),
                       nn[class]("sum"):describe())
    end)
  end

  it("classify with cross entropy, nll and kl_div", function()
    A.manual_seed(4)
    local logits = A.randn({5, 3}, {dtype = "float64"})
    local classes = A.tensor{1, 3, 2, 2, 1}:long()
    S.assert_close(nn.CrossEntropyLoss()(logits, classes),
                   A.loss.cross_entropy(logits, classes), 1e-12)
    S.assert_close(nn.NLLLoss()(A.log_softmax(logits, 2), classes),
                   A.loss.cross_entropy(logits, classes), 1e-12)
    local p = A.softmax(A.randn({5, 3}, {dtype = "float64"}), 2)
    S.assert_close(nn.KLDivLoss{reduction = "batchmean"}(A.log_softmax(logits, 2), p),
                   A.loss.kl_div(A.log_softmax(logits, 2), p, {reduction = "batchmean"}),
                   1e-12)
  end)
end)

describe("nn.init", function()
  before_each(function() A.manual_seed(21) end)

  it("gives PyTorch's gains", function()
    local g = nn.init.calculate_gain
    assert.are.equal(1, g("linear"))
    assert.are.equal(1, g("conv2d"))
    assert.are.equal(1, g("sigmoid"))
    S.assert_close(g("tanh"), 5 / 3, 1e-15)
    S.assert_close(g("relu"), math.sqrt(2), 1e-15)
    S.assert_close(g("leaky_relu"), math.sqrt(2 / (1 + 0.01 ^ 2)), 1e-15)
    S.assert_close(g("leaky_relu", 0.2), math.sqrt(2 / 1.04), 1e-15)
    S.assert_close(g("leaky_relu", 0), math.sqrt(2), 1e-15)
    assert.are.equal(0.75, g("selu"))
    assert.matches("unsupported nonlinearity 'swish'", S.error_of(g, "swish"))
  end)

  it("fills in place, also parameters that require grad", function()
    local w = A.empty({100, 200}):requires_grad(true)
    assert.are.equal(w, nn.init.constant(w, 0.5))
    assert.are.equal(0.5, w:min():item())
    nn.init.zeros(w)
    assert.are.equal(0, w:abs():max():item())
    nn.init.ones_(w)
    assert.are.equal(1, w:min():item())
    nn.init.uniform(w, -2, 3)
    assert.is_true(w:min():item() >= -2 and w:max():item() <= 3 and w:max():item() > 2.9)
    nn.init.normal(w, 1, 0.5)
    S.assert_close(w:mean(), 1, 0.02, 0.01)
    S.assert_close(w:std(), 0.5, 0.02)
    assert.is_true(w:requires_grad() and w:is_leaf())
  end)

  it("scales xavier and kaiming by the fans", function()
    local w = A.empty{300, 500} -- fan_in 500, fan_out 300
    nn.init.xavier_uniform(w)
    local a = math.sqrt(6 / 800)
    assert.is_true(w:max():item() <= a and w:max():item() > 0.99 * a)
    nn.init.xavier_normal(w, 2)
    S.assert_close(w:std(), 2 * math.sqrt(2 / 800), 0.02)
    nn.init.kaiming_uniform(w, {nonlinearity = "relu"})
    local b = math.sqrt(2) * math.sqrt(3 / 500)
    assert.is_true(w:max():item() <= b and w:max():item() > 0.99 * b)
    nn.init.kaiming_normal(w, {mode = "fan_out", nonlinearity = "relu"})
    S.assert_close(w:std(), math.sqrt(2 / 300), 0.02)
    nn.init.kaiming_uniform_(w, math.sqrt(5)) -- nn.Linear's default
    local c = 1 / math.sqrt(500)
    assert.is_true(w:max():item() <= c and w:max():item() > 0.99 * c)
    local conv = A.empty{8, 4, 3, 3} -- fan_in 36, fan_out 72
    assert.are.same({36, 72}, {nn.init.calculate_fan_in_and_fan_out(conv)})
    assert.matches("2 or more dims", S.error_of(nn.init.xavier_uniform, A.empty{5}))
    assert.matches("mode must be 'fan_in' or 'fan_out'",
                   S.error_of(nn.init.kaiming_normal, w, {mode = "in"}))
  end)

  it("makes orthogonal matrices: QtQ = I", function()
    for _, shape in ipairs{{6, 4}, {4, 6}, {5, 5}, {3, 2, 2}} do
      local w = A.empty(shape, {dtype = "float64"})
      nn.init.orthogonal(w, 1.5)
      local m = w:view{shape[1], -1}
      local rows, cols = m:size(1), m:size(2)
      local g = rows >= cols and m:t():matmul(m) or m:matmul(m:t())
      S.assert_close(g, A.eye(math.min(rows, cols), {dtype = "float64"}) * 2.25, 1e-12, 1e-12)
    end
    local f32 = A.empty{8, 8}:requires_grad(true)
    nn.init.orthogonal_(f32)
    S.assert_close(f32:t():matmul(f32), A.eye(8), 1e-5, 1e-5)
  end)
end)

describe("nn.utils", function()
  it("re-exports clip_grad_norm", function()
    local layer = nn.Linear(3, 1)
    layer(A.ones{2, 3} * 100):sum():backward()
    local total = nn.utils.clip_grad_norm(layer:parameters(), 1)
    assert.is_true(total > 1)
    local sq = 0
    for _, p in ipairs(layer:parameters()) do sq = sq + (p.grad * p.grad):sum():item() end
    S.assert_close(math.sqrt(sq), 1, 1e-4)
    assert.are.equal(4, nn.utils.num_parameters(layer))
  end)
end)

describe("XOR", function()
  it("learns with the issue's example: 2000 steps of SGD", function()
    A.manual_seed(1)
    local x, y = xor_data()
    local model = xor_model()
    local opt = A.optim.SGD(model:parameters(), {lr = 0.5})
    for _ = 1, 2000 do
      opt:zero_grad()
      local cost = A.loss.bce(model(x), y)
      cost:backward()
      opt:step()
    end
    local h = A.no_grad(function() return model(x) end)
    assert.are.equal(1, h:gt(0.5):eq(y):mean():item())
    local printed = {}
    local real_print = print
    print = function(...) -- luacheck: ignore
      local args = table.pack(...)
      for i = 1, args.n do args[i] = tostring(args[i]) end
      printed[#printed + 1] = table.concat(args, "\t", 1, args.n)
    end
    local ok, err = pcall(print, model)
    print = real_print -- luacheck: ignore
    assert(ok, err)
    assert.matches("^nn.Sequential%(\n  %(1%): nn.Linear%(2 %-> 5%)", printed[1])
    assert.matches("Total parameters: 21$", printed[1])
  end)

  it("keeps resident memory flat over 100,000 steps", function()
    if S.sanitized then
      pending("resident memory is not meaningful under AddressSanitizer")
      return
    end
    A.manual_seed(1)
    local x, y = xor_data()
    local model = xor_model()
    local opt = A.optim.SGD(model:parameters(), {lr = 0.5})
    local function step()
      opt:zero_grad()
      local cost = A.loss.bce(model(x), y)
      cost:backward()
      opt:step()
    end
    for _ = 1, 1000 do step() end
    local at_1000 = S.rss_kib()
    for _ = 1001, 100000 do step() end
    local at_100000 = S.rss_kib()
    assert.is_true(at_100000 <= at_1000 * 1.05,
      ("resident memory grew from %d KiB at step 1,000 to %d KiB at step 100,000 " ..
       "(Lua heap %.0f KiB, tensor storage %d bytes)"):format(
        at_1000, at_100000, collectgarbage("count"), A.memory_in_use()))
  end)
end)
