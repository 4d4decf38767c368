-- Loaded by busted before the specs (ctest passes --helper): lets specs
-- require "support" from this folder.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
