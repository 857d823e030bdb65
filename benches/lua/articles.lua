-- The published list of a random article out of 1,000. The 1,000 requests
-- are formatted once per thread, so wrk (on the same cores as majlis) spends
-- no more per request than for the one-path scenarios.
local requests = {}
init = function(args)
  math.randomseed(os.time())
  for i = 1, 1000 do
    requests[i] = wrk.format("GET", "/api/v1/sites/bench/articles/a-" .. i .. "/comments")
  end
end
request = function()
  return requests[math.random(1, 1000)]
end
