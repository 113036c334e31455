-- resolve_names --
-- Each requested id with the live customer it stands for now (itself, or its survivor).
SELECT q.id, coalesce(c.merged_into, c.id)
FROM unnest(%(ids)s::text[]) AS q (id)
JOIN customer AS c ON c.id = q.id

-- customer_views --
-- Live customers whole (customer_view); ids merged away or unknown give no row.
SELECT v.id, v.golden, v.create_time, v.update_time, v.records, v.identifiers, v.merged
FROM customer_view AS v
WHERE v.id = ANY(%(ids)s::text[])

-- live_customer_views --
-- Each asked id with its live customer whole (itself, or the survivor it was merged into), in
-- one statement: following the name and reading the view in two, a merge committing between
-- them made a customer that exists look unknown.
SELECT q.id, v.id, v.golden, v.create_time, v.update_time, v.records, v.identifiers, v.merged
FROM unnest(%(ids)s::text[]) AS q (id)
JOIN customer AS c ON c.id = q.id
JOIN customer_view AS v ON v.id = coalesce(c.merged_into, c.id)

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
