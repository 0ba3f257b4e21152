-- wrk script of benchmarks/booking_load.py: counts the answers by status, and with a
-- file of form bodies (one a line) sends each line once as a POST, the lines shared
-- out between wrk's threads. Prints its figures as "key value" lines at the end.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  ran_out = 0
  if args[1] then
    bodies, next_body = {}, 1
    local count, shares = 0, tonumber(args[2])
    for line in io.lines(args[1]) do
      if count % shares == id then
        table.insert(bodies, line)
      end
      count = count + 1
    end
  end
end

function request()
  if bodies == nil then
    return wrk.request()
  end
  local body = bodies[next_body]
  if body == nil then
    -- None left: the last again (a copy of a submission gets the booking it made).
    ran_out = ran_out + 1
    body = bodies[#bodies]
  else
    next_body = next_body + 1
  end
  return wrk.format("POST", nil, nil, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total, out_of_bodies = {}, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
    out_of_bodies = out_of_bodies + thread:get("ran_out")
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
  io.write(string.format("ran_out %d\n", out_of_bodies))
end
