-- upsert_record_names --
-- The search entry of each record, replacing what a previous version of the record said.
INSERT INTO search_name (record_pk, given, family, lexemes)
SELECT q.record_pk, q.given, q.family, array_to_tsvector(string_to_array(q.lexemes, ' '))
FROM unnest(%(pks)s::bigint[], %(givens)s::text[], %(families)s::text[], %(lexemes)s::text[])
    AS q (record_pk, given, family, lexemes)
ON CONFLICT (record_pk) DO UPDATE
SET given = EXCLUDED.given, family = EXCLUDED.family, lexemes = EXCLUDED.lexemes

-- insert_missing_record_names --
-- Backfill: never overwrites, so an entry a concurrent resolve wrote from a newer version wins.
INSERT INTO search_name (record_pk, given, family, lexemes)
SELECT q.record_pk, q.given, q.family, array_to_tsvector(string_to_array(q.lexemes, ' '))
FROM unnest(%(pks)s::bigint[], %(givens)s::text[], %(families)s::text[], %(lexemes)s::text[])
    AS q (record_pk, given, family, lexemes)
JOIN source_record AS r ON r.id = q.record_pk
ON CONFLICT (record_pk) DO NOTHING

-- delete_record_name --
-- A new version of the record has no name any more.
DELETE FROM search_name WHERE record_pk = %(record_pk)s

-- backfill_pending --
SELECT coalesce(bool_or(pending), false) FROM search_backfill

-- backfill_done --
UPDATE search_backfill SET pending = false

-- records_after --
-- Backfill: the next batch of records in id order.
SELECT id, attributes FROM source_record WHERE id > %(after)s ORDER BY id LIMIT %(limit)s

-- index_only_plans --
-- Every candidate query is written for an index; row estimates of tsquery prefixes and trigrams
-- are rough, and a plan that scans the whole table because of one would make a search as slow
-- as the store is large. For the current transaction only.
SELECT set_config('enable_seqscan', 'off', true)

-- similarity_threshold --
-- pg_trgm's `%%` operator reads this setting; `true`: only for the current transaction.
SELECT set_config('pg_trgm.similarity_threshold', %(threshold)s, true)

-- customers_by_name_lexemes --
-- Records whose name has every query word (as the word, a nickname, a prefix or a sound), the
-- most similar to the query's words first. At most `scan` matches are compared, so a very
-- common name costs no more than a rare one; at most `namesakes` records of any one name are
-- kept, so forty John Smiths cannot crowd out the one John Smithson a typo was meant for.
SELECT r.customer_id
FROM (
    SELECT record_pk, sim
    FROM (
        SELECT record_pk, sim,
               row_number() OVER (PARTITION BY name ORDER BY record_pk) AS nth
        FROM (
            SELECT record_pk, name, similarity(name, %(name)s) AS sim
            FROM (
                SELECT record_pk, name FROM search_name
                WHERE lexemes @@ %(tsquery)s::tsquery
                LIMIT %(scan)s
            ) AS hits
        ) AS scored
    ) AS spread
    WHERE nth <= %(namesakes)s
    ORDER BY sim DESC
    LIMIT %(limit)s
) AS s
JOIN source_record AS r ON r.id = s.record_pk

-- customers_by_name_trigrams --
-- Records whose folded name is similar to the query's words, in any order, best first; at most
-- `namesakes` of any one name among the `scan` most similar.
SELECT r.customer_id
FROM (
    SELECT record_pk, sim
    FROM (
        SELECT record_pk, sim,
               row_number() OVER (PARTITION BY name ORDER BY record_pk) AS nth
        FROM (
            SELECT record_pk, name, similarity(name, %(name)s) AS sim FROM search_name
            WHERE name %% %(name)s
            ORDER BY sim DESC
            LIMIT %(scan)s
        ) AS near
    ) AS spread
    WHERE nth <= %(namesakes)s
    ORDER BY sim DESC
    LIMIT %(limit)s
) AS s
JOIN source_record AS r ON r.id = s.record_pk

-- customers_by_identifier --
-- Exact normalized phone, email or loyalty number (any programme). Like every lookup here, the
-- identifier rows are limited first and joined to their records by key; no DISTINCT (callers
-- remove repeats), which would invite a plan that walks all records in customer order.
SELECT r.customer_id
FROM (
    SELECT record_pk FROM record_identifier
    WHERE value = %(value)s AND kind = %(kind)s
    LIMIT %(limit)s
) AS i
JOIN source_record AS r ON r.id = i.record_pk

-- customers_by_phone_suffix --
-- Phone numbers ending in the digits: a range on the reversed E.164 value.
SELECT r.customer_id
FROM (
    SELECT record_pk FROM record_identifier
    WHERE kind = 'PHONE'
      AND (reverse(value) COLLATE "C") >= %(low)s
      AND (reverse(value) COLLATE "C") < %(high)s
    LIMIT %(limit)s
) AS i
JOIN source_record AS r ON r.id = i.record_pk

-- customers_by_phone_suffix_and_name --
-- Customers with a phone number ending in the digits and a record name with every query word:
-- "ann 0100" checks the name of the few customers whose number ends so, never every Ann.
WITH ending AS MATERIALIZED (
    SELECT record_pk FROM record_identifier
    WHERE kind = 'PHONE'
      AND (reverse(value) COLLATE "C") >= %(low)s
      AND (reverse(value) COLLATE "C") < %(high)s
    LIMIT %(scan)s
)
SELECT r.customer_id
FROM ending AS e
JOIN source_record AS r ON r.id = e.record_pk
CROSS JOIN LATERAL (
    -- LIMIT keeps this a per-customer check: the planner cannot turn it into a join that
    -- reads every Ann from the lexemes index, whatever the statistics say.
    SELECT 1
    FROM source_record AS named
    JOIN search_name AS s ON s.record_pk = named.id
    WHERE named.customer_id = r.customer_id AND s.lexemes @@ %(tsquery)s::tsquery
    LIMIT 1
) AS named_so
LIMIT %(limit)s

-- customers_by_email_local_part --
-- The same mailbox name at any domain: a typo in the domain ("gmial.com").
SELECT r.customer_id
FROM (
    SELECT record_pk FROM record_identifier
    WHERE kind = 'EMAIL' AND split_part(value, '@', 1) = %(local)s
    LIMIT %(limit)s
) AS i
JOIN source_record AS r ON r.id = i.record_pk

-- customers_by_near_email --
-- Addresses whose mailbox name is similar to the query's, best first; the service compares the
-- whole addresses (a typo in the domain leaves the mailbox name as it is).
SELECT r.customer_id
FROM (
    SELECT record_pk, similarity(split_part(value, '@', 1), %(local)s) AS sim
    FROM record_identifier
    WHERE kind = 'EMAIL' AND split_part(value, '@', 1) %% %(local)s
    ORDER BY sim DESC
    LIMIT %(limit)s
) AS i
JOIN source_record AS r ON r.id = i.record_pk

-- names_of_customers --
SELECT r.customer_id, s.given, s.family
FROM source_record AS r
JOIN search_name AS s ON s.record_pk = r.id
WHERE r.customer_id = ANY(%(ids)s::text[])

-- contacts_of_customers --
-- The identifiers a search compares: phones, emails, loyalty numbers.
SELECT DISTINCT r.customer_id, i.kind, i.value
FROM source_record AS r
JOIN record_identifier AS i ON i.record_pk = r.id
WHERE r.customer_id = ANY(%(ids)s::text[]) AND i.kind IN ('PHONE', 'EMAIL', 'LOYALTY_ID')
