-- lock_keys --
-- Advisory locks on the record and its identifiers, taken in the array's (sorted) order so two
-- resolves that share identifiers serialize and never deadlock on each other.
SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%(keys)s::bigint[]) AS k

-- plan_each_statement --
SET LOCAL plan_cache_mode = force_custom_plan

-- select_record_for_update --
SELECT id, customer_id, observed_at, content_hash, version, decision, evidence
FROM source_record
WHERE source = %(source)s AND record_id = %(record_id)s
FOR UPDATE

-- select_records_for_update --
-- select_record_for_update for a batch of records, locked in id order.
SELECT r.source, r.record_id, r.id, r.customer_id, r.observed_at, r.content_hash, r.version,
       r.decision, r.evidence
FROM source_record AS r
WHERE (r.source, r.record_id) IN (
    SELECT q.source, q.record_id
    FROM unnest(%(sources)s::text[], %(record_ids)s::text[]) AS q (source, record_id)
)
ORDER BY r.id
FOR UPDATE OF r

-- customers_of_identifiers --
-- Live customers holding any of the identifiers, oldest first, with the identifiers they hold.
SELECT r.customer_id, i.kind, i.namespace, i.value
FROM unnest(%(kinds)s::text[], %(namespaces)s::text[], %(ids)s::text[]) AS q (kind, namespace, value)
JOIN record_identifier AS i
  ON i.value = q.value AND i.kind = q.kind AND i.namespace = q.namespace
JOIN source_record AS r ON r.id = i.record_pk

-- lock_customers --
-- Row locks in id order; a customer merged away meanwhile shows a non-null merged_into.
SELECT id, seq, merged_into
FROM customer
WHERE id = ANY(%(ids)s::text[])
ORDER BY id
FOR UPDATE

-- insert_customer --
INSERT INTO customer (id) VALUES (%(id)s)

-- insert_record --
INSERT INTO source_record (
    source, record_id, customer_id, observed_at, attributes, identifiers, content_hash,
    decision, evidence
) VALUES (
    %(source)s, %(record_id)s, %(customer_id)s, %(observed_at)s, %(attributes)s,
    %(identifiers)s, %(content_hash)s, %(decision)s, %(evidence)s
)
RETURNING id

-- insert_record_with_id --
-- insert_record with a key reserved beforehand (reserve_record_pks), so nothing is read back.
INSERT INTO source_record (
    id, source, record_id, customer_id, observed_at, attributes, identifiers, content_hash,
    decision, evidence
) OVERRIDING SYSTEM VALUE VALUES (
    %(id)s, %(source)s, %(record_id)s, %(customer_id)s, %(observed_at)s, %(attributes)s,
    %(identifiers)s, %(content_hash)s, %(decision)s, %(evidence)s
)

-- insert_new_record --
-- A new record with a reserved key in one statement: its customer when new, the record, its
-- identifiers, blocking keys and search entry (foreign keys are checked at the end of the
-- statement, when every part is in).
WITH new_customer AS (
    INSERT INTO customer (id) SELECT %(customer_id)s WHERE %(new_customer)s
), record AS (
    INSERT INTO source_record (
        id, source, record_id, customer_id, observed_at, attributes, identifiers, content_hash,
        decision, evidence
    ) OVERRIDING SYSTEM VALUE VALUES (
        %(id)s::bigint, %(source)s, %(record_id)s, %(customer_id)s, %(observed_at)s,
        %(attributes)s, %(identifiers)s, %(content_hash)s, %(decision)s, %(evidence)s
    )
), identifiers AS (
    INSERT INTO record_identifier (record_pk, kind, namespace, value)
    SELECT %(id)s::bigint, kind, namespace, value
    FROM unnest(%(kinds)s::text[], %(namespaces)s::text[], %(ids)s::text[])
        AS q (kind, namespace, value)
    ON CONFLICT DO NOTHING
), keys AS (
    INSERT INTO record_blocking_key (key, record_pk)
    SELECT k, %(id)s::bigint FROM unnest(%(keys)s::text[]) AS k
    ON CONFLICT DO NOTHING
)
INSERT INTO search_name (record_pk, given, family, lexemes)
SELECT %(id)s::bigint, q.given, q.family, array_to_tsvector(string_to_array(q.lexemes, ' '))
FROM unnest(%(givens)s::text[], %(families)s::text[], %(lexemes)s::text[])
    AS q (given, family, lexemes)

-- reserve_record_pks --
SELECT nextval(pg_get_serial_sequence('source_record', 'id'))
FROM generate_series(1, %(count)s)

-- archive_record_version --
-- Keeps the version being replaced as history.
INSERT INTO source_record_history (
    record_pk, version, observed_at, attributes, identifiers, content_hash, applied
)
SELECT id, version, observed_at, attributes, identifiers, content_hash, true
FROM source_record WHERE id = %(record_pk)s

-- archive_stale_version --
-- A version older than the stored one: kept as history, never applied; once (a retry or a
-- re-import of the same file sends it again).
INSERT INTO source_record_history (
    record_pk, version, observed_at, attributes, identifiers, content_hash, applied
)
SELECT %(record_pk)s, 0, %(observed_at)s, %(attributes)s, %(identifiers)s, %(content_hash)s, false
WHERE NOT EXISTS (
    SELECT 1 FROM source_record_history
    WHERE record_pk = %(record_pk)s AND NOT applied
        AND observed_at = %(observed_at)s AND content_hash = %(content_hash)s
)

-- update_record --
UPDATE source_record
SET customer_id = %(customer_id)s,
    observed_at = %(observed_at)s,
    attributes = %(attributes)s,
    identifiers = %(identifiers)s,
    content_hash = %(content_hash)s,
    version = version + 1,
    decision = %(decision)s,
    evidence = %(evidence)s,
    link_time = CASE WHEN customer_id = %(customer_id)s THEN link_time ELSE now() END,
    update_time = now()
WHERE id = %(record_pk)s

-- delete_record_identifiers --
DELETE FROM record_identifier WHERE record_pk = %(record_pk)s

-- insert_record_identifiers --
INSERT INTO record_identifier (record_pk, kind, namespace, value)
SELECT %(record_pk)s, kind, namespace, value
FROM unnest(%(kinds)s::text[], %(namespaces)s::text[], %(ids)s::text[]) AS q (kind, namespace, value)
ON CONFLICT DO NOTHING

-- log_merge --
-- Merge: what each loser holds as it goes (records, interactions recorded for it by name, names
-- redirecting to it), so that splitting exactly those records back out can restore it.
INSERT INTO customer_merge (survivor, loser, record_pks, named_interactions, redirected_names)
SELECT %(survivor)s, l.id,
       ARRAY(SELECT r.id FROM source_record AS r WHERE r.customer_id = l.id ORDER BY r.id),
       ARRAY(
           SELECT i.id FROM interaction AS i
           WHERE i.customer_id = l.id AND i.record_pk IS NULL
           ORDER BY i.id
       ),
       ARRAY(SELECT c.id FROM customer AS c WHERE c.merged_into = l.id ORDER BY c.id)
FROM unnest(%(losers)s::text[]) AS l (id)

-- move_records --
-- Merge: every record of the losers now belongs to the survivor.
UPDATE source_record SET customer_id = %(survivor)s, update_time = now()
WHERE customer_id = ANY(%(losers)s::text[])

-- redirect_customers --
-- Merge: losers, and every name that already redirected to them, point straight at the survivor,
-- so a merged-away name is always one hop from a live customer.
UPDATE customer
SET merged_into = %(survivor)s, merge_time = now(), update_time = now(), golden = '{}'::jsonb
WHERE id = ANY(%(losers)s::text[]) OR merged_into = ANY(%(losers)s::text[])

-- record_attributes_of_customer --
SELECT id, source, record_id, observed_at, attributes
FROM source_record
WHERE customer_id = %(customer_id)s
ORDER BY observed_at DESC, id DESC

-- update_golden --
UPDATE customer SET golden = %(golden)s, update_time = now() WHERE id = %(customer_id)s

-- insert_audit_event --
INSERT INTO audit_event (action, actor, customers, reason, before, after)
VALUES (%(action)s, %(actor)s, %(customers)s, %(reason)s, %(before)s, %(after)s)

-- move_records_to --
UPDATE source_record
SET customer_id = %(customer_id)s, decision = %(decision)s, evidence = %(evidence)s,
    link_time = now(), update_time = now()
WHERE id = ANY(%(pks)s::bigint[])

-- customers_of_identifiers_bounded --
-- Like customers_of_identifiers, but at most `per_identifier` (the newest records) per identifier:
-- for generic identifiers, which thousands may hold and which only help retrieval. Without
-- `contacts`, a household's contact customers are left out: made of nameless calls on the
-- shared line, they are nobody yet and must not make the line look held by more people.
SELECT r.customer_id, q.kind, q.namespace, q.value
FROM unnest(%(kinds)s::text[], %(namespaces)s::text[], %(ids)s::text[]) AS q (kind, namespace, value)
CROSS JOIN LATERAL (
    SELECT i.record_pk FROM record_identifier AS i
    JOIN source_record AS held ON held.id = i.record_pk
    WHERE i.value = q.value AND i.kind = q.kind AND i.namespace = q.namespace
      AND (%(contacts)s OR NOT EXISTS (
          SELECT 1 FROM household_member AS m
          WHERE m.customer_id = held.customer_id AND m.role = 'CONTACT'
      ))
    ORDER BY i.record_pk DESC
    LIMIT %(per_identifier)s
) AS hit
JOIN source_record AS r ON r.id = hit.record_pk
