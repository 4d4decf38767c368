-- xor.lua — the first thing to run: XOR through a 2 -> 2 -> 1 sigmoid
-- network. Until actlua learns (autodiff lands next), this shows the
-- forward pass of a network whose weights are set by hand to solve XOR,
-- and ends with the article's report: hypothesis, class, accuracy.
local A = require "actlua"

local x = A.tensor{{0, 0}, {0, 1}, {1, 0}, {1, 1}}
local y = A.tensor{{0}, {1}, {1}, {0}}

-- Hidden unit 1 is OR, hidden unit 2 is NAND; the output is their AND.
local w1 = A.tensor{{20, 20}, {-20, -20}}   -- out x in, as nn.Linear
local b1 = A.tensor{-10, 30}
local w2 = A.tensor{{20, 20}}
local b2 = A.tensor{-30}

local hidden = A.sigmoid(x:matmul(w1:t()) + b1)
local h = A.sigmoid(hidden:matmul(w2:t()) + b2)
local predicted = h:gt(0.5)
local accuracy = predicted:eq(y):mean():item()

print("XOR, forward pass of a hand-set 2-2-1 sigmoid network")
print(string.format("%-8s %-12s %-6s %s", "x", "hypothesis", "class", "target"))
for i = 1, 4 do
  print(string.format("%-8s %-12.6f %-6d %d",
    string.format("%d %d", x[i][1], x[i][2]), h[i][1], predicted[i][1], y[i][1]))
end
print(string.format("accuracy: %.2f", accuracy))
