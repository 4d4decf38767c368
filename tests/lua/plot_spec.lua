-- actlua.plot: the CSV (exactly, NaN and infinities included), the gnuplot
-- script, folders and atomic writes; the images when gnuplot is installed.
local A = require "actlua"
local plot = require "actlua.plot"
local support = require "support"

local slurp, size = support.slurp, support.size
local have_gnuplot = support.have("gnuplot")

describe("actlua.plot", function()
  local root

  before_each(function()
    root = os.tmpname()
    os.remove(root)
    root = root .. "_plot"
  end)

  after_each(function()
    os.execute("rm -rf -- " .. plot.shell_quote(root))
  end)

  it("writes the data of series sharing x as one x column", function()
    local files, note = plot.lines{
      file = root .. "/a/b/shapes", gnuplot = false,
      series = {{name = "sigmoid", x = {-1, 0, 0.5}, y = {0.25, 0 / 0, 1 / 0}},
                {name = "relu", x = {-1, 0, 0.5}, y = A.tensor({0, -1 / 0, 0.5}, {dtype = "float64"})}},
    }
    assert.are.same({root .. "/a/b/shapes.csv", root .. "/a/b/shapes.gp"}, files)
    assert.matches("gnuplot disabled", note, 1, true)
    assert.are.equal("x,sigmoid,relu\n-1,0.25,0\n0,NaN,-inf\n0.5,inf,0.5\n",
                     slurp(root .. "/a/b/shapes.csv"))
  end)

  it("writes two columns per series when x differ, and quotes names", function()
    plot.lines{file = root .. "/c", gnuplot = false,
               series = {{name = "a,b", y = {1, 0.1, 0.01}},
                         {name = 'say "c"', x = {0.1, 2}, y = {0.5, 0 / 0}}}}
    assert.are.equal('"a,b x","a,b y","say ""c"" x","say ""c"" y"\n'
                     .. "1,1,0.1,0.5\n2,0.1,2,NaN\n3,0.01,,\n", slurp(root .. "/c.csv"))
  end)

  it("writes numbers that read back exactly", function()
    assert.are.equal("0.1", plot.number_text(0.1))
    assert.are.equal("0.30000000000000004", plot.number_text(0.1 + 0.2))
    assert.are.equal("3", plot.number_text(3))
    assert.are.equal("1e-300", plot.number_text(1e-300))
    local v = A.tensor({0.1}):totable()[1]           -- float32 0.1
    assert.are.equal(v, tonumber(plot.number_text(v)))
  end)

  it("writes a gnuplot script reading the CSV from its own folder", function()
    plot.lines{file = root .. "/cost", gnuplot = false, logy = true,
               title = "it's the cost", xlabel = "step", ylabel = "cost",
               yrange = {1e-3, nil}, series = {{name = "relu", y = {1, 2}, style = "points"}}}
    local gp = slurp(root .. "/cost.gp")
    for _, line in ipairs{"set datafile separator ','", "set logscale y",
                          "set title 'it''s the cost'", "set xlabel 'step'",
                          "set ylabel 'cost'", "set yrange [0.001:*]",
                          "plot 'cost.csv' skip 1 using 1:2 with points linewidth 2 title 'relu'",
                          "set output out_png", "set output out_svg"} do
      assert.matches(line, gp, 1, true)
    end
    assert.is_nil(gp:find(root, 1, true))                   -- no absolute paths
  end)

  it("labels log axes readably, colours series by number, leaves some out of the key", function()
    plot.lines{file = root .. "/k", gnuplot = false, logy = true,
               series = {{name = "relu s0", y = {1, 0.1}, color = 2, key = "relu"},
                         {name = "relu s1", y = {1, 0.2}, color = 2, key = false},
                         {name = "tanh", y = {1, 0.3}, color = "dark-red"}}}
    local gp = slurp(root .. "/k.gp")
    assert.matches("set format y '%g'", gp, 1, true)
    assert.is_nil(gp:find("set format x", 1, true))
    assert.matches("using 1:2 with lines linewidth 2 linecolor 2 title 'relu'", gp, 1, true)
    assert.matches("using 1:3 with lines linewidth 2 linecolor 2 notitle", gp, 1, true)
    assert.matches("using 1:4 with lines linewidth 2 linecolor rgb 'dark-red' title 'tanh'", gp, 1, true)
    -- the CSV keeps every series' own name
    assert.matches("^x,relu s0,relu s1,tanh\n", slurp(root .. "/k.csv"))
    assert.has_error(function()
      plot.lines{file = root .. "/k", gnuplot = false, series = {{y = {1}, color = 0}}}
    end, "plot: series 1's color must be a line type number >= 1 or a colour name")
  end)

  it("leaves no temporary files behind", function()
    plot.lines{file = root .. "/t", gnuplot = false, series = {{y = {1}}}}
    local p = io.popen("ls -a " .. plot.shell_quote(root))
    local names = {}
    for name in p:lines() do names[#names + 1] = name end
    p:close()
    table.sort(names)
    assert.are.same({".", "..", "t.csv", "t.gp"}, names)
  end)

  it("says when gnuplot is missing and still writes the data", function()
    local files, note = plot.lines{file = root .. "/m", gnuplot = "actlua-no-such-gnuplot",
                                   series = {{name = "s", y = {1, 2}}}}
    assert.are.same({root .. "/m.csv", root .. "/m.gp"}, files)
    assert.matches("gnuplot is not installed", note, 1, true)
    assert.are.equal("x,s\n1,1\n2,2\n", slurp(root .. "/m.csv"))
  end)

  it("says when gnuplot fails and leaves no partial image", function()
    local files, note = plot.lines{file = root .. "/f", gnuplot = "false",
                                   series = {{name = "s", y = {1, 2}}}}
    assert.are.same({root .. "/f.csv", root .. "/f.gp"}, files)
    assert.matches("gnuplot failed: " .. root .. "/f.png, " .. root .. "/f.svg not written",
                   note, 1, true)
    assert.is_nil(io.open(root .. "/f.png.part"))
    assert.is_nil(io.open(root .. "/f.png"))
  end)

  it("rejects bad series with a message", function()
    assert.has_error(function() plot.lines{file = root .. "/e", series = {}} end,
                     "plot: series must be a non-empty array")
    assert.has_error(function()
      plot.lines{file = root .. "/e", series = {{name = "s", x = {1, 2}, y = {1}}}}
    end, "plot: series 1 (s) has 2 x values and 1 y values")
    assert.has_error(function()
      plot.lines{file = root .. "/e", series = {{name = "s", y = {1, "a"}}}}
    end, "plot: series 1 (s): value 2 is not a number")
    assert.has_error(function() plot.lines{series = {{y = {1}}}} end,
                     "plot.lines: file must be a path without extension (dir/name)")
  end)

  local image_it = have_gnuplot and it or pending
  image_it("draws PNG and SVG images with gnuplot", function()
    local files, note = plot.lines{
      file = root .. "/with space/curves", title = "cost", xlabel = "step", ylabel = "cost",
      logy = true,
      series = {{name = "leaky_relu", x = {0, 100, 200}, y = {0.7, 0 / 0, 0.01}},
                {name = "sigmoid", x = {0, 100, 200}, y = {0.7, 0.69, 1 / 0}}},
    }
    assert.is_nil(note)
    local dir = root .. "/with space/curves"
    assert.are.same({dir .. ".csv", dir .. ".gp", dir .. ".png", dir .. ".svg"}, files)
    assert.is_true(size(dir .. ".png") > 0)
    assert.are.equal("\137PNG", slurp(dir .. ".png"):sub(1, 4))
    assert.is_true(size(dir .. ".svg") > 0)
    assert.matches("<svg", slurp(dir .. ".svg"), 1, true)
    assert.is_nil(io.open(dir .. ".png.part"))
  end)
end)
