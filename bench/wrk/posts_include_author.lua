-- GET the first page of 20 posts, pinned then newest, with their authors
-- included, as an admin.
-- Always the first page: pgbench runs the same statements for the ids on
-- it, which bench/run reads once.
dofile("bench/wrk/report.lua")
wrk.headers["Authorization"] = "Bearer " .. env("BENCH_ADMIN_TOKEN")
wrk.headers["Accept"] = "application/vnd.api+json"
wrk.path = "/api/v2/posts?page%5Bsize%5D=20&include=author"
