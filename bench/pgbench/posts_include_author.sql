-- The statements the service runs for the first page of 20 posts with their
-- authors included (GET /api/v2/posts?page[size]=20&include=author): the
-- caller's row, the page in the default order with its total, and the
-- authors with how many posts each has. bench/run passes the page's authors
-- as :page_authors. A unit test in src/posts/listing.rs checks them against
-- the statements the service builds.
SELECT users.id, users.name, users.email, users.email_normalized, users.password_hash, users.dob, users.address, users.profession, users.website, users.role, users.token_generation, users.created_at, users.updated_at, users.version
FROM users WHERE users.id = :admin LIMIT 1;
SELECT posts.id, posts.author_id, posts.title, posts.body, posts.pinned, posts.created_at, posts.updated_at, posts.version,
    (SELECT CAST(COALESCE(SUM("posts"), 0) AS BIGINT) AS "total" FROM "post_counts") AS "total"
FROM posts ORDER BY posts.pinned DESC, posts.created_at DESC, posts.id DESC LIMIT 21;
SELECT users.id, users.name, users.email, users.dob, users.address, users.profession, users.website, users.role, users.created_at, users.updated_at, users.version,
    (SELECT COUNT(*) FROM posts WHERE posts.author_id = users.id) AS posts
FROM users WHERE users.id IN (:page_authors);
