-- The newest holders of an identifier, read newest first and only as many as asked for.
-- customers_of_identifiers_bounded (the few newest holders of a generic identifier: a store's
-- phone, the all-zero ad id) sorted every record holding it, and those grow with the store
-- (thousands of walk-ins): with the record key in the index it stops after the first few.
-- It also serves every lookup by value that record_identifier_value_idx served.
CREATE INDEX record_identifier_value_newest_idx
    ON record_identifier (value, kind, namespace, record_pk DESC);
DROP INDEX record_identifier_value_idx;
