-- customer_context --
-- Everything GetContext shows about one live customer, in one statement (one row; none when
-- there is no such live customer). The customer is `customer`, or, when that is empty, the first
-- live holder (lowest id) of the identifiers given: the customer a lookup by them answers when
-- one customer holds them, so this read can travel in the lookup's own round trip.
-- Its timeline covers the customer and every name merged into it (`n.ids`), and for a
-- household member also the household's contacts' conversations (nameless calls on the shared
-- line). The parts are those of timeline.sql and preferences.sql: resumable_conversations,
-- active_interactions, list_interactions (newest first, no filter), contact_facts,
-- preferences_of; conversations and interactions come as JSON objects keyed by column (every
-- column of the table: the decoder takes those it knows). Kept under 4 KiB as sent
-- (store/sql.py).
WITH n AS (
    SELECT c.id,
           ARRAY(SELECT c.id UNION ALL SELECT m.id FROM customer AS m WHERE m.merged_into = c.id)
               AS ids
    FROM customer AS c
    WHERE c.merged_into IS NULL
      AND c.id = coalesce(
          nullif(%(customer)s::text, ''),
          (
              SELECT r.customer_id
              FROM unnest(%(kinds)s::text[], %(namespaces)s::text[], %(values)s::text[])
                  AS q (kind, namespace, value)
              JOIN record_identifier AS i
                ON i.value = q.value AND i.kind = q.kind AND i.namespace = q.namespace
              JOIN source_record AS r ON r.id = i.record_pk
              ORDER BY r.customer_id COLLATE "C"
              LIMIT 1
          )
      )
)
SELECT n.id, coalesce(h.household_id, ''),
       (
           SELECT json_agg(conv ORDER BY conv.last_activity DESC, conv.seq DESC)
           FROM (
               SELECT c.*, stats.*, latest
               FROM conversation AS c
               CROSS JOIN LATERAL (
                   SELECT array_agg(per.channel ORDER BY per.first_time, per.channel) AS channels,
                          sum(per.total) AS total, sum(per.inbound) AS inbound
                   FROM (
                       SELECT i.channel, min(i.occur_time) AS first_time, count(*) AS total,
                              count(*) FILTER (WHERE i.direction = 'INBOUND') AS inbound
                       FROM interaction AS i
                       WHERE i.conversation_id = c.id
                       GROUP BY i.channel
                   ) AS per
               ) AS stats
               LEFT JOIN LATERAL (
                   SELECT i.* FROM interaction AS i
                   WHERE i.conversation_id = c.id
                   ORDER BY i.occur_time DESC, i.seq DESC
                   LIMIT 1
               ) AS latest ON true
               WHERE c.customer_id = ANY(n.ids || household.contacts)
                 AND (
                     (c.state = 'OPEN' AND c.last_activity >= %(open_since)s)
                     OR (c.state = 'CLOSED' AND c.close_time >= %(closed_since)s)
                 )
               ORDER BY c.last_activity DESC, c.seq DESC
               LIMIT %(conversations)s
           ) AS conv
       ),
       (
           SELECT json_agg(a ORDER BY a.occur_time DESC, a.seq DESC)
           FROM (
               SELECT i.* FROM interaction AS i
               WHERE i.customer_id = ANY(n.ids)
                 AND i.state IN ('OPEN', 'WAITING')
                 AND i.occur_time >= %(active_since)s
                 AND i.channel <> %(except_channel)s
               ORDER BY i.occur_time DESC, i.seq DESC
               LIMIT %(active)s
           ) AS a
       ),
       (
           SELECT json_agg(r ORDER BY r.occur_time DESC, r.seq DESC)
           FROM (
               SELECT i.* FROM interaction AS i
               WHERE i.customer_id = ANY(n.ids)
               ORDER BY i.occur_time DESC, i.seq DESC
               LIMIT %(recent)s
           ) AS r
       ),
       pressure.contacts, pressure.channels,
       ARRAY(
           SELECT i.attributes FROM interaction AS i
           WHERE i.customer_id = ANY(n.ids) AND i.attributes ?| %(keys)s::text[]
           ORDER BY i.occur_time DESC, i.seq DESC
           LIMIT 5
       ),
       ARRAY(
           SELECT recent.channel
           FROM (
               SELECT i.channel, i.occur_time FROM interaction AS i
               WHERE i.customer_id = ANY(n.ids) AND i.direction = 'INBOUND'
               ORDER BY i.occur_time DESC, i.seq DESC
               LIMIT %(history)s
           ) AS recent
           GROUP BY recent.channel
           ORDER BY max(recent.occur_time) DESC
       ),
       p.preferred_channel, p.preferred_channel_time, p.preferred_channel_source,
       consent.channels, consent.levels, consent.given_times, consent.sources, u.last_update
FROM n
LEFT JOIN household_member AS h ON h.customer_id = n.id
CROSS JOIN LATERAL (
    SELECT array_agg(o.customer_id) AS contacts FROM household_member AS o
    WHERE o.household_id = h.household_id AND o.role = 'CONTACT' AND o.customer_id <> n.id
) AS household
CROSS JOIN LATERAL (
    SELECT count(*) AS contacts, count(DISTINCT i.channel) AS channels
    FROM interaction AS i
    WHERE i.customer_id = ANY(n.ids)
      AND i.direction = 'INBOUND'
      AND i.occur_time >= %(pressure_since)s
) AS pressure
LEFT JOIN LATERAL (
    SELECT preferred_channel, preferred_channel_time, preferred_channel_source
    FROM customer_preference
    WHERE customer_id = ANY(n.ids) AND preferred_channel_time IS NOT NULL
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
        WHERE customer_id = ANY(n.ids)
        ORDER BY channel, given_time DESC, update_time DESC
    ) AS newest
) AS consent
CROSS JOIN LATERAL (
    SELECT max(t) AS last_update FROM (
        SELECT update_time FROM customer_preference WHERE customer_id = ANY(n.ids)
        UNION ALL
        SELECT update_time FROM customer_consent WHERE customer_id = ANY(n.ids)
    ) AS changes (t)
) AS u
