-- Security and privacy: API tokens (hashes only), the server's keyed-hash secret, suppressed
-- identifiers of erased customers, and the outcome of each privacy request (idempotency).

-- A bearer token is shown once, when created; only its SHA-256 is kept. Tokens are 256-bit
-- random values, so a plain hash is as good as a slow one and costs nothing per call.
CREATE TABLE api_token (
    name        text PRIMARY KEY,
    role        text NOT NULL,
    token_hash  text NOT NULL UNIQUE,
    create_time timestamptz NOT NULL DEFAULT now(),
    revoke_time timestamptz
);

-- Random keys the service makes for itself on first use (the HMAC key of suppression entries).
CREATE TABLE server_secret (
    name        text PRIMARY KEY,
    secret      bytea NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now()
);

-- Identifiers of erased customers, as HMAC-SHA256(server secret, identifier key): a returning
-- identifier is recognised without the raw value being kept. `kind` says only which kind it was.
CREATE TABLE suppressed_identifier (
    digest      text PRIMARY KEY,
    kind        text NOT NULL,
    erasure_id  text NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now()
);

-- What an EraseCustomer with a request_id answered, so a retry answers the same (AIP-155).
CREATE TABLE privacy_request (
    request_id  text PRIMARY KEY,
    method      text NOT NULL,
    customer    text NOT NULL,
    response    jsonb NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now()
);
