-- The statements the service runs for a page of 20 sorted by name among
-- users with the role user, with an exact total.
\set page random(0, :pages - 1)
SELECT COUNT(*) FROM users WHERE role = 'user';
SELECT id, name, email, email_normalized, password_hash, dob, address, profession, website, role, token_generation, created_at, updated_at FROM users WHERE role = 'user' ORDER BY name ASC, id ASC LIMIT 20 OFFSET :page * 20;
