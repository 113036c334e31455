-- Customers, source records, their normalized identifiers, record history and the audit log.

CREATE TABLE customer (
    id          text PRIMARY KEY,
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    golden      jsonb NOT NULL DEFAULT '{}'::jsonb,
    merged_into text REFERENCES customer (id),
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now(),
    merge_time  timestamptz,
    CHECK (merged_into IS NULL OR merged_into <> id)
);
CREATE INDEX customer_merged_into_idx ON customer (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX customer_live_idx ON customer (id) WHERE merged_into IS NULL;

CREATE TABLE source_record (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source       text NOT NULL,
    record_id    text NOT NULL,
    customer_id  text NOT NULL REFERENCES customer (id),
    observed_at  timestamptz NOT NULL,
    attributes   jsonb NOT NULL,
    identifiers  jsonb NOT NULL,
    content_hash text NOT NULL,
    version      integer NOT NULL DEFAULT 1,
    decision     text NOT NULL,
    evidence     jsonb NOT NULL DEFAULT '[]'::jsonb,
    link_time    timestamptz NOT NULL DEFAULT now(),
    create_time  timestamptz NOT NULL DEFAULT now(),
    update_time  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, record_id)
);
CREATE INDEX source_record_customer_idx ON source_record (customer_id);

-- Every version a source sent that is not the current one: replaced ones and stale ones.
CREATE TABLE source_record_history (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_pk    bigint NOT NULL REFERENCES source_record (id) ON DELETE CASCADE,
    version      integer NOT NULL,
    observed_at  timestamptz NOT NULL,
    attributes   jsonb NOT NULL,
    identifiers  jsonb NOT NULL,
    content_hash text NOT NULL,
    applied      boolean NOT NULL,
    archive_time timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX source_record_history_record_idx ON source_record_history (record_pk);

CREATE TABLE record_identifier (
    record_pk bigint NOT NULL REFERENCES source_record (id) ON DELETE CASCADE,
    kind      text NOT NULL,
    namespace text NOT NULL,
    value     text NOT NULL,
    PRIMARY KEY (record_pk, kind, namespace, value)
);
CREATE INDEX record_identifier_value_idx ON record_identifier (value, kind, namespace);

CREATE TABLE audit_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action      text NOT NULL,
    actor       text NOT NULL,
    event_time  timestamptz NOT NULL DEFAULT now(),
    customers   text[] NOT NULL,
    reason      text NOT NULL DEFAULT '',
    before      jsonb,
    after       jsonb
);
CREATE INDEX audit_event_customers_idx ON audit_event USING gin (customers);
