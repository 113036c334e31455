-- Households: people who share a line or a mailbox, linked without being merged.

-- A household: customers that share a generic identifier (a landline, a family mailbox) and an
-- address or a family name. Each member keeps their own profile and timeline.
CREATE TABLE household (
    id          text PRIMARY KEY,
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now()
);

-- Who belongs to a household. MEMBER: a person (found through a shared identifier, or added by
-- a steward: origin). CONTACT: a nameless customer holding only household identifiers (an IVR
-- call from the landline), whose interactions are the household's until re-attributed to a
-- member. A customer is in at most one household; rows follow merges (store/households.py).
CREATE TABLE household_member (
    household_id text NOT NULL REFERENCES household (id) ON DELETE CASCADE,
    customer_id  text NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    role         text NOT NULL CHECK (role IN ('MEMBER', 'CONTACT')),
    origin       text NOT NULL CHECK (origin IN ('SHARED_IDENTIFIER', 'STEWARD')),
    evidence     jsonb NOT NULL DEFAULT '[]',
    create_time  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (household_id, customer_id)
);
CREATE UNIQUE INDEX household_member_customer_idx ON household_member (customer_id);

-- The generic identifiers the household's members share.
CREATE TABLE household_identifier (
    household_id text NOT NULL REFERENCES household (id) ON DELETE CASCADE,
    kind         text NOT NULL,
    namespace    text NOT NULL,
    value        text NOT NULL,
    PRIMARY KEY (household_id, kind, namespace, value)
);
CREATE UNIQUE INDEX household_identifier_value_idx
    ON household_identifier (value, kind, namespace);

-- A steward removed this customer from the household: shared identifiers never add them back.
CREATE TABLE household_exclusion (
    household_id text NOT NULL REFERENCES household (id) ON DELETE CASCADE,
    customer_id  text NOT NULL,
    create_time  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (household_id, customer_id)
);
