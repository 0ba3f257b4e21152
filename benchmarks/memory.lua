-- wrk script of benchmarks/memory.py: the paths in the file given as its argument (one
-- a line: "hx <path>" for an HTMX request, "get <path>" for a whole page) asked in turn,
-- each thread from its own place in the list, the languages fi, sv and en in turn;
-- counts the answers by status and prints its figures as "key value" lines at the end.

local threads = {}
local languages = {"fi", "sv", "en"}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  paths = {}
  for line in io.lines(args[1]) do
    local kind, path = line:match("^(%a+) (.+)$")
    table.insert(paths, {kind == "hx", path})
  end
  next_path = (id * 7919) % #paths + 1
  asked = 0
end

function request()
  local entry = paths[next_path]
  next_path = next_path % #paths + 1
  asked = asked + 1
  -- wrk.format takes these headers instead of those given with -H: copied in first.
  local headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  headers["Accept-Language"] = languages[asked % 3 + 1]
  if entry[1] then
    headers["HX-Request"] = "true"
  end
  return wrk.format("GET", entry[2], headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("status %d %d\n", status, count))
  end
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("seconds %f\n", summary.duration / 1e6))
  local errors = summary.errors
  io.write(string.format("socket_errors %d\n",
                         errors.connect + errors.read + errors.write + errors.timeout))
  io.write(string.format("p50_ms %f\n", latency:percentile(50) / 1000))
  io.write(string.format("p99_ms %f\n", latency:percentile(99) / 1000))
  io.write(string.format("ran_out 0\n"))
end
