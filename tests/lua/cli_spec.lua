-- actlua.cli: the common options, the knobs' converters and their
-- messages (through pparse), and --help / bad values in a real script
-- (exit status 0 / 1, a message and no traceback).
local A = require "actlua"
local cli = require "actlua.cli"

local function parser()
  local p = cli.parser("demo", "A demo.")
  cli.add_steps(p, 100)
  cli.add_lr(p, 0.01)
  cli.add_seeds(p, 3)
  return p
end

local function parse_error(p, argv)
  local ok, err = p:pparse(argv)
  assert.is_false(ok, "the arguments were accepted")
  return err
end

describe("actlua.cli", function()
  it("gives the defaults, converted", function()
    local ok, args = parser():pparse({})
    assert.is_true(ok)
    assert.are.equal(0, args.seed)
    assert.are.equal("integer", math.type(args.seed))
    assert.is_false(args.quiet)
    assert.is_nil(args.plot)
    assert.are.equal(100, args.steps)
    assert.are.equal(0.01, args.lr)
    assert.are.equal(3, args.seeds)
  end)

  it("parses every common option and knob", function()
    local ok, args = parser():pparse{"--seed", "42", "--quiet", "--plot", "out/figs",
                                     "--steps", "7", "--lr", "1e-3", "--seeds", "2"}
    assert.is_true(ok)
    assert.are.same({42, true, "out/figs", 7, 0.001, 2},
                    {args.seed, args.quiet, args.plot, args.steps, args.lr, args.seeds})
    ok, args = parser():pparse{"-q", "--seed=-3", "--steps=0"}
    assert.is_true(ok)
    assert.are.same({true, -3, 0}, {args.quiet, args.seed, args.steps})
  end)

  it("names the option and the problem in its errors", function()
    local p = parser()
    assert.matches("--steps: 'abc' is not an integer", parse_error(p, {"--steps", "abc"}), 1, true)
    assert.matches("--steps: '1.5' is not an integer", parse_error(p, {"--steps", "1.5"}), 1, true)
    assert.matches("--steps: -1 is out of range (must be >= 0)",
                   parse_error(p, {"--steps=-1"}), 1, true)
    assert.matches("--seed: 'x' is not an integer", parse_error(p, {"--seed", "x"}), 1, true)
    assert.matches("--lr: 0 must be positive", parse_error(p, {"--lr", "0"}), 1, true)
    assert.matches("--lr: 'nan' is not a finite number", parse_error(p, {"--lr", "nan"}), 1, true)
    assert.matches("--lr: 'inf' is not a finite number", parse_error(p, {"--lr", "inf"}), 1, true)
    assert.matches("--seeds: 0 is out of range (must be >= 1)",
                   parse_error(p, {"--seeds", "0"}), 1, true)
    assert.matches("unknown option '--nope'", parse_error(p, {"--nope"}), 1, true)
    assert.matches("option '--plot' requires an argument", parse_error(p, {"--plot"}), 1, true)
  end)

  it("checks activation names against the registry, when there is one", function()
    local p = cli.parser("demo")
    cli.add_act(p, "relu")
    local ok, args = p:pparse{}
    assert.is_true(ok)
    assert.are.equal("relu", args.act)
    ok, args = p:pparse{"--act", "tanh"}
    assert.is_true(ok)
    assert.are.equal("tanh", args.act)
    local names = cli.activation_names()
    if names then
      local err = parse_error(p, {"--act", "no_such_act"})
      assert.matches("--act: unknown activation 'no_such_act' (known: ", err, 1, true)
      assert.matches("sigmoid", err, 1, true)
    else
      ok, args = p:pparse{"--act", "anything"}
      assert.is_true(ok)
      assert.are.equal("anything", args.act)
    end
  end)

  it("accepts any name when actlua has no registry", function()
    local saved = A.act
    A.act = nil
    local ok, r = pcall(function()
      local p = cli.parser("demo")
      cli.add_act(p, "relu")
      return {p:pparse{"--act", "my_own"}}
    end)
    A.act = saved
    assert.is_true(ok, r)
    assert.are.same({true, {act = "my_own", seed = 0, quiet = false}}, r)
  end)

  it("takes several activations, comma-separated or repeated", function()
    local p = cli.parser("demo")
    cli.add_acts(p, {"sigmoid", "relu"})
    local ok, args = p:pparse{}
    assert.is_true(ok)
    assert.are.same({"sigmoid", "relu"}, args.acts)
    ok, args = p:pparse{"--act", "tanh, relu", "--act", "elu"}
    assert.is_true(ok)
    assert.are.same({"tanh", "relu", "elu"}, args.acts)
    assert.matches("an activation name is empty", parse_error(p, {"--act", "relu,"}), 1, true)
  end)

  it("restricts activations by form, the registry's, with named exceptions", function()
    local p = cli.parser("demo")
    cli.add_acts(p, nil, nil, {forms = {"elementwise"}, also = {"prelu"}})
    local ok, args = p:pparse{"--act", "relu,prelu"}
    assert.is_true(ok)
    assert.are.same({"relu", "prelu"}, args.acts)
    -- every registered name of another form is refused, with its reason
    for _, name in ipairs(A.act.names()) do
      local form = A.act.info(name).form
      if form == "along_dim" then
        assert.matches("--act: " .. name .. " works along a dim, not element-wise",
                       parse_error(p, {"--act", name}), 1, true)
      elseif form ~= "elementwise" and name ~= "prelu" then
        assert.matches("--act: " .. name .. " is not element-wise", parse_error(p, {"--act", name}),
                       1, true)
      end
    end
    local one = cli.parser("demo")
    cli.add_act(one, "tanh", nil, {forms = {"elementwise"}})
    assert.matches("prelu is not element-wise (its form is weighted)",
                   parse_error(one, {"--act", "prelu"}), 1, true)
    assert.are.equal("tanh", select(2, one:pparse{}).act)
  end)

  it("adds integer and number options with their ranges", function()
    local p = cli.parser("demo")
    cli.add_integer(p, "--hidden", 16, "Hidden width.", 1, 64)
    cli.add_number(p, "--bias", -4, "A bias.")
    cli.add_number(p, "--rate", "1e-2", "A rate.", {positive = true})
    local ok, args = p:pparse{}
    assert.is_true(ok)
    assert.are.same({16, -4.0, 0.01}, {args.hidden, args.bias, args.rate})
    assert.are.equal("integer", math.type(args.hidden))
    ok, args = p:pparse{"--hidden", "64", "--bias", "0.5", "--rate", "3"}
    assert.are.same({64, 0.5, 3.0}, {args.hidden, args.bias, args.rate})
    assert.matches("--hidden: 65 is out of range (must be in [1, 64])",
                   parse_error(p, {"--hidden", "65"}), 1, true)
    assert.matches("--hidden: '2.5' is not an integer", parse_error(p, {"--hidden", "2.5"}), 1, true)
    assert.matches("--rate: 0 must be positive", parse_error(p, {"--rate", "0"}), 1, true)
    assert.matches("--bias: 'nan' is not a finite number", parse_error(p, {"--bias", "nan"}), 1, true)
    assert.matches("--hidden <n>", p:get_help(), 1, true)
    assert.matches("--bias <x>", p:get_help(), 1, true)
  end)

  it("lists the seeds to run", function()
    assert.are.same({5, 6, 7}, cli.seed_list{seed = 5, seeds = 3})
    assert.are.same({0}, cli.seed_list{seed = 0})
  end)

  it("shows the options and their defaults in the help", function()
    local help = parser():get_help()
    for _, words in ipairs{"Usage: demo", "A demo.", "--seed <n>", "(default: 0)",
                           "--quiet", "--plot <dir>", "--steps <n>", "(default: 100)",
                           "--lr <x>", "--seeds <k>"} do
      assert.matches(words, help, 1, true)
    end
  end)

  describe("in a script", function()
    local bin = os.getenv("ACTLUA_BIN") or "build/actlua"
    local script = os.tmpname()

    setup(function()
      local f = assert(io.open(script, "w"))
      f:write([[
local A = require "actlua"
local cli = require "actlua.cli"
local p = cli.parser("demo", "A demo.")
cli.add_steps(p, 10)
local args = cli.parse(p)
print(("seed=%d steps=%d"):format(args.seed, args.steps))
]])
      f:close()
    end)
    teardown(function() os.remove(script) end)

    -- Runs the script; its exit status, stdout and stderr.
    local function run(args)
      local out, err = os.tmpname(), os.tmpname()
      local ok, how, code = os.execute(("%q %q %s >%q 2>%q"):format(bin, script, args, out, err))
      local function slurp(path)
        local f = assert(io.open(path)); local s = f:read("a"); f:close(); os.remove(path)
        return s
      end
      assert.are.equal("exit", how)
      return code, slurp(out), slurp(err)
    end

    it("parses the script's own arguments", function()
      local code, out, err = run("--seed 3 --steps 5")
      assert.are.equal(0, code)
      assert.are.equal("seed=3 steps=5\n", out)
      assert.are.equal("", err)
    end)

    it("prints the help and exits with 0 on --help", function()
      local code, out = run("--help")
      assert.are.equal(0, code)
      assert.matches("Usage: demo", out, 1, true)
      assert.matches("--steps <n>", out, 1, true)
    end)

    it("exits with 1 and a message, no traceback, on a bad value", function()
      local code, out, err = run("--steps many")
      assert.are.equal(1, code)
      assert.are.equal("", out)
      assert.matches("Error: --steps: 'many' is not an integer", err, 1, true)
      assert.is_nil(err:find("traceback", 1, true))
    end)
  end)
end)
