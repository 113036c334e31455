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
