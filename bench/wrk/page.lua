-- GET a random page of 20, with an exact meta.total.
dofile("bench/wrk/report.lua")
wrk.headers["Authorization"] = "Bearer " .. env("BENCH_ADMIN_TOKEN")
local pages = math.floor(tonumber(env("BENCH_USERS")) / 20)

request = function()
  return wrk.format("GET", "/api/v1/users.json?page%5Bsize%5D=20&page%5Bnumber%5D=" .. math.random(1, pages))
end
