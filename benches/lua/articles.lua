-- The published list of a random article out of 1,000.
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/v1/sites/bench/articles/a-" .. math.random(1, 1000) .. "/comments")
end
