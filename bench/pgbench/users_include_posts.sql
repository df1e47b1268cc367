-- The statements the service runs for the first page of 20 users with their
-- newest posts included (GET /api/v2/users?page[size]=20&include=posts): the
-- caller's row, the page with its total from the counters, and the ten
-- newest posts of each user on the page with how many each has. bench/run
-- passes the page's users as :page_users. A unit test in src/posts/listing.rs
-- checks them against the statements the service builds.
SELECT users.id, users.name, users.email, users.email_normalized, users.password_hash, users.dob, users.address, users.profession, users.website, users.role, users.token_generation, users.created_at, users.updated_at, users.version
FROM users WHERE users.id = :admin LIMIT 1;
SELECT users.id, users.name, users.email, users.dob, users.address, users.profession, users.website, users.role, users.created_at, users.updated_at, users.version,
    (SELECT CAST(COALESCE(SUM(users), 0) AS BIGINT) FROM user_counts) AS total
FROM users ORDER BY users.id ASC LIMIT 21;
SELECT * FROM (SELECT id, author_id, title, body, pinned, created_at, updated_at, version,
    ROW_NUMBER() OVER (PARTITION BY author_id ORDER BY created_at DESC, id DESC) AS newest,
    COUNT(*) OVER (PARTITION BY author_id) AS author_posts
  FROM posts WHERE author_id IN (:page_users)) AS ranked
WHERE newest <= 10 ORDER BY author_id ASC, newest ASC;
