-- The omnichannel timeline: conversations and the interactions in them.

-- The interactions about one customer issue, across channels. `last_activity` is the newest
-- occur_time of its interactions: the clock of the attach window. A conversation follows its
-- customer through merges and splits (store/timeline.py follow_merge, follow_split).
CREATE TABLE conversation (
    id            text PRIMARY KEY,
    seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    customer_id   text NOT NULL REFERENCES customer (id),
    state         text NOT NULL DEFAULT 'OPEN' CHECK (state IN ('OPEN', 'CLOSED')),
    start_time    timestamptz NOT NULL,
    last_activity timestamptz NOT NULL,
    close_time    timestamptz,
    create_time   timestamptz NOT NULL DEFAULT now(),
    update_time   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_customer_idx ON conversation (customer_id, last_activity DESC);

-- One event on a customer's timeline. `record_pk` is the source record the contact was
-- attributed through (the `contact:` record a resolve of its identifiers made or found), NULL
-- when the channel named the customer directly; a split moves an interaction with its record.
CREATE TABLE interaction (
    id              text PRIMARY KEY,
    seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    customer_id     text NOT NULL REFERENCES customer (id),
    conversation_id text NOT NULL REFERENCES conversation (id),
    record_pk       bigint REFERENCES source_record (id) ON DELETE SET NULL,
    source          text NOT NULL,
    source_event_id text NOT NULL,
    decision        text NOT NULL,
    channel         text NOT NULL,
    direction       text NOT NULL,
    state           text NOT NULL,
    handler         text,
    occur_time      timestamptz NOT NULL,
    summary         text NOT NULL DEFAULT '',
    transcript      text NOT NULL DEFAULT '',
    outcome         text NOT NULL DEFAULT '',
    agent_id        text NOT NULL DEFAULT '',
    team_id         text NOT NULL DEFAULT '',
    store_id        text NOT NULL DEFAULT '',
    attributes      jsonb NOT NULL DEFAULT '{}'::jsonb,
    create_time     timestamptz NOT NULL DEFAULT now(),
    update_time     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, source_event_id)
);
-- Newest first per customer: ListInteractions pages and GetContext's recent interactions.
CREATE INDEX interaction_customer_time_idx
    ON interaction (customer_id, occur_time DESC, seq DESC);
-- Live contacts: the few OPEN or WAITING interactions of a customer.
CREATE INDEX interaction_active_idx
    ON interaction (customer_id, occur_time DESC)
    WHERE state IN ('OPEN', 'WAITING');
CREATE INDEX interaction_conversation_idx
    ON interaction (conversation_id, occur_time DESC, seq DESC);
CREATE INDEX interaction_record_idx ON interaction (record_pk) WHERE record_pk IS NOT NULL;
