-- Comment submissions from new readers that differ only in a number: a bot's
-- flood of near-copies, which the near-duplicate check holds as spam (each
-- is compared with up to 200 recent bodies, all of them near-copies).
request = function()
  counter = counter + 1
  local n = tid .. "-" .. counter .. "-" .. math.random(1, 1000000000)
  local body = '{"name":"قارئ","email":"r' .. n .. '@example.com","title":"تعليق على الخبر",' ..
    '"body":"هذا تعليق رقم ' .. n .. ' يناقش الخبر بهدوء ويشكر الكاتب على عرض المعلومات بوضوح.",' ..
    '"accept_terms":true}'
  return wrk.format("POST", "/api/v1/sites/bench-open/articles/a-" .. math.random(1, 1000) .. "/comments",
    {["Content-Type"] = "application/json"}, body)
end
