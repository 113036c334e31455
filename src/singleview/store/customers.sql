-- resolve_names --
-- Each requested id with the live customer it stands for now (itself, or its survivor).
SELECT q.id, coalesce(c.merged_into, c.id)
FROM unnest(%(ids)s::text[]) AS q (id)
JOIN customer AS c ON c.id = q.id

-- customers_by_id --
SELECT id, golden, create_time, update_time
FROM customer
WHERE id = ANY(%(ids)s::text[]) AND merged_into IS NULL

-- records_of_customers --
SELECT customer_id, source, record_id
FROM source_record
WHERE customer_id = ANY(%(ids)s::text[])
ORDER BY customer_id, source, record_id

-- identifiers_of_customers --
SELECT DISTINCT r.customer_id, i.kind, i.namespace, i.value
FROM source_record AS r
JOIN record_identifier AS i ON i.record_pk = r.id
WHERE r.customer_id = ANY(%(ids)s::text[])
ORDER BY r.customer_id, i.kind, i.namespace, i.value

-- merged_names_of_customers --
SELECT merged_into, id
FROM customer
WHERE merged_into = ANY(%(ids)s::text[])
ORDER BY merged_into, id

-- live_customer_page --
SELECT id
FROM customer
WHERE merged_into IS NULL AND id > %(after)s
ORDER BY id
LIMIT %(limit)s

-- customer_seqs --
SELECT id, seq FROM customer WHERE id = ANY(%(ids)s::text[])

-- record_links_of_customer --
-- Why each record is in the customer: the decision and evidence stored when it was linked.
SELECT source, record_id, decision, evidence, link_time
FROM source_record
WHERE customer_id = %(customer_id)s
ORDER BY link_time, id
