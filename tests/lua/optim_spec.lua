-- A.optim: trajectories of every optimizer and option against torch.optim
-- (tests/data/optim_reference.lua, made by tests/ref/optim_reference.py) in
-- float64 and float32, parameters without a gradient skipped; the
-- schedulers' learning rates against torch's; clip_grad_norm; zero_grad,
-- opt.lr, state_dict; and the errors, by their words.
local A = require "actlua"
local S = require "support"
local optim = require "actlua.optim"

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local ref = dofile(here .. "/../data/optim_reference.lua")

local function describe_opts(opts)
  local keys = {}
  for k, v in pairs(opts) do
    keys[#keys + 1] = k .. " = " .. (type(v) == "table" and ("{%g, %g}"):format(v[1], v[2])
                                     or tostring(v))
  end
  table.sort(keys)
  return "{" .. table.concat(keys, ", ") .. "}"
end

local skipped = {}
for _, s in ipairs(ref.skip) do skipped[s[1] .. ":" .. s[2]] = true end

-- Runs the reference problem with optimizer kind/opts in dtype, checking
-- the parameters after every step.
local function run_trajectory(case, dtype, tol)
  local params, a, b = {}, {}, {}
  for i = 1, #ref.p0 do
    params[i] = A.tensor(ref.p0[i], {dtype = dtype, requires_grad = true})
    a[i] = A.tensor(ref.a[i], {dtype = dtype})
    b[i] = A.tensor(ref.b[i], {dtype = dtype})
  end
  local opt = optim[case.kind](params, case.opts)
  for step, want in ipairs(case.steps) do
    opt:zero_grad()
    for i, p in ipairs(params) do
      assert.is_nil(p.grad)
      if not skipped[i .. ":" .. step] then
        p.grad = A.no_grad(function() return a[i] * p:detach() + b[i] end)
      end
    end
    opt:step()
    for i, p in ipairs(params) do
      local ok, err = pcall(S.assert_close, p, want[i], tol, tol)
      if not ok then error(("step %d, parameter %d: %s"):format(step, i, err), 0) end
    end
  end
  return opt, params
end

describe("optimizers against torch.optim", function()
  for _, case in ipairs(ref.optimizers) do
    local name = case.kind .. describe_opts(case.opts)
    it(name .. " in float64", function() run_trajectory(case, "float64", 1e-12) end)
    it(name .. " in float32", function() run_trajectory(case, "float32", 2e-5) end)
  end
end)

describe("schedulers against torch.optim.lr_scheduler", function()
  for _, case in ipairs(ref.schedulers) do
    it(case.name .. describe_opts(case.opts), function()
      local p = A.zeros({1}, {requires_grad = true})
      local opt = optim.SGD({p}, {lr = ref.base_lr})
      local sched = optim[case.name](opt, case.opts)
      local got = {opt.lr}
      assert.are.equal(opt.lr, sched:get_lr())
      for _ = 1, #case.lrs - 1 do
        opt:step()
        sched:step()
        got[#got + 1] = opt.lr
        assert.are.equal(opt.lr, sched:get_last_lr())
      end
      S.assert_close(got, case.lrs, 1e-12, 1e-15)
      assert.are.equal(#case.lrs - 1, sched.last_epoch)
    end)
  end

  it("take their options positionally too", function()
    local opt = optim.SGD({A.zeros({1}, {requires_grad = true})}, {lr = 1})
    local sched = optim.StepLR(opt, {2, 0.5})
    sched:step(); sched:step()
    assert.are.equal(0.5, opt.lr)
  end)

  it("refuse bad options, naming them", function()
    local opt = optim.SGD({A.zeros({1}, {requires_grad = true})}, {lr = 1})
    assert.matches("StepLR: option 'step_size' is required",
                   S.error_of(optim.StepLR, opt, {gamma = 0.5}))
    assert.matches("StepLR: step_size must be a positive integer, got 0",
                   S.error_of(optim.StepLR, opt, {step_size = 0}))
    assert.matches("CosineAnnealingLR: unknown option 'Tmax'",
                   S.error_of(optim.CosineAnnealingLR, opt, {Tmax = 3}))
    assert.matches("LinearWarmup: start_factor must be in %(0, 1%], got 0",
                   S.error_of(optim.LinearWarmup, opt, {start_factor = 0}))
    assert.matches("ExponentialLR: the first argument must be an optimizer",
                   S.error_of(optim.ExponentialLR, {}, {gamma = 0.5}))
    assert.are.equal(1, opt.lr) -- nothing was changed by the failures
  end)
end)

describe("clip_grad_norm", function()
  for _, case in ipairs(ref.clips) do
    it(("max_norm %g, norm_type %g"):format(case.max_norm, case.norm_type), function()
      local params = {}
      for i, g in ipairs(case.grads) do
        params[i] = A.tensor(g, {dtype = "float64", requires_grad = true})
        params[i].grad = A.tensor(g, {dtype = "float64"})
      end
      params[#params + 1] = A.zeros({2}, {dtype = "float64", requires_grad = true})
      local total = optim.clip_grad_norm(params, case.max_norm, case.norm_type)
      S.assert_close(total, case.total, 1e-12)
      for i, want in ipairs(case.clipped) do S.assert_close(params[i].grad, want, 1e-12) end
      assert.is_nil(params[#params].grad)
    end)
  end

  it("takes 'inf', defaults to the 2-norm and is optim.clip_grad_norm_", function()
    local p = A.zeros({2}, {requires_grad = true})
    p.grad = A.tensor{3, -4}
    S.assert_close(optim.clip_grad_norm({p}, 100), 5)
    S.assert_close(optim.clip_grad_norm_({p}, 100, "inf"), 4)
    assert.matches("norm_type must be > 0", S.error_of(optim.clip_grad_norm, {p}, 1, -1))
    assert.matches("max_norm must be >= 0", S.error_of(optim.clip_grad_norm, {p}, -1))
    assert.matches("element 2 is a number", S.error_of(optim.clip_grad_norm, {p, 3}, 1))
  end)
end)

describe("optimizer objects", function()
  local function param(values)
    return A.tensor(values or {1, 2}, {dtype = "float64", requires_grad = true})
  end

  it("zero_grad sets every grad to nil, or to zeros", function()
    local p, q = param(), param()
    local opt = optim.SGD({p, q}, {lr = 0.1})
    p.grad, q.grad = A.ones({2}, {dtype = "float64"}), A.ones({2}, {dtype = "float64"})
    opt:zero_grad(false)
    assert.are.same({0, 0}, p.grad:totable())
    opt:zero_grad()
    assert.is_nil(p.grad)
    assert.is_nil(q.grad)
  end)

  it("read and set lr, checking it", function()
    local opt = optim.Adam({param()}, {lr = 0.01})
    assert.are.equal(0.01, opt.lr)
    opt.lr = 0.5
    assert.are.equal(0.5, opt.lr)
    opt:set_lr(0.25)
    assert.are.equal(0.25, opt:get_lr())
    assert.matches("Adam: lr must be a finite number >= 0, got %-1",
                   S.error_of(function() opt.lr = -1 end))
    assert.are.equal(0.25, opt.lr)
    assert.are.equal(0.25, opt.defaults.lr)
    assert.are.same({0.9, 0.999}, opt.defaults.betas)
  end)

  it("updates through a backward, one C call for all parameters", function()
    local w = param{0.5, -0.5}
    local opt = optim.SGD({w}, {lr = 0.1})
    local x = A.tensor({1, 2}, {dtype = "float64"})
    local loss = (w * x):sum()
    loss:backward()
    opt:step()
    S.assert_close(w, {0.5 - 0.1, -0.5 - 0.2}, 1e-15)
  end)

  it("step returns the closure's loss", function()
    local w = param{3}
    local opt = optim.SGD({w}, {lr = 0.25})
    local loss = opt:step(function()
      opt:zero_grad()
      local l = (w * w):sum()
      l:backward()
      return l
    end)
    S.assert_close(loss, {9})
    S.assert_close(w, {3 - 0.25 * 6})
  end)

  it("refuses a later backward through values saved before the step", function()
    local w = param{1}
    local opt = optim.SGD({w}, {lr = 0.1})
    local y = w * w
    y:sum():backward({retain_graph = true})
    opt:step()
    assert.matches("modified in place", S.error_of(function() y:sum():backward() end))
  end)

  it("saves and restores its state", function()
    local p = param{1, -1}
    local opt = optim.Adam({p}, {lr = 0.1, amsgrad = true})
    for _ = 1, 3 do
      opt:zero_grad(); p.grad = p:detach() * 2; opt:step()
    end
    local sd = opt:state_dict()
    assert.are.equal(3, sd.state[1].step)
    assert.are.same({2}, sd.state[1].exp_avg:shape())
    assert.is_not_nil(sd.state[1].max_exp_avg_sq)
    local q = param(p:totable())
    local opt2 = optim.Adam({q}, {lr = 0.5, amsgrad = true})
    opt2:load_state_dict(sd)
    assert.are.equal(0.1, opt2.lr)
    for _, o in ipairs{{opt, p}, {opt2, q}} do
      o[1]:zero_grad(); o[2].grad = o[2]:detach() * 2; o[1]:step()
    end
    S.assert_close(q, p, 1e-15)
    assert.matches("state_dict of a SGD optimizer",
                   S.error_of(optim.SGD({param()}, {lr = 1}).load_state_dict,
                              optim.SGD({param()}, {lr = 1}), sd))
  end)

  it("prints its options", function()
    local opt = optim.SGD({param()}, {lr = 0.1, momentum = 0.9})
    assert.matches("^optim.SGD%(dampening = 0, lr = 0.1, momentum = 0.9, nesterov = false, " ..
                   "weight_decay = 0; 1 parameters%)$", tostring(opt))
  end)
end)

describe("optimizer errors", function()
  local p = A.zeros({2}, {requires_grad = true})

  it("name the bad learning rate", function()
    assert.are.equal("SGD: lr must be > 0, got -1", S.error_of(optim.SGD, {p}, {lr = -1})
                     :gsub("^[^:]*:%d+: ", ""))
    assert.matches("SGD: lr must be > 0, got 0", S.error_of(optim.SGD, {p}, {lr = 0}))
    assert.matches("Adam: lr must be > 0, got nan", S.error_of(optim.Adam, {p}, {lr = 0 / 0}))
    assert.matches("RMSprop: lr must be > 0, got inf",
                   S.error_of(optim.RMSprop, {p}, {lr = math.huge}))
  end)

  it("point at the caller's line", function()
    local line = debug.getinfo(1, "l").currentline + 1
    local err = S.error_of(function() local o = optim.SGD({p}, {lr = -1}); return o end)
    assert.matches("optim_spec.lua:" .. line .. ": SGD: lr must be > 0", err)
  end)

  it("name momentum, betas and the other ranges", function()
    assert.matches("SGD: momentum must be in %[0, 1%), got 1.5",
                   S.error_of(optim.SGD, {p}, {lr = 0.1, momentum = 1.5}))
    assert.matches("SGD: momentum must be in %[0, 1%), got %-0.1",
                   S.error_of(optim.SGD, {p}, {lr = 0.1, momentum = -0.1}))
    assert.matches("SGD: nesterov needs momentum > 0 and dampening 0",
                   S.error_of(optim.SGD, {p}, {lr = 0.1, nesterov = true}))
    assert.matches("SGD: nesterov needs momentum > 0 and dampening 0",
                   S.error_of(optim.SGD, {p}, {lr = 0.1, momentum = 0.9, dampening = 0.1,
                                               nesterov = true}))
    assert.matches("Adam: beta1 must be in %[0, 1%), got 1",
                   S.error_of(optim.Adam, {p}, {betas = {1, 0.999}}))
    assert.matches("AdamW: beta2 must be in %[0, 1%), got %-0.5",
                   S.error_of(optim.AdamW, {p}, {betas = {0.9, -0.5}}))
    assert.matches("Adam: eps must be >= 0, got %-1", S.error_of(optim.Adam, {p}, {eps = -1}))
    assert.matches("RMSprop: alpha must be in %[0, 1%], got 2",
                   S.error_of(optim.RMSprop, {p}, {alpha = 2}))
    assert.matches("Adagrad: weight_decay must be >= 0, got %-1",
                   S.error_of(optim.Adagrad, {p}, {weight_decay = -1}))
    assert.matches("Adagrad: lr_decay must be >= 0",
                   S.error_of(optim.Adagrad, {p}, {lr_decay = -1}))
  end)

  it("name unknown or mistyped options", function()
    assert.matches("SGD: unknown option 'betas'", S.error_of(optim.SGD, {p}, {betas = {0, 0}}))
    assert.matches("Adam: unknown option 'learning_rate'",
                   S.error_of(optim.Adam, {p}, {learning_rate = 1}))
    assert.matches("SGD: option 'lr' must be a number, not a string",
                   S.error_of(optim.SGD, {p}, {lr = "0.1"}))
    assert.matches("Adam: option 'betas' must be a table",
                   S.error_of(optim.Adam, {p}, {betas = 0.9}))
  end)

  it("refuse bad parameter lists", function()
    assert.matches("SGD: the parameter list is empty", S.error_of(optim.SGD, {}, {lr = 1}))
    assert.matches("SGD: params element 2 is a string, not a tensor",
                   S.error_of(optim.SGD, {p, "w"}, {lr = 1}))
    assert.matches("SGD: params must be an array of tensors",
                   S.error_of(optim.SGD, p, {lr = 1}))
    assert.matches("parameter 2 is parameter 1 again", S.error_of(optim.SGD, {p, p}, {lr = 1}))
    assert.matches("parameter 1 is not a leaf %(it was made by 'mul'%)",
                   S.error_of(optim.SGD, {p * 2}, {lr = 1}))
    assert.matches("parameter 1 is int64",
                   S.error_of(optim.SGD, {A.zeros({2}, {dtype = "int64"})}, {lr = 1}))
  end)
end)

describe("A.optim", function()
  it("is require('actlua.optim'), loaded on first use", function()
    assert.are.equal(optim, A.optim)
    assert.are.equal(require "actlua.loss", A.loss)
  end)
end)
