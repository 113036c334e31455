-- create_token --
-- A new name, or the name of a revoked token (which it replaces); an active name is kept.
INSERT INTO api_token (name, role, token_hash)
VALUES (%(name)s, %(role)s, %(token_hash)s)
ON CONFLICT (name) DO UPDATE
SET role = excluded.role, token_hash = excluded.token_hash, create_time = now(), revoke_time = NULL
WHERE api_token.revoke_time IS NOT NULL
RETURNING name

-- revoke_token --
UPDATE api_token SET revoke_time = now()
WHERE name = %(name)s AND revoke_time IS NULL
RETURNING name

-- token_by_hash --
SELECT name, role, revoke_time IS NOT NULL FROM api_token WHERE token_hash = %(token_hash)s

-- list_tokens --
SELECT name, role, create_time, revoke_time FROM api_token ORDER BY name
