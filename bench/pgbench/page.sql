-- The statements the service runs for a page of 20 with an exact total.
\set page random(0, :pages - 1)
SELECT COUNT(*) FROM users;
SELECT id, name, email, email_normalized, password_hash, dob, address, profession, website, role, token_generation, created_at, updated_at FROM users ORDER BY id ASC LIMIT 20 OFFSET :page * 20;
