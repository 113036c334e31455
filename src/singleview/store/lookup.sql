-- identifiers_at_a_glance --
-- A lookup by identifiers alone, in one statement: which of them are generic, which customers
-- hold them (with the identifiers each holds), the newest `per_customer` records of the first
-- `holders` of them (lowest ids first) and the full views of the first `views`. The parts are
-- matching.sql's generic_among and records_of_holders_newest, resolution.sql's
-- customers_of_identifiers and customers.sql's customer_views, each as a JSON array of rows
-- in the column order of its original (NULL when empty).
WITH q AS (
    SELECT *
    FROM unnest(%(kinds)s::text[], %(namespaces)s::text[], %(values)s::text[])
        AS q (kind, namespace, value)
),
held AS (
    SELECT r.customer_id, i.kind, i.namespace, i.value
    FROM q
    JOIN record_identifier AS i
      ON i.value = q.value AND i.kind = q.kind AND i.namespace = q.namespace
    JOIN source_record AS r ON r.id = i.record_pk
),
holders AS (
    SELECT h.customer_id
    FROM held AS h
    GROUP BY h.customer_id
    ORDER BY h.customer_id COLLATE "C"
    LIMIT %(holders)s
)
SELECT
    (
        SELECT json_agg(json_build_array(g.kind, g.namespace, g.value))
        FROM q
        JOIN generic_identifier AS g
          ON g.value = q.value AND g.kind = q.kind AND g.namespace = q.namespace
    ),
    (SELECT json_agg(json_build_array(h.customer_id, h.kind, h.namespace, h.value)) FROM held AS h),
    (
        SELECT json_agg(
            json_build_array(r.id, r.customer_id, r.source, r.record_id, r.attributes,
                             r.identifiers)
            ORDER BY h.customer_id COLLATE "C", r.observed_at DESC, r.id DESC
        )
        FROM holders AS h
        CROSS JOIN LATERAL (
            SELECT * FROM source_record AS s
            WHERE s.customer_id = h.customer_id
            ORDER BY s.observed_at DESC, s.id DESC
            LIMIT %(per_customer)s
        ) AS r
    ),
    (
        SELECT json_agg(
            json_build_array(v.id, v.golden, v.create_time, v.update_time, v.records,
                             v.identifiers, v.merged)
        )
        FROM customer_view AS v
        WHERE v.id IN (
            SELECT h.customer_id FROM holders AS h
            ORDER BY h.customer_id COLLATE "C"
            LIMIT %(views)s
        )
    )
