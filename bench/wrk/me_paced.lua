-- GET /me as an ordinary user, each connection pausing 2 ms between
-- requests: a steady read beside a flood, whose latency shows how long a
-- read waits, not how many reads the cores can fit in.
dofile("bench/wrk/report.lua")
wrk.headers["Authorization"] = "Bearer " .. env("BENCH_USER_TOKEN")
wrk.path = "/api/v1/users/me.json"

function delay()
  return 2
end
