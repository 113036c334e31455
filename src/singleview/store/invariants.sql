-- records_on_dead_customers --
SELECT count(*) FROM source_record AS r JOIN customer AS c ON c.id = r.customer_id
WHERE c.merged_into IS NOT NULL

-- live_customers_without_records --
SELECT count(*) FROM customer AS c
WHERE c.merged_into IS NULL
  AND NOT EXISTS (SELECT 1 FROM source_record AS r WHERE r.customer_id = c.id)

-- dangling_redirects --
-- A merged-away customer must point straight at a live one.
SELECT count(*) FROM customer AS c JOIN customer AS target ON target.id = c.merged_into
WHERE target.merged_into IS NOT NULL

-- identifiers_out_of_step --
-- The identifier index holds exactly the identifiers each record's current version lists.
SELECT count(*) FROM source_record AS r
WHERE jsonb_array_length(r.identifiers) <> (
    SELECT count(*) FROM record_identifier AS i WHERE i.record_pk = r.id
)

-- customers_sharing_an_identifier --
-- Deterministic linking: one identifier belongs to one live customer.
SELECT count(*) FROM (
    SELECT i.kind, i.namespace, i.value
    FROM record_identifier AS i JOIN source_record AS r ON r.id = i.record_pk
    GROUP BY i.kind, i.namespace, i.value
    HAVING count(DISTINCT r.customer_id) > 1
) AS shared
