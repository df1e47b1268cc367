-- PATCH one attribute of a random user, as an admin.
dofile("bench/wrk/report.lua")
wrk.headers["Authorization"] = "Bearer " .. env("BENCH_ADMIN_TOKEN")
wrk.headers["Content-Type"] = "application/vnd.api+json"

request = function()
  local id = random_user_id()
  local body = string.format(
    '{"data":{"type":"users","id":"%d","attributes":{"profession":"Engineer %d"}}}', id, math.random(1, 1000000))
  return wrk.format("PATCH", "/api/v1/users/" .. id .. ".json", nil, body)
end
