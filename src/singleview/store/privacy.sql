-- scope_customers --
-- The live customer and every name merged into it: an erasure or an export covers all of them.
SELECT id, merged_into FROM customer WHERE id = %(id)s OR merged_into = %(id)s ORDER BY id

-- lock_scope_customers --
SELECT id, merged_into FROM customer WHERE id = ANY(%(ids)s::text[]) ORDER BY id FOR UPDATE

-- records_of_customers --
SELECT id, source, record_id FROM source_record
WHERE customer_id = ANY(%(ids)s::text[])
ORDER BY id

-- identifiers_of_records --
-- Every identifier the records hold or ever held (current versions and history).
SELECT i.kind, i.namespace, i.value FROM record_identifier AS i
WHERE i.record_pk = ANY(%(pks)s::bigint[])
UNION
SELECT e ->> 0, e ->> 1, e ->> 2
FROM source_record_history AS h
CROSS JOIN LATERAL jsonb_array_elements(h.identifiers) AS e
WHERE h.record_pk = ANY(%(pks)s::bigint[])

-- identifiers_kept_elsewhere --
-- Of the given identifiers, those that are generic (shared by many people) or held by a record
-- outside the erasure: suppressing them would lock other people out.
SELECT q.kind, q.namespace, q.value
FROM unnest(%(kinds)s::text[], %(namespaces)s::text[], %(ids)s::text[]) AS q (kind, namespace, value)
WHERE EXISTS (
    SELECT 1 FROM generic_identifier AS g
    WHERE g.value = q.value AND g.kind = q.kind AND g.namespace = q.namespace
) OR EXISTS (
    SELECT 1 FROM record_identifier AS i
    WHERE i.value = q.value AND i.kind = q.kind AND i.namespace = q.namespace
      AND NOT (i.record_pk = ANY(%(pks)s::bigint[]))
)

-- delete_interactions --
-- The customers' interactions, those attributed through their records, and any in their
-- conversations.
DELETE FROM interaction
WHERE customer_id = ANY(%(ids)s::text[])
   OR record_pk = ANY(%(pks)s::bigint[])
   OR conversation_id IN (SELECT id FROM conversation WHERE customer_id = ANY(%(ids)s::text[]))

-- delete_conversations --
DELETE FROM conversation WHERE customer_id = ANY(%(ids)s::text[])

-- delete_review_tasks --
DELETE FROM review_task
WHERE customer_a = ANY(%(ids)s::text[])
   OR customer_b = ANY(%(ids)s::text[])
   OR record_pk = ANY(%(pks)s::bigint[])

-- delete_merge_log --
DELETE FROM customer_merge
WHERE survivor = ANY(%(ids)s::text[]) OR loser = ANY(%(ids)s::text[])

-- delete_records --
-- History, identifiers, blocking keys and steward constraints of the records go with them
-- (ON DELETE CASCADE).
DELETE FROM source_record WHERE id = ANY(%(pks)s::bigint[])

-- delete_customers --
DELETE FROM customer WHERE id = ANY(%(ids)s::text[])

-- create_suppression_key --
INSERT INTO server_secret (name, secret) VALUES ('suppression', %(secret)s)
ON CONFLICT (name) DO NOTHING

-- suppression_key --
SELECT secret FROM server_secret WHERE name = 'suppression'

-- suppression_key_if_needed --
-- The key only when something is suppressed: a resolve on a store without erasures pays one
-- cheap read.
SELECT secret FROM server_secret
WHERE name = 'suppression' AND EXISTS (SELECT 1 FROM suppressed_identifier)

-- insert_suppressions --
INSERT INTO suppressed_identifier (digest, kind, erasure_id)
SELECT digest, kind, %(erasure_id)s
FROM unnest(%(digests)s::text[], %(kinds)s::text[]) AS q (digest, kind)
ON CONFLICT (digest) DO NOTHING

-- suppressed_among --
SELECT digest FROM suppressed_identifier WHERE digest = ANY(%(digests)s::text[])

-- lift_suppressions --
DELETE FROM suppressed_identifier WHERE digest = ANY(%(digests)s::text[])

-- privacy_request --
SELECT method, customer, response FROM privacy_request WHERE request_id = %(request_id)s

-- insert_privacy_request --
INSERT INTO privacy_request (request_id, method, customer, response)
VALUES (%(request_id)s, %(method)s, %(customer)s, %(response)s)

-- repeatable_read --
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ

-- export_customers --
SELECT jsonb_build_object(
    'name', 'customers/' || id, 'merged_into', merged_into, 'golden', golden,
    'create_time', create_time, 'update_time', update_time, 'merge_time', merge_time
)
FROM customer WHERE id = ANY(%(ids)s::text[])
ORDER BY merged_into NULLS FIRST, id

-- export_records --
-- Each record as it is now, with every earlier and stale version.
SELECT jsonb_build_object(
    'source', r.source, 'record_id', r.record_id, 'customer', 'customers/' || r.customer_id,
    'version', r.version, 'observed_at', r.observed_at, 'attributes', r.attributes,
    'identifiers', r.identifiers, 'decision', r.decision, 'evidence', r.evidence,
    'link_time', r.link_time, 'create_time', r.create_time, 'update_time', r.update_time,
    'history', coalesce((
        SELECT jsonb_agg(jsonb_build_object(
            'version', h.version, 'observed_at', h.observed_at, 'attributes', h.attributes,
            'identifiers', h.identifiers, 'applied', h.applied, 'archive_time', h.archive_time
        ) ORDER BY h.id)
        FROM source_record_history AS h WHERE h.record_pk = r.id
    ), '[]'::jsonb)
)
FROM source_record AS r
WHERE r.customer_id = ANY(%(ids)s::text[])
ORDER BY r.source, r.record_id

-- export_identifiers --
SELECT jsonb_build_object('kind', kind, 'namespace', namespace, 'value', value)
FROM (
    SELECT DISTINCT i.kind, i.namespace, i.value
    FROM record_identifier AS i JOIN source_record AS r ON r.id = i.record_pk
    WHERE r.customer_id = ANY(%(ids)s::text[])
) AS held
ORDER BY kind, namespace, value

-- export_interactions --
SELECT to_jsonb(i) - 'seq' - 'record_pk'
FROM interaction AS i
WHERE i.customer_id = ANY(%(ids)s::text[])
ORDER BY i.occur_time, i.seq

-- export_conversations --
SELECT to_jsonb(c) - 'seq'
FROM conversation AS c
WHERE c.customer_id = ANY(%(ids)s::text[])
ORDER BY c.start_time, c.seq

-- export_review_tasks --
SELECT to_jsonb(t) - 'seq' - 'record_pk'
FROM review_task AS t
WHERE t.customer_a = ANY(%(ids)s::text[]) OR t.customer_b = ANY(%(ids)s::text[])
ORDER BY t.seq

-- export_audit_events --
-- Every audit entry that names the customers: merges, splits, steward decisions, profile reads.
SELECT to_jsonb(a)
FROM audit_event AS a
WHERE a.customers && %(ids)s::text[]
ORDER BY a.id

-- export_preferences --
SELECT to_jsonb(p) FROM customer_preference AS p
WHERE p.customer_id = ANY(%(ids)s::text[])
ORDER BY p.update_time

-- export_households --
-- The person's own membership rows (household id, role, origin, evidence); other members are
-- other people's data.
SELECT to_jsonb(m) FROM household_member AS m
WHERE m.customer_id = ANY(%(ids)s::text[])
ORDER BY m.create_time

-- export_consents --
SELECT to_jsonb(c) FROM customer_consent AS c
WHERE c.customer_id = ANY(%(ids)s::text[])
ORDER BY c.channel, c.update_time
