-- GET /me as an ordinary user.
dofile("bench/wrk/report.lua")
wrk.headers["Authorization"] = "Bearer " .. env("BENCH_USER_TOKEN")
wrk.path = "/api/v1/users/me.json"
