-- preferred_channel_of --
-- The newest statement about the preferred channel among the customer and the names merged
-- into it (a cleared preference is a statement too: its channel is NULL).
SELECT preferred_channel, preferred_channel_time, preferred_channel_source
FROM customer_preference
WHERE customer_id = ANY(%(ids)s::text[]) AND preferred_channel_time IS NOT NULL
ORDER BY preferred_channel_time DESC, update_time DESC
LIMIT 1

-- consents_of --
-- Per channel, the newest consent among the customer and the names merged into it.
SELECT DISTINCT ON (channel) channel, level, given_time, source
FROM customer_consent
WHERE customer_id = ANY(%(ids)s::text[])
ORDER BY channel, given_time DESC, update_time DESC

-- last_update_of --
SELECT max(t) FROM (
    SELECT update_time FROM customer_preference WHERE customer_id = ANY(%(ids)s::text[])
    UNION ALL
    SELECT update_time FROM customer_consent WHERE customer_id = ANY(%(ids)s::text[])
) AS u (t)

-- set_preferred_channel --
-- A new statement supersedes what the names merged into the customer said.
WITH superseded AS (
    DELETE FROM customer_preference
    WHERE customer_id = ANY(%(ids)s::text[]) AND customer_id <> %(customer_id)s
)
INSERT INTO customer_preference (
    customer_id, preferred_channel, preferred_channel_time, preferred_channel_source
) VALUES (%(customer_id)s, %(channel)s, %(given_time)s, %(source)s)
ON CONFLICT (customer_id) DO UPDATE
SET preferred_channel = EXCLUDED.preferred_channel,
    preferred_channel_time = EXCLUDED.preferred_channel_time,
    preferred_channel_source = EXCLUDED.preferred_channel_source,
    update_time = now()

-- clear_consent --
-- Withdraws the statement for one channel, also where a merged-in name made it.
DELETE FROM customer_consent
WHERE customer_id = ANY(%(ids)s::text[]) AND channel = %(channel)s

-- set_consent --
INSERT INTO customer_consent (customer_id, channel, level, given_time, source)
VALUES (%(customer_id)s, %(channel)s, %(level)s, %(given_time)s, %(source)s)
ON CONFLICT (customer_id, channel) DO UPDATE
SET level = EXCLUDED.level,
    given_time = EXCLUDED.given_time,
    source = EXCLUDED.source,
    update_time = now()

-- request_by_id --
SELECT customer_id, request_hash, response
FROM preference_request
WHERE request_id = %(request_id)s

-- insert_request --
INSERT INTO preference_request (request_id, customer_id, request_hash, response)
VALUES (%(request_id)s, %(customer_id)s, %(request_hash)s, %(response)s)

-- recent_inbound_channels --
-- Channels the customer reached out on, most recently used first, among their latest contacts.
SELECT channel
FROM (
    SELECT channel, occur_time
    FROM interaction
    WHERE customer_id = ANY(%(ids)s::text[]) AND direction = 'INBOUND'
    ORDER BY occur_time DESC, seq DESC
    LIMIT %(limit)s
) AS recent
GROUP BY channel
ORDER BY max(occur_time) DESC
