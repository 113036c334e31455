-- Clienteling: the indexes behind SearchCustomers, preferences and consents, purchases.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The folded name of every source record that has one (matching/names.py: ASCII, lower case,
-- titles dropped, "Family, Given" parsed), maintained with the record (service/search.py).
-- `lexemes` holds, per name word, the word ("t_john"), its nickname variants ("n_robert" for
-- "bob") and its Metaphone code ("p_jn"): a tsquery that asks for every word of a query by any
-- of these is index-served and tolerates nicknames, sound-alikes and a typo after the third
-- letter. `name` (trigram-indexed) is the fallback for the remaining typos. The customer is read through
-- source_record, so merges, splits and erasure need no upkeep here.
CREATE TABLE search_name (
    record_pk bigint PRIMARY KEY REFERENCES source_record (id) ON DELETE CASCADE,
    given     text NOT NULL,
    family    text NOT NULL,
    name      text GENERATED ALWAYS AS (btrim(given || ' ' || family)) STORED,
    lexemes   tsvector NOT NULL
);
-- fastupdate off: a search reads these at once, and a pending list of unsorted entries (what a
-- GIN index collects between vacuums) would be read in full by every search.
CREATE INDEX search_name_trgm_idx ON search_name USING gin (name gin_trgm_ops)
    WITH (fastupdate = off);
CREATE INDEX search_name_lexemes_idx ON search_name USING gin (lexemes)
    WITH (fastupdate = off);

-- Phone numbers by their last digits: a range scan on the reversed E.164 value ("C" collation,
-- so the range works for any digits and with generic plans).
CREATE INDEX record_identifier_phone_suffix_idx
    ON record_identifier ((reverse(value) COLLATE "C"))
    WHERE kind = 'PHONE';
-- Emails by their mailbox name at any domain (a typo in the domain), and near ones (typos in the
-- name): trigrams of the mailbox name.
CREATE INDEX record_identifier_email_local_idx
    ON record_identifier ((split_part(value, '@', 1)))
    WHERE kind = 'EMAIL';
-- Trigrams of the mailbox name. Not of the whole address: the few common
-- domains ("gmail.com") would make every address look like every other.
CREATE INDEX record_identifier_email_local_trgm_idx
    ON record_identifier USING gin ((split_part(value, '@', 1)) gin_trgm_ops)
    WITH (fastupdate = off)
    WHERE kind = 'EMAIL';

-- Records stored before this migration have no search_name row yet; the server fills them in
-- at start-up (service/search.py SearchIndex.backfill) and clears the flag.
CREATE TABLE search_backfill (pending boolean NOT NULL);
INSERT INTO search_backfill (pending) SELECT EXISTS (SELECT 1 FROM source_record);

-- What a customer stated about being contacted. Rows of a merged-away customer stay under its
-- id and are read together with the survivor's (newest statement wins); a split leaves them
-- with the customer that keeps its name.
CREATE TABLE customer_preference (
    customer_id              text PRIMARY KEY REFERENCES customer (id) ON DELETE CASCADE,
    preferred_channel        text,
    preferred_channel_time   timestamptz,
    preferred_channel_source text NOT NULL DEFAULT '',
    update_time              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customer_consent (
    customer_id text NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    channel     text NOT NULL,
    level       text NOT NULL CHECK (level IN ('MARKETING', 'SERVICE', 'DO_NOT_CONTACT')),
    given_time  timestamptz NOT NULL,
    source      text NOT NULL,
    update_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, channel)
);

-- UpdatePreferences request ids (AIP-155): a replay answers with the stored response.
CREATE TABLE preference_request (
    request_id   text PRIMARY KEY,
    customer_id  text NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    request_hash text NOT NULL,
    response     jsonb NOT NULL,
    create_time  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX preference_request_customer_idx ON preference_request (customer_id);

-- The profile card's recent purchases: interactions whose outcome is PURCHASE, on any channel.
CREATE INDEX interaction_purchase_idx
    ON interaction (customer_id, occur_time DESC, seq DESC)
    WHERE outcome = 'PURCHASE';
