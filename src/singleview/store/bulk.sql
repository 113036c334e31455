-- blocking_key_hit_versions --
-- records_by_blocking_keys for many records at once: per key, the same records' keys, customers
-- and versions (a bulk import decodes a record's content only when it has not that version).
SELECT q.key, hit.record_pk, r.customer_id, r.version
FROM unnest(%(keys)s::text[]) AS q (key)
CROSS JOIN LATERAL (
    SELECT b.record_pk FROM record_blocking_key AS b
    WHERE b.key = q.key
    ORDER BY b.record_pk DESC
    LIMIT %(per_key)s
) AS hit
JOIN source_record AS r ON r.id = hit.record_pk

-- newest_record_versions_of_customers --
-- records_of_customers_newest as keys, observation times and versions (in its order).
SELECT r.customer_id, r.id, r.observed_at, r.version
FROM unnest(%(ids)s::text[]) WITH ORDINALITY AS q (customer_id, n)
CROSS JOIN LATERAL (
    SELECT s.id, s.customer_id, s.observed_at, s.version FROM source_record AS s
    WHERE s.customer_id = q.customer_id
    ORDER BY s.observed_at DESC, s.id DESC
    LIMIT %(per_customer)s
) AS r
ORDER BY q.n, r.observed_at DESC, r.id DESC

-- record_contents_by_pks --
SELECT id, version, customer_id, source, record_id, attributes, identifiers
FROM source_record
WHERE id = ANY(%(pks)s::bigint[])

-- insert_customers --
-- insert_customer for many, in the order given (their seq, the age order, follows it).
INSERT INTO customer (id)
SELECT q.id FROM unnest(%(ids)s::text[]) WITH ORDINALITY AS q (id, n)
ORDER BY q.n

-- insert_records_with_ids --
-- insert_record_with_id for many.
INSERT INTO source_record (
    id, source, record_id, customer_id, observed_at, attributes, identifiers, content_hash,
    decision, evidence
) OVERRIDING SYSTEM VALUE
SELECT * FROM unnest(
    %(id)s::bigint[], %(source)s::text[], %(record_id)s::text[], %(customer_id)s::text[],
    %(observed_at)s::timestamptz[], %(attributes)s::jsonb[], %(identifiers)s::jsonb[],
    %(content_hash)s::text[], %(decision)s::text[], %(evidence)s::jsonb[]
)

-- insert_identifiers_of_records --
-- insert_record_identifiers for many records.
INSERT INTO record_identifier (record_pk, kind, namespace, value)
SELECT * FROM unnest(%(pks)s::bigint[], %(kinds)s::text[], %(namespaces)s::text[], %(ids)s::text[])
ON CONFLICT DO NOTHING

-- insert_blocking_keys_of_records --
-- insert_blocking_keys for many records.
INSERT INTO record_blocking_key (key, record_pk)
SELECT * FROM unnest(%(keys)s::text[], %(pks)s::bigint[])
ON CONFLICT DO NOTHING

-- update_goldens --
-- update_golden for many customers.
UPDATE customer AS c SET golden = q.golden, update_time = now()
FROM unnest(%(ids)s::text[], %(goldens)s::jsonb[]) AS q (id, golden)
WHERE c.id = q.id

-- delete_names_of_records --
-- delete_record_name for many records.
DELETE FROM search_name WHERE record_pk = ANY(%(pks)s::bigint[])
