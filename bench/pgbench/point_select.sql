-- The database's own limit for the service's read of one user by id.
\set id random(:first, :last)
SELECT id, name, email, email_normalized, password_hash, dob, address, profession, website, role, token_generation, created_at, updated_at FROM users WHERE id = :id;
