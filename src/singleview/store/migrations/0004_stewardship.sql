-- Stewardship: constraints stewards set (cannot-link, must-link), the merge log that lets a split
-- bring a merged-away customer back, idempotent steward requests, and an append-only audit log.

-- "These records are not the same person as those": a steward's DIFFERENT verdict, or the two
-- parts of a split. Kept between source records, not customers, so it survives later merges and
-- splits: two customers are kept apart while one holds a record of side 0 and the other a record
-- of side 1 of the same constraint. One row per record (not per pair) keeps a constraint between
-- two large customers small.
CREATE TABLE cannot_link (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor          text NOT NULL,
    reason         text NOT NULL,
    review_task_id text REFERENCES review_task (id) ON DELETE SET NULL,
    create_time    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cannot_link_record (
    cannot_link_id bigint NOT NULL REFERENCES cannot_link (id) ON DELETE CASCADE,
    side           smallint NOT NULL CHECK (side IN (0, 1)),
    record_pk      bigint NOT NULL REFERENCES source_record (id) ON DELETE CASCADE,
    PRIMARY KEY (cannot_link_id, side, record_pk)
);
CREATE INDEX cannot_link_record_record_idx ON cannot_link_record (record_pk);

-- "These records are one person": what a steward confirmed (SAME verdict, manual merge).
-- Re-evaluation (service/recluster.py) keeps a group's records together; a later split by a
-- steward partitions the groups it cuts through, so the newer decision wins.
CREATE TABLE must_link (
    group_id    text NOT NULL,
    record_pk   bigint NOT NULL REFERENCES source_record (id) ON DELETE CASCADE,
    create_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, record_pk)
);
CREATE INDEX must_link_record_idx ON must_link (record_pk);

-- Every merge, automatic or not: what the merged-away customer held when it went (its records,
-- the interactions recorded for it by name, the names that redirected to it). Splitting exactly
-- those records back out restores it under its old name (store/stewardship_links.py). Plain ids,
-- no foreign keys: a log entry must not stand in the way of erasing a customer.
CREATE TABLE customer_merge (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survivor           text NOT NULL,
    loser              text NOT NULL,
    record_pks         bigint[] NOT NULL,
    named_interactions text[] NOT NULL,
    redirected_names   text[] NOT NULL,
    merge_time         timestamptz NOT NULL DEFAULT now(),
    undo_time          timestamptz
);
CREATE INDEX customer_merge_loser_idx ON customer_merge (loser, id DESC);

-- Idempotent steward writes (AIP-155): a request_id replays the first answer.
CREATE TABLE steward_request (
    request_id  text PRIMARY KEY,
    method      text NOT NULL,
    fingerprint text NOT NULL,
    result      jsonb NOT NULL,
    actor       text NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now()
);

-- Review tasks: an etag version, and lookups by side.
ALTER TABLE review_task ADD COLUMN version integer NOT NULL DEFAULT 1;
CREATE INDEX review_task_customer_a_idx ON review_task (customer_a);
CREATE INDEX review_task_customer_b_idx ON review_task (customer_b);

-- The audit log is append-only. Erasure appends an entry (without personal data) and never needs
-- to rewrite one: audit rows hold ids, record references and the steward's reason only.
CREATE INDEX audit_event_actor_idx ON audit_event (actor, id DESC);

CREATE FUNCTION audit_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
