-- GET one path, BENCH_PATH, over and over as an admin: the rows of
-- bench/run --scale, each a page at some depth, or with a filter or include.
dofile("bench/wrk/report.lua")
wrk.headers["Authorization"] = "Bearer " .. env("BENCH_ADMIN_TOKEN")
wrk.headers["Accept"] = "application/vnd.api+json"
local path = env("BENCH_PATH")

request = function()
  return wrk.format("GET", path)
end
