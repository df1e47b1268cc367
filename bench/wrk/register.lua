-- POST a registration with an email no other request uses.
dofile("bench/wrk/report.lua")
wrk.headers["Content-Type"] = "application/vnd.api+json"
-- Unique per wrk process too: the scenario runs once per connection count.
local run = env("BENCH_RUN") .. "-" .. os.time()

request = function()
  local email = string.format("reg-%s-%d-%d@bench.example", run, thread_number, next_number())
  local body = '{"data":{"type":"users","attributes":{"name":"Bench User","email":"' .. email
    .. '","password":"a bench passphrase 123"}}}'
  return wrk.format("POST", "/api/v1/users.json", nil, body)
end
