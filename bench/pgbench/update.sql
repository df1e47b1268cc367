-- A single-row update, as the service's PATCH makes.
\set id random(:first, :last)
UPDATE users SET profession = 'Engineer', version = version + 1, updated_at = now() WHERE id = :id;
