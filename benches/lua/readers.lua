-- Shared by the submission scripts, which the harness puts after it in one
-- chunk: each wrk thread's id and request counter, so every thread sends its
-- own readers, and the answers counted by status for the harness.
-- `tid` is a global set in each thread's own Lua state by setup (a chunk
-- local would shadow it and every thread would send the same readers).
local counter = 0
local next_tid = 0
local threads = {}
setup = function(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end
init = function(args)
  math.randomseed(os.time() + 7919 * tid)
end

-- Count answers by status so the harness can say what the errors were.
statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

status_report = function()
  local total = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(total) do
    table.insert(parts, status .. "x" .. n)
  end
  table.sort(parts)
  io.write("MAJLIS_STATUSES " .. table.concat(parts, " ") .. "\n")
end
