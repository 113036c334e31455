-- A live customer as every read shows it: golden record, its records, the distinct identifiers
-- those hold and the names merged into it, each list ordered. One definition for the statements
-- that read whole customers (customers.sql customer_views, lookup.sql), which wrote it out each.
-- A simple view: PostgreSQL inlines it, so a `WHERE id ...` on it still reads customer's key.
CREATE VIEW customer_view AS
SELECT c.id, c.golden, c.create_time, c.update_time,
       ARRAY(
           SELECT ARRAY[r.source, r.record_id] FROM source_record AS r
           WHERE r.customer_id = c.id
           ORDER BY r.source, r.record_id
       ) AS records,
       ARRAY(
           SELECT ARRAY[d.kind, d.namespace, d.value]
           FROM (
               SELECT DISTINCT i.kind, i.namespace, i.value
               FROM source_record AS r
               JOIN record_identifier AS i ON i.record_pk = r.id
               WHERE r.customer_id = c.id
           ) AS d
           ORDER BY d.kind, d.namespace, d.value
       ) AS identifiers,
       ARRAY(SELECT m.id FROM customer AS m WHERE m.merged_into = c.id ORDER BY m.id) AS merged
FROM customer AS c
WHERE c.merged_into IS NULL;
