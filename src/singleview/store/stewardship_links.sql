-- cannot_link_pairs --
-- Pairs among the given live customers that a steward kept apart: one holds a record of side 0
-- and the other a record of side 1 of one cannot-link constraint.
SELECT DISTINCT ra.customer_id, rb.customer_id
FROM source_record AS ra
JOIN cannot_link_record AS a ON a.record_pk = ra.id
JOIN cannot_link_record AS b ON b.cannot_link_id = a.cannot_link_id AND b.side <> a.side
JOIN source_record AS rb ON rb.id = b.record_pk
WHERE ra.customer_id = ANY(%(ids)s::text[])
  AND rb.customer_id = ANY(%(ids)s::text[])
  AND ra.customer_id < rb.customer_id

-- insert_cannot_link --
INSERT INTO cannot_link (actor, reason, review_task_id)
VALUES (%(actor)s, %(reason)s, %(review_task_id)s)
RETURNING id

-- insert_cannot_link_records --
INSERT INTO cannot_link_record (cannot_link_id, side, record_pk)
SELECT %(id)s, %(side)s, pk FROM unnest(%(pks)s::bigint[]) AS pk
ON CONFLICT DO NOTHING

-- insert_must_link --
INSERT INTO must_link (group_id, record_pk)
SELECT %(group_id)s, pk FROM unnest(%(pks)s::bigint[]) AS pk
ON CONFLICT DO NOTHING

-- partition_must_links --
-- A steward's split cuts through the groups it touches: the moved records keep one another, under
-- a group id derived from the old one and the customer they went to, apart from those left behind.
UPDATE must_link
SET group_id = md5(group_id || E'\x1f' || %(to_customer)s)
WHERE record_pk = ANY(%(pks)s::bigint[])

-- must_link_groups --
-- The steward-confirmed groups among the records: (group, record) pairs.
SELECT m.group_id, m.record_pk
FROM must_link AS m
WHERE m.record_pk = ANY(%(pks)s::bigint[])
ORDER BY m.group_id, m.record_pk

-- record_refs_of_customers --
SELECT customer_id, id, source, record_id
FROM source_record
WHERE customer_id = ANY(%(ids)s::text[])
ORDER BY customer_id, id

-- record_pks_by_ref --
-- Each requested (source, record_id) with its pk and customer; unknown refs are absent.
SELECT q.source, q.record_id, r.id, r.customer_id
FROM unnest(%(sources)s::text[], %(record_ids)s::text[]) AS q (source, record_id)
JOIN source_record AS r ON r.source = q.source AND r.record_id = q.record_id

-- restorable_merges --
-- Customers merged (directly or through others) into `customer`, each with its latest merge not
-- yet undone and which of the records it held then are still in `customer`.
SELECT DISTINCT ON (m.loser)
       m.id, m.loser, m.named_interactions, m.redirected_names, m.merge_time,
       ARRAY(
           SELECT r.id FROM source_record AS r
           WHERE r.id = ANY(m.record_pks) AND r.customer_id = %(customer)s
           ORDER BY r.id
       ) AS still_here
FROM customer_merge AS m
JOIN customer AS c ON c.id = m.loser
WHERE c.merged_into = %(customer)s AND m.undo_time IS NULL
ORDER BY m.loser, m.id DESC

-- records_created_since --
-- How many of the records arrived at or after `since` (a merge's time).
SELECT count(*) FROM source_record
WHERE id = ANY(%(pks)s::bigint[]) AND create_time >= %(since)s

-- revive_customer --
-- The merged-away customer lives again; names that redirected to it before its merge do again.
UPDATE customer
SET merged_into = NULL, merge_time = NULL, update_time = now()
WHERE id = %(loser)s AND merged_into = %(survivor)s

-- redirect_back --
UPDATE customer
SET merged_into = %(loser)s, update_time = now()
WHERE id = ANY(%(names)s::text[]) AND merged_into = %(survivor)s

-- undo_merge --
UPDATE customer_merge SET undo_time = now() WHERE id = %(id)s

-- rehome_records --
-- Records going back to the customer they came from keep their decision, evidence and link time.
UPDATE source_record SET customer_id = %(customer_id)s, update_time = now()
WHERE id = ANY(%(pks)s::bigint[])

-- conversations_of_named_interactions --
-- For each conversation holding the named interactions of `from`: whether every interaction of
-- `from` in it goes (named ones, or ones attributed through the moving records).
SELECT i.conversation_id,
       bool_and(
           i.id = ANY(%(ids)s::text[]) OR coalesce(i.record_pk = ANY(%(pks)s::bigint[]), false)
       ) AS whole
FROM interaction AS i
WHERE i.customer_id = %(from_customer)s
  AND i.conversation_id IN (
      SELECT m.conversation_id FROM interaction AS m
      WHERE m.customer_id = %(from_customer)s AND m.id = ANY(%(ids)s::text[])
  )
GROUP BY i.conversation_id
ORDER BY i.conversation_id

-- repoint_named_interactions --
UPDATE interaction SET conversation_id = %(new_id)s
WHERE conversation_id = %(id)s
  AND customer_id = %(from_customer)s
  AND id = ANY(%(ids)s::text[])

-- move_named_interactions --
UPDATE interaction SET customer_id = %(to_customer)s, update_time = now()
WHERE customer_id = %(from_customer)s AND id = ANY(%(ids)s::text[])
