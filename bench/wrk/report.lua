-- Shared by every scenario: seeds each thread's random numbers and prints one
-- machine-readable line that bench/run turns into a table row.
local counter = 0
local threads = {}
-- Set in each thread by setup(); global so that scenario scripts see it.
thread_number = 0

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_number or 0))
end

function next_number()
  counter = counter + 1
  return counter
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors, summary.requests))
end

function env(name)
  local value = os.getenv(name)
  if value == nil then error(name .. " is not set") end
  return value
end

function random_user_id()
  local first = tonumber(env("BENCH_FIRST_ID"))
  return math.random(first, first + tonumber(env("BENCH_USERS")) - 1)
end
