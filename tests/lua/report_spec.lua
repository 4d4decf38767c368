-- actlua.report: aligned plain-text tables, compared character for
-- character.
local A = require "actlua"
local report = require "actlua.report"

describe("actlua.report", function()
  it("aligns numbers right and text left, with a rule under the header", function()
    local s = report.table{
      columns = {"activation", "accuracy", "final cost", "NaN at"},
      rows = {{"sigmoid", 0.5, 0 / 0, 17500}, {"relu", 1, 1.2e-4, nil}},
      format = {accuracy = "%.2f"},
    }
    assert.are.equal(table.concat({
      "activation  accuracy  final cost  NaN at",
      "----------  --------  ----------  ------",
      "sigmoid         0.50         NaN   17500",
      "relu            1.00     0.00012",
    }, "\n"), s)
  end)

  it("takes rows keyed by column name, a title and per-column options", function()
    local s = report.table{
      title = "Results",
      columns = {"name", "n", "ok"},
      rows = {{name = "a", n = 3, ok = true}, {name = "bbbb", n = 12, ok = false}},
      align = {name = "right", [2] = "left"},
      missing = "-",
    }
    assert.are.equal(table.concat({
      "Results",
      "name  n   ok",
      "----  --  ---",
      "   a  3   yes",
      "bbbb  12  no",
    }, "\n"), s)
  end)

  it("formats special numbers, integers, tensors and functions", function()
    local s = report.table{
      columns = {"v", "w"},
      rows = {{1 / 0, 3}, {-1 / 0, 2.0}, {A.tensor(0.25), 7}},
      format = {w = function(v, row) return ("<%d>"):format(v) end},
      rule = false,
    }
    assert.are.equal(table.concat({
      "   v    w",
      " inf  <3>",
      "-inf  <2>",
      "0.25  <7>",
    }, "\n"), s)
    assert.are.equal("17500", report.format_value(17500.0, "%d"))
    assert.are.equal("NaN", report.format_value(0 / 0, "%.2f"))
    assert.are.equal("x", report.format_value(nil, nil, nil, "x"))
    assert.are.equal("0.3333", report.format_value(1 / 3))
    assert.are.equal("12", report.format_value(12))
  end)

  it("measures UTF-8 text by display width", function()
    assert.are.equal(3, report.width("abc"))
    assert.are.equal(2, report.width("µs"))
    assert.are.equal(6, report.width("시그모"))
    assert.are.equal(1, report.width("e\u{301}"))
    assert.are.equal(2, report.width("\xff\xfe"))   -- not UTF-8: bytes
    local s = report.table{columns = {"활성화", "x"}, rows = {{"relu", 1}, {"시그모이드", 22}}}
    assert.are.equal(table.concat({
      "활성화       x",
      "----------  --",
      "relu         1",
      "시그모이드  22",
    }, "\n"), s)
  end)

  it("centres when asked and sizes columns by their header", function()
    local s = report.table{columns = {"center"}, rows = {{"ab"}, {"abc"}}, align = "c"}
    assert.are.equal("center\n------\n  ab\n abc", s)
  end)

  it("prints an empty table as its header", function()
    assert.are.equal("a  b\n-  -", report.table{columns = {"a", "b"}, rows = {}})
  end)

  it("prints to a stream or a function", function()
    local got = {}
    local s = report.print_table{columns = {"a"}, rows = {{1}},
                                 out = function(text) got[#got + 1] = text end}
    assert.are.same({"a\n-\n1\n"}, got)
    assert.are.equal("a\n-\n1\n", s)
  end)

  it("rejects bad input with a message", function()
    assert.has_error(function() report.table{rows = {}} end,
                     "report.table: expected a table with columns")
    assert.has_error(function() report.table{columns = {"a"}, rows = {"x"}} end,
                     "report.table: row 1 is a string, not a table")
    assert.has_error(function() report.table{columns = {"a"}, rows = {}, align = "up"} end,
                     "report.table: bad align 'up' for column 'a'")
  end)
end)
