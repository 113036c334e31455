-- insert_blocking_keys --
INSERT INTO record_blocking_key (key, record_pk)
SELECT k, %(record_pk)s FROM unnest(%(keys)s::text[]) AS k
ON CONFLICT DO NOTHING

-- delete_blocking_keys --
DELETE FROM record_blocking_key WHERE record_pk = %(record_pk)s

-- records_by_blocking_keys --
-- At most `per_key` records per key (the newest), so a common name cannot flood a resolve;
-- those found by the most keys first, then in record order (matching/blocking.py's
-- `ranked_hits`): the order decides the candidates kept when there are more than a resolve takes.
-- Content as text with its hash (store/decoded.py decodes only content it does not keep).
SELECT r.id, r.customer_id, r.source, r.record_id, r.attributes::text, r.identifiers::text, r.content_hash
FROM (
    SELECT hit.record_pk, count(*) AS keys_hit
    FROM unnest(%(keys)s::text[]) AS q (key)
    CROSS JOIN LATERAL (
        SELECT b.record_pk FROM record_blocking_key AS b
        WHERE b.key = q.key
        ORDER BY b.record_pk DESC
        LIMIT %(per_key)s
    ) AS hit
    GROUP BY hit.record_pk
) AS hit
JOIN source_record AS r ON r.id = hit.record_pk
ORDER BY hit.keys_hit DESC, r.id

-- records_of_customers_newest --
-- The newest `per_customer` records of each customer: what a candidate customer is compared on;
-- customer by customer in the order given, each newest first; content as text with its hash.
SELECT r.id, r.customer_id, r.source, r.record_id, r.attributes::text, r.identifiers::text, r.content_hash
FROM unnest(%(ids)s::text[]) WITH ORDINALITY AS q (customer_id, n)
CROSS JOIN LATERAL (
    SELECT * FROM source_record AS s
    WHERE s.customer_id = q.customer_id
    ORDER BY s.observed_at DESC, s.id DESC
    LIMIT %(per_customer)s
) AS r
ORDER BY q.n, r.observed_at DESC, r.id DESC

-- records_holding_identifiers --
-- Of each customer, the newest `per_customer` records holding any of the identifiers: a large
-- customer is compared on its newest records, and these must be among them whatever their age.
SELECT r.id, r.customer_id, r.source, r.record_id, r.attributes, r.identifiers
FROM unnest(%(customers)s::text[]) AS c (customer_id)
CROSS JOIN LATERAL (
    SELECT s.* FROM source_record AS s
    WHERE s.customer_id = c.customer_id AND s.id IN (
        SELECT i.record_pk
        FROM unnest(%(kinds)s::text[], %(namespaces)s::text[], %(ids)s::text[])
            AS q (kind, namespace, value)
        JOIN record_identifier AS i
          ON i.value = q.value AND i.kind = q.kind AND i.namespace = q.namespace
    )
    ORDER BY s.observed_at DESC, s.id DESC
    LIMIT %(per_customer)s
) AS r

-- generic_among --
SELECT g.kind, g.namespace, g.value
FROM unnest(%(kinds)s::text[], %(namespaces)s::text[], %(ids)s::text[]) AS q (kind, namespace, value)
JOIN generic_identifier AS g
  ON g.value = q.value AND g.kind = q.kind AND g.namespace = q.namespace

-- mark_generic --
INSERT INTO generic_identifier (kind, namespace, value, reason)
VALUES (%(kind)s, %(namespace)s, %(value)s, %(reason)s)
ON CONFLICT DO NOTHING
RETURNING kind

-- insert_review_task --
INSERT INTO review_task (id, record_pk, customer_a, customer_b, score, evidence)
VALUES (%(id)s, %(record_pk)s, %(customer_a)s, %(customer_b)s, %(score)s, %(evidence)s)
ON CONFLICT DO NOTHING

-- all_records_of_customer --
SELECT id, customer_id, source, record_id, attributes, identifiers
FROM source_record
WHERE customer_id = %(customer_id)s
ORDER BY id

-- sample_record_pairs --
-- Random pairs of records (for u): two independent random samples, zipped.
SELECT a.attributes, a.identifiers, b.attributes, b.identifiers
FROM (SELECT attributes, identifiers, row_number() OVER () AS n
      FROM (SELECT attributes, identifiers FROM source_record ORDER BY random() LIMIT %(n)s) x) AS a
JOIN (SELECT attributes, identifiers, row_number() OVER () AS n
      FROM (SELECT attributes, identifiers FROM source_record ORDER BY random() LIMIT %(n)s) y) AS b
  USING (n)

-- sample_blocked_pairs --
-- Pairs of records sharing a blocking key (for m): the pairs the service actually compares.
SELECT a.attributes, a.identifiers, b.attributes, b.identifiers
FROM (
    SELECT k1.record_pk AS left_pk, k2.record_pk AS right_pk
    FROM record_blocking_key AS k1
    JOIN record_blocking_key AS k2 ON k2.key = k1.key AND k2.record_pk > k1.record_pk
    ORDER BY random()
    LIMIT %(n)s
) AS p
JOIN source_record AS a ON a.id = p.left_pk
JOIN source_record AS b ON b.id = p.right_pk
