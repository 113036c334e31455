-- blocking_key_hit_pks --
-- records_by_blocking_keys for many records at once: per key, the keys of the records it finds,
-- newest first (one row per key: a window's keys find the same records many times over).
SELECT q.key, hit.pks
FROM unnest(%(keys)s::text[]) AS q (key)
CROSS JOIN LATERAL (
    SELECT array_agg(b.record_pk ORDER BY b.record_pk DESC) AS pks
    FROM (
        SELECT b.record_pk FROM record_blocking_key AS b
        WHERE b.key = q.key
        ORDER BY b.record_pk DESC
        LIMIT %(per_key)s
    ) AS b
) AS hit
WHERE hit.pks IS NOT NULL

-- record_versions --
-- Each record's customer, version and content hash, as they are now.
SELECT id, customer_id, version, content_hash
FROM source_record
WHERE id = ANY(%(pks)s::bigint[])

-- newest_record_versions_of_customers --
-- records_of_customers_newest as keys, observation times, versions and content hashes (in its
-- order).
SELECT r.customer_id, r.id, r.observed_at, r.version, r.content_hash
FROM unnest(%(ids)s::text[]) WITH ORDINALITY AS q (customer_id, n)
CROSS JOIN LATERAL (
    SELECT s.id, s.customer_id, s.observed_at, s.version, s.content_hash FROM source_record AS s
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
-- insert_record_with_id for many: one JSON array of rows (one parameter to encode, not ten
-- arrays of values; what a resolve's insert stores as jsonb is stored as the same jsonb).
INSERT INTO source_record (
    id, source, record_id, customer_id, observed_at, attributes, identifiers, content_hash,
    decision, evidence
) OVERRIDING SYSTEM VALUE
SELECT q.id, q.source, q.record_id, q.customer_id, q.observed_at, q.attributes, q.identifiers,
       q.content_hash, q.decision, q.evidence
FROM jsonb_to_recordset(%(rows)s::jsonb) AS q (
    id bigint, source text, record_id text, customer_id text, observed_at timestamptz,
    attributes jsonb, identifiers jsonb, content_hash text, decision text, evidence jsonb
)

-- insert_identifiers_of_records --
-- insert_record_identifiers for many records: rows of [record pk, kind, namespace, value].
INSERT INTO record_identifier (record_pk, kind, namespace, value)
SELECT (e ->> 0)::bigint, e ->> 1, e ->> 2, e ->> 3
FROM jsonb_array_elements(%(rows)s::jsonb) AS e
ON CONFLICT DO NOTHING

-- insert_blocking_keys_of_records --
-- insert_blocking_keys for many records: rows of [key, record pk].
INSERT INTO record_blocking_key (key, record_pk)
SELECT e ->> 0, (e ->> 1)::bigint
FROM jsonb_array_elements(%(rows)s::jsonb) AS e
ON CONFLICT DO NOTHING

-- update_goldens --
-- update_golden for many customers: rows of [customer id, golden record].
UPDATE customer AS c SET golden = e -> 1, update_time = now()
FROM jsonb_array_elements(%(rows)s::jsonb) AS e
WHERE c.id = e ->> 0

-- upsert_names_of_records --
-- upsert_record_names (search.sql) for many records: rows of [record pk, given, family, lexemes].
INSERT INTO search_name (record_pk, given, family, lexemes)
SELECT (e ->> 0)::bigint, e ->> 1, e ->> 2, array_to_tsvector(string_to_array(e ->> 3, ' '))
FROM jsonb_array_elements(%(rows)s::jsonb) AS e
ON CONFLICT (record_pk) DO UPDATE
SET given = EXCLUDED.given, family = EXCLUDED.family, lexemes = EXCLUDED.lexemes

-- delete_names_of_records --
-- delete_record_name for many records.
DELETE FROM search_name WHERE record_pk = ANY(%(pks)s::bigint[])

-- insert_review_tasks --
-- insert_review_task (matching.sql) for many, in the order given (their seq, the review queue's
-- order, follows it): rows of {id, record_pk, customer_a, customer_b, score, evidence}.
INSERT INTO review_task (id, record_pk, customer_a, customer_b, score, evidence)
SELECT q.e ->> 'id', (q.e ->> 'record_pk')::bigint, q.e ->> 'customer_a', q.e ->> 'customer_b',
    (q.e ->> 'score')::double precision, q.e -> 'evidence'
FROM jsonb_array_elements(%(rows)s::jsonb) WITH ORDINALITY AS q (e, n)
ORDER BY q.n
ON CONFLICT DO NOTHING
