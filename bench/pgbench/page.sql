-- The statement the service runs for a page of 20 with an exact total: the
-- caller's token and role checked, the total from the counters triggers
-- keep, and the page's ids read from an index before their rows. A unit test
-- in src/users/listing.rs checks it against the statement the service builds.
\set page random(0, :pages - 1)
SELECT users.id, users.name, users.email, users.dob, users.address, users.profession, users.website, users.role, users.created_at, users.updated_at, users.version,
  (SELECT CAST(COALESCE(SUM(users), 0) AS BIGINT) FROM user_counts) AS total
FROM users INNER JOIN (SELECT users.id FROM users ORDER BY users.id ASC LIMIT 20 OFFSET :page * 20) AS page_ids ON users.id = page_ids.id
WHERE EXISTS (SELECT 1 FROM users AS requester_row WHERE requester_row.id = :admin AND requester_row.token_generation = 0 AND requester_row.role = 'admin')
ORDER BY users.id ASC;
