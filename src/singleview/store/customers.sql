-- resolve_names --
-- Each requested id with the live customer it stands for now (itself, or its survivor).
SELECT q.id, coalesce(c.merged_into, c.id)
FROM unnest(%(ids)s::text[]) AS q (id)
JOIN customer AS c ON c.id = q.id

-- customer_views --
-- Live customers whole, in one statement: golden record, their records, the distinct
-- identifiers those hold and the names merged into them, each list ordered. The customers are
-- the `ids` given and the holders of the identifiers given (lowest ids first, at most
-- `holders`), so that a lookup reads its candidates' views with the candidates.
SELECT c.id, c.golden, c.create_time, c.update_time,
       ARRAY(
           SELECT ARRAY[r.source, r.record_id] FROM source_record AS r
           WHERE r.customer_id = c.id
           ORDER BY r.source, r.record_id
       ),
       ARRAY(
           SELECT ARRAY[d.kind, d.namespace, d.value]
           FROM (
               SELECT DISTINCT i.kind, i.namespace, i.value
               FROM source_record AS r
               JOIN record_identifier AS i ON i.record_pk = r.id
               WHERE r.customer_id = c.id
           ) AS d
           ORDER BY d.kind, d.namespace, d.value
       ),
       ARRAY(SELECT m.id FROM customer AS m WHERE m.merged_into = c.id ORDER BY m.id)
FROM customer AS c
WHERE c.merged_into IS NULL
  AND c.id IN (
      SELECT unnest(%(ids)s::text[])
      UNION
      (
          SELECT r.customer_id
          FROM unnest(%(kinds)s::text[], %(namespaces)s::text[], %(values)s::text[])
              AS q (kind, namespace, value)
          JOIN record_identifier AS i
            ON i.value = q.value AND i.kind = q.kind AND i.namespace = q.namespace
          JOIN source_record AS r ON r.id = i.record_pk
          GROUP BY r.customer_id
          ORDER BY r.customer_id COLLATE "C"
          LIMIT %(holders)s
      )
  )

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
