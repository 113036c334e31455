-- preferences_of --
-- One row for the customer and the names merged into it: the newest statement about the
-- preferred channel (a cleared preference is a statement too: its channel is NULL), per channel
-- the newest consent (as parallel arrays, ordered by channel), and the last update of either.
SELECT p.preferred_channel, p.preferred_channel_time, p.preferred_channel_source,
       c.channels, c.levels, c.given_times, c.sources, u.last_update
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT preferred_channel, preferred_channel_time, preferred_channel_source
    FROM customer_preference
    WHERE customer_id = ANY(%(ids)s::text[]) AND preferred_channel_time IS NOT NULL
    ORDER BY preferred_channel_time DESC, update_time DESC
    LIMIT 1
) AS p ON true
CROSS JOIN LATERAL (
    SELECT array_agg(channel ORDER BY channel) AS channels,
           array_agg(level ORDER BY channel) AS levels,
           array_agg(given_time ORDER BY channel) AS given_times,
           array_agg(source ORDER BY channel) AS sources
    FROM (
        SELECT DISTINCT ON (channel) channel, level, given_time, source
        FROM customer_consent
        WHERE customer_id = ANY(%(ids)s::text[])
        ORDER BY channel, given_time DESC, update_time DESC
    ) AS newest
) AS c
CROSS JOIN LATERAL (
    SELECT max(t) AS last_update FROM (
        SELECT update_time FROM customer_preference WHERE customer_id = ANY(%(ids)s::text[])
        UNION ALL
        SELECT update_time FROM customer_consent WHERE customer_id = ANY(%(ids)s::text[])
    ) AS changes (t)
) AS u

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
