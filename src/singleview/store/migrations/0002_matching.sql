-- Fuzzy matching: blocking keys per record, generic identifiers, review tasks.

CREATE TABLE record_blocking_key (
    key       text NOT NULL,
    record_pk bigint NOT NULL REFERENCES source_record (id) ON DELETE CASCADE,
    PRIMARY KEY (key, record_pk)
);
CREATE INDEX record_blocking_key_record_idx ON record_blocking_key (record_pk);

-- Identifiers many different people share: they help find candidates but never link by themselves.
CREATE TABLE generic_identifier (
    kind        text NOT NULL,
    namespace   text NOT NULL,
    value       text NOT NULL,
    reason      text NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, namespace, value)
);

-- An uncertain pair waiting for a steward. Customer ids are as they were when the task was made;
-- readers follow merges to the live customers.
CREATE TABLE review_task (
    id          text PRIMARY KEY,
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    record_pk   bigint REFERENCES source_record (id) ON DELETE SET NULL,
    customer_a  text NOT NULL REFERENCES customer (id),
    customer_b  text NOT NULL REFERENCES customer (id),
    score       double precision NOT NULL,
    evidence    jsonb NOT NULL,
    state       text NOT NULL DEFAULT 'OPEN',
    verdict     text,
    reason      text NOT NULL DEFAULT '',
    decided_by  text,
    request_id  text,
    create_time timestamptz NOT NULL DEFAULT now(),
    decide_time timestamptz,
    CHECK (customer_a <> customer_b)
);
CREATE UNIQUE INDEX review_task_open_pair_idx
    ON review_task (least(customer_a, customer_b), greatest(customer_a, customer_b))
    WHERE state = 'OPEN';
CREATE INDEX review_task_open_idx ON review_task (seq) WHERE state = 'OPEN';
