-- GET one user by a random id, as an admin.
dofile("bench/wrk/report.lua")
wrk.headers["Authorization"] = "Bearer " .. env("BENCH_ADMIN_TOKEN")
wrk.headers["Accept"] = "application/vnd.api+json"

request = function()
  return wrk.format("GET", "/api/v1/users/" .. random_user_id() .. ".json")
end
