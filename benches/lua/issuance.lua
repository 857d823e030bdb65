-- What a reader's form asks for when it opens: a security code and a
-- proof-of-work challenge, one after the other on each connection.
local n = 0
request = function()
  n = n + 1
  if n % 2 == 0 then
    return wrk.format("GET", "/api/v1/pow?site=bench")
  end
  return wrk.format("GET", "/api/v1/captcha?site=bench")
end
