-- Comment submissions, each from a new reader with its own wording, so the
-- posting rules run in full (no rate or duplicate short-cut).
local counter = 0
local thread_id = 0
setup = function(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end
request = function()
  counter = counter + 1
  local n = thread_id .. "-" .. counter .. "-" .. math.random(1, 1000000000)
  local body = '{"name":"قارئ","email":"r' .. n .. '@example.com","title":"تعليق على الخبر",' ..
    '"body":"هذا تعليق رقم ' .. n .. ' يناقش الخبر بهدوء ويشكر الكاتب على عرض المعلومات بوضوح.",' ..
    '"accept_terms":true}'
  return wrk.format("POST", "/api/v1/sites/bench-open/articles/a-" .. math.random(1, 1000) .. "/comments",
    {["Content-Type"] = "application/json"}, body)
end
