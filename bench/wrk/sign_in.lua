-- Sign in as a random seeded user (all share one password).
dofile("bench/wrk/report.lua")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local password = env("BENCH_PASSWORD"):gsub(" ", "+")

request = function()
  local n = math.random(1, tonumber(env("BENCH_USERS")))
  local body = "grant_type=password&username=seed" .. n .. "%40bench.example&password=" .. password
  return wrk.format("POST", "/api/v1/auth/token", nil, body)
end
