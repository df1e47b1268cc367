-- GET the first page of 20 users with each one's ten newest posts included,
-- as an admin.
-- Always the first page: pgbench runs the same statements for the ids on
-- it, which bench/run reads once.
dofile("bench/wrk/report.lua")
wrk.headers["Authorization"] = "Bearer " .. env("BENCH_ADMIN_TOKEN")
wrk.headers["Accept"] = "application/vnd.api+json"
wrk.path = "/api/v2/users?page%5Bsize%5D=20&include=posts"
