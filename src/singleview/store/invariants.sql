-- records_on_dead_customers --
-- Every record belongs to exactly one live customer (customer_id is one column and a foreign
-- key, so "exactly one" reduces to "the one it names is live").
SELECT count(*) FROM source_record AS r JOIN customer AS c ON c.id = r.customer_id
WHERE c.merged_into IS NOT NULL

-- live_customers_without_records --
SELECT count(*) FROM customer AS c
WHERE c.merged_into IS NULL
  AND NOT EXISTS (SELECT 1 FROM source_record AS r WHERE r.customer_id = c.id)

-- dangling_redirects --
-- A merged-away customer points straight at a live one: merges re-point the names that
-- redirected to a loser (resolution.sql merge_customers), so a redirect is one hop that ends at
-- a live customer.
SELECT count(*) FROM customer AS c JOIN customer AS target ON target.id = c.merged_into
WHERE target.merged_into IS NOT NULL

-- identifiers_out_of_step --
-- The identifier index holds exactly the identifiers each record's current version lists,
-- compared as sets in both directions.
SELECT count(*) FROM source_record AS r
WHERE EXISTS (
    SELECT e ->> 0, e ->> 1, e ->> 2 FROM jsonb_array_elements(r.identifiers) AS e
    EXCEPT
    SELECT i.kind, i.namespace, i.value FROM record_identifier AS i WHERE i.record_pk = r.id
) OR EXISTS (
    SELECT i.kind, i.namespace, i.value FROM record_identifier AS i WHERE i.record_pk = r.id
    EXCEPT
    SELECT e ->> 0, e ->> 1, e ->> 2 FROM jsonb_array_elements(r.identifiers) AS e
)

-- merged_across_a_cannot_link --
-- A steward's "not the same person" holds: no live customer has records from both sides.
SELECT count(DISTINCT a.cannot_link_id)
FROM cannot_link_record AS a
JOIN cannot_link_record AS b ON b.cannot_link_id = a.cannot_link_id AND b.side <> a.side
JOIN source_record AS ra ON ra.id = a.record_pk
JOIN source_record AS rb ON rb.id = b.record_pk
WHERE a.side = 0 AND ra.customer_id = rb.customer_id

-- customers_sharing_an_identifier --
-- A non-generic identifier links its holders, so two live customers share one only when
-- matching was told or saw that they differ: a steward's cannot-link (DIFFERENT, a split), or a
-- review task the resolve raised between them instead of linking (its customers followed to the
-- live ones). Generic identifiers (table generic_identifier) and placeholder values (the
-- configured (kind, regex) pairs, MatchingSettings.placeholders) prove nothing and are skipped.
WITH holders AS (
    SELECT DISTINCT i.kind, i.namespace, i.value, r.customer_id
    FROM record_identifier AS i JOIN source_record AS r ON r.id = i.record_pk
    WHERE NOT EXISTS (
        SELECT 1 FROM generic_identifier AS g
        WHERE g.kind = i.kind AND g.namespace = i.namespace AND g.value = i.value
    ) AND NOT EXISTS (
        SELECT 1 FROM unnest(%(placeholder_kinds)s::text[], %(placeholder_patterns)s::text[])
            AS p (kind, pattern)
        WHERE p.kind = i.kind AND i.value ~ ('^(?:' || p.pattern || ')$')
    )
), shared AS (
    SELECT a.kind, a.namespace, a.value, a.customer_id AS x, b.customer_id AS y
    FROM holders AS a JOIN holders AS b
      ON b.kind = a.kind AND b.namespace = a.namespace AND b.value = a.value
     AND a.customer_id < b.customer_id
), apart AS (
    SELECT DISTINCT least(ra.customer_id, rb.customer_id) AS x,
           greatest(ra.customer_id, rb.customer_id) AS y
    FROM cannot_link_record AS a
    JOIN cannot_link_record AS b ON b.cannot_link_id = a.cannot_link_id AND b.side <> a.side
    JOIN source_record AS ra ON ra.id = a.record_pk
    JOIN source_record AS rb ON rb.id = b.record_pk
    WHERE ra.customer_id <> rb.customer_id
), reviewed AS (
    SELECT DISTINCT least(coalesce(ca.merged_into, ca.id), coalesce(cb.merged_into, cb.id)) AS x,
           greatest(coalesce(ca.merged_into, ca.id), coalesce(cb.merged_into, cb.id)) AS y
    FROM review_task AS t
    JOIN customer AS ca ON ca.id = t.customer_a
    JOIN customer AS cb ON cb.id = t.customer_b
)
SELECT count(DISTINCT (s.kind, s.namespace, s.value)) FROM shared AS s
WHERE NOT EXISTS (SELECT 1 FROM apart AS p WHERE p.x = s.x AND p.y = s.y)
  AND NOT EXISTS (SELECT 1 FROM reviewed AS v WHERE v.x = s.x AND v.y = s.y)
