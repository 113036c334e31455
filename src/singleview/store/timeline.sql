-- interaction_by_event --
-- The interaction a (source, source_event_id) already recorded: what a replay answers.
SELECT id, seq, customer_id, conversation_id, source, source_event_id, channel, direction, state,
       handler, occur_time, summary, transcript, outcome, agent_id, team_id, store_id, attributes,
       create_time, update_time, decision
FROM interaction
WHERE source = %(source)s AND source_event_id = %(source_event_id)s

-- interactions_by_id --
SELECT id, seq, customer_id, conversation_id, source, source_event_id, channel, direction, state,
       handler, occur_time, summary, transcript, outcome, agent_id, team_id, store_id, attributes,
       create_time, update_time, decision
FROM interaction
WHERE id = ANY(%(ids)s::text[])

-- interaction_for_update --
SELECT id, seq, customer_id, conversation_id, source, source_event_id, channel, direction, state,
       handler, occur_time, summary, transcript, outcome, agent_id, team_id, store_id, attributes,
       create_time, update_time, decision
FROM interaction
WHERE id = %(id)s
FOR UPDATE

-- lock_customer --
-- Serializes timeline writes of one customer (conversation attachment) and holds off a merge or
-- split of it until they commit; FOR NO KEY UPDATE leaves foreign-key checks of others unblocked.
SELECT merged_into FROM customer WHERE id = %(id)s FOR NO KEY UPDATE

-- timeline_customers --
-- The live customer and every name merged into it: reads cover all of them, so a timeline is
-- whole even for a moment in which a merge has not moved every row yet.
SELECT id FROM customer WHERE id = %(id)s OR merged_into = %(id)s

-- conversation_for_update --
SELECT id, customer_id, state FROM conversation WHERE id = %(id)s FOR UPDATE

-- attachable_conversation --
-- The conversation a new contact joins: the customer's most recent OPEN one active within the
-- window, else one CLOSED within the reopen window (a bot closed its chat, a human takes over).
SELECT id, state
FROM conversation
WHERE customer_id = %(customer_id)s
  AND start_time <= %(occur_time)s + %(window)s
  AND (
      (state = 'OPEN' AND last_activity >= %(occur_time)s - %(window)s)
      OR (state = 'CLOSED' AND close_time >= %(occur_time)s - %(reopen)s)
  )
ORDER BY state = 'OPEN' DESC, last_activity DESC, seq DESC
LIMIT 1
FOR UPDATE

-- insert_conversation --
-- A conversation id a channel chose may be taken meanwhile by another customer's channel.
INSERT INTO conversation (id, customer_id, start_time, last_activity)
VALUES (%(id)s, %(customer_id)s, %(occur_time)s, %(occur_time)s)
ON CONFLICT (id) DO NOTHING
RETURNING id

-- touch_conversation --
-- A new interaction joined: widen its time span and make sure it is open.
UPDATE conversation
SET start_time = least(start_time, %(occur_time)s),
    last_activity = greatest(last_activity, %(occur_time)s),
    state = 'OPEN',
    close_time = NULL,
    update_time = now()
WHERE id = %(id)s

-- close_conversation_if_idle --
-- Closes the conversation when none of its interactions is OPEN or WAITING any more.
UPDATE conversation AS c
SET state = 'CLOSED', close_time = now(), update_time = now()
WHERE c.id = %(id)s
  AND c.state = 'OPEN'
  AND NOT EXISTS (
      SELECT 1 FROM interaction AS i
      WHERE i.conversation_id = c.id AND i.state IN ('OPEN', 'WAITING')
  )
RETURNING c.id

-- reopen_conversation --
UPDATE conversation
SET state = 'OPEN', close_time = NULL, update_time = now()
WHERE id = %(id)s AND state = 'CLOSED'
RETURNING id

-- insert_interaction --
INSERT INTO interaction (
    id, customer_id, conversation_id, record_pk, source, source_event_id, decision, channel,
    direction, state, handler, occur_time, summary, transcript, outcome, agent_id, team_id,
    store_id, attributes
) VALUES (
    %(id)s, %(customer_id)s, %(conversation_id)s, %(record_pk)s, %(source)s, %(source_event_id)s,
    %(decision)s, %(channel)s, %(direction)s, %(state)s, %(handler)s, %(occur_time)s,
    %(summary)s, %(transcript)s, %(outcome)s, %(agent_id)s, %(team_id)s, %(store_id)s,
    %(attributes)s
)
-- the columns of interactions_by_id: the stored interaction without reading it back
RETURNING id, seq, customer_id, conversation_id, source, source_event_id, channel, direction,
          state, handler, occur_time, summary, transcript, outcome, agent_id, team_id, store_id,
          attributes, create_time, update_time, decision

-- update_interaction --
UPDATE interaction
SET state = %(state)s, summary = %(summary)s, transcript = %(transcript)s,
    outcome = %(outcome)s, agent_id = %(agent_id)s, team_id = %(team_id)s,
    attributes = %(attributes)s, update_time = now()
WHERE id = %(id)s

-- list_interactions --
-- One keyset page, newest first; the cursor is the (occur_time, seq) of the last row shown.
SELECT id, seq, customer_id, conversation_id, source, source_event_id, channel, direction, state,
       handler, occur_time, summary, transcript, outcome, agent_id, team_id, store_id, attributes,
       create_time, update_time, decision
FROM interaction
WHERE customer_id = ANY(%(customer_ids)s::text[])
  AND (cardinality(%(channels)s::text[]) = 0 OR channel = ANY(%(channels)s::text[]))
  AND (cardinality(%(states)s::text[]) = 0 OR state = ANY(%(states)s::text[]))
  AND (%(start_time)s::timestamptz IS NULL OR occur_time >= %(start_time)s::timestamptz)
  AND (%(end_time)s::timestamptz IS NULL OR occur_time < %(end_time)s::timestamptz)
  AND (%(conversation_id)s::text = '' OR conversation_id = %(conversation_id)s::text)
  AND (
      %(after_time)s::timestamptz IS NULL
      OR (occur_time, seq) < (%(after_time)s::timestamptz, %(after_seq)s::bigint)
  )
ORDER BY occur_time DESC, seq DESC
LIMIT %(limit)s

-- active_interactions --
-- Contacts live right now (OPEN or WAITING, recent), optionally on other channels than one.
SELECT id, seq, customer_id, conversation_id, source, source_event_id, channel, direction, state,
       handler, occur_time, summary, transcript, outcome, agent_id, team_id, store_id, attributes,
       create_time, update_time, decision
FROM interaction
WHERE customer_id = ANY(%(customer_ids)s::text[])
  AND state IN ('OPEN', 'WAITING')
  AND occur_time >= %(since)s
  AND channel <> %(except_channel)s
ORDER BY occur_time DESC, seq DESC
LIMIT %(limit)s

-- resumable_conversations --
-- Conversations a new contact would continue (open and recent, or closed within the reopen
-- window), with their channels in order of first use, size, inbound count and latest interaction
-- (its whole row, in the shared column order: no second query for it).
SELECT c.id, c.customer_id, c.state, c.start_time, c.last_activity, c.close_time,
       coalesce(stats.channels, '{}'::text[]), coalesce(stats.total, 0),
       coalesce(stats.inbound, 0), latest.*
FROM conversation AS c
LEFT JOIN LATERAL (
    SELECT array_agg(per.channel ORDER BY per.first_time, per.channel) AS channels,
           sum(per.total) AS total, sum(per.inbound) AS inbound
    FROM (
        SELECT i.channel, min(i.occur_time) AS first_time, count(*) AS total,
               count(*) FILTER (WHERE i.direction = 'INBOUND') AS inbound
        FROM interaction AS i
        WHERE i.conversation_id = c.id
        GROUP BY i.channel
    ) AS per
) AS stats ON true
LEFT JOIN LATERAL (
    SELECT i.id, i.seq, i.customer_id, i.conversation_id, i.source, i.source_event_id, i.channel,
           i.direction, i.state, i.handler, i.occur_time, i.summary, i.transcript, i.outcome,
           i.agent_id, i.team_id, i.store_id, i.attributes, i.create_time, i.update_time,
           i.decision
    FROM interaction AS i
    WHERE i.conversation_id = c.id
    ORDER BY i.occur_time DESC, i.seq DESC
    LIMIT 1
) AS latest ON true
WHERE c.customer_id = ANY(%(customer_ids)s::text[])
  AND (
      (c.state = 'OPEN' AND c.last_activity >= %(open_since)s)
      OR (c.state = 'CLOSED' AND c.close_time >= %(closed_since)s)
  )
ORDER BY c.last_activity DESC, c.seq DESC
LIMIT %(limit)s

-- contact_facts --
-- One row of what GetContext decides with, about the customer and the names merged into it:
-- contacts the customer started within the pressure window and on how many channels; the
-- attributes of the newest interactions stating a preference key (newest first, at most 5);
-- the channels of their latest `history` inbound contacts, most recently used first.
SELECT pressure.contacts, pressure.channels,
       ARRAY(
           SELECT i.attributes FROM interaction AS i
           WHERE i.customer_id = ANY(%(customer_ids)s::text[])
             AND i.attributes ?| %(keys)s::text[]
           ORDER BY i.occur_time DESC, i.seq DESC
           LIMIT 5
       ),
       ARRAY(
           SELECT recent.channel
           FROM (
               SELECT i.channel, i.occur_time FROM interaction AS i
               WHERE i.customer_id = ANY(%(customer_ids)s::text[]) AND i.direction = 'INBOUND'
               ORDER BY i.occur_time DESC, i.seq DESC
               LIMIT %(history)s
           ) AS recent
           GROUP BY recent.channel
           ORDER BY max(recent.occur_time) DESC
       )
FROM (
    SELECT count(*) AS contacts, count(DISTINCT i.channel) AS channels
    FROM interaction AS i
    WHERE i.customer_id = ANY(%(customer_ids)s::text[])
      AND i.direction = 'INBOUND'
      AND i.occur_time >= %(since)s
) AS pressure

-- move_interactions_of_customers --
-- Merge: the losers' interactions now belong to the survivor.
UPDATE interaction SET customer_id = %(survivor)s, update_time = now()
WHERE customer_id = ANY(%(losers)s::text[])

-- move_conversations_of_customers --
UPDATE conversation SET customer_id = %(survivor)s, update_time = now()
WHERE customer_id = ANY(%(losers)s::text[])

-- conversations_split_by_records --
-- For each conversation of `from` holding interactions attributed through the records: whether
-- every one of its interactions of `from` goes (the conversation moves whole) or only some.
SELECT i.conversation_id,
       bool_and(coalesce(i.record_pk = ANY(%(pks)s::bigint[]), false)) AS whole
FROM interaction AS i
WHERE i.customer_id = %(from_customer)s
  AND i.conversation_id IN (
      SELECT m.conversation_id FROM interaction AS m
      WHERE m.customer_id = %(from_customer)s AND m.record_pk = ANY(%(pks)s::bigint[])
  )
GROUP BY i.conversation_id
ORDER BY i.conversation_id

-- move_conversations --
UPDATE conversation SET customer_id = %(to_customer)s, update_time = now()
WHERE id = ANY(%(ids)s::text[])

-- copy_conversation --
-- A conversation that a split leaves with interactions on both sides: the moving side gets a
-- copy of the row under a new id; the original stays with the customer that keeps its name.
INSERT INTO conversation (id, customer_id, state, start_time, last_activity, close_time)
SELECT %(new_id)s, %(to_customer)s, state, start_time, last_activity, close_time
FROM conversation WHERE id = %(id)s
ON CONFLICT (id) DO NOTHING

-- repoint_split_interactions --
UPDATE interaction SET conversation_id = %(new_id)s
WHERE conversation_id = %(id)s
  AND customer_id = %(from_customer)s
  AND record_pk = ANY(%(pks)s::bigint[])

-- move_interactions_of_records --
UPDATE interaction SET customer_id = %(to_customer)s, update_time = now()
WHERE customer_id = %(from_customer)s AND record_pk = ANY(%(pks)s::bigint[])

-- refresh_conversation_span --
-- After a split: each side's time span covers exactly its own interactions.
UPDATE conversation AS c
SET start_time = span.first_time, last_activity = span.last_time, update_time = now()
FROM (
    SELECT conversation_id, min(occur_time) AS first_time, max(occur_time) AS last_time
    FROM interaction
    WHERE conversation_id = ANY(%(ids)s::text[])
    GROUP BY conversation_id
) AS span
WHERE c.id = span.conversation_id

-- notify_event --
-- Delivered to every listening process when the writing transaction commits, never before.
SELECT pg_notify(%(channel)s, %(payload)s)

-- listen_events --
LISTEN singleview_events
