-- 002_mentions: watches, and the mentions of them found in items.

CREATE TABLE watches (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    query           text NOT NULL,
    lang            text[],          -- NULL: every language
    tags            text[] NOT NULL DEFAULT '{}',
    in_config       boolean NOT NULL DEFAULT true,
    -- set when the watch is new or its query or languages changed: the
    -- daemon matches recent history again, then clears it
    backfill_needed boolean NOT NULL DEFAULT true,
    query_changed_at timestamptz NOT NULL DEFAULT now(),
    backfilled_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE watches IS 'One row per configured watch (brand, product, person, competitor).';
COMMENT ON COLUMN watches.tags IS 'Free labels; share-of-voice queries group watches by tag.';

-- The tone of an item is a property of its text, the same for every watch
-- it mentions: it is kept on the item and copied on each mention so that
-- mentions can be aggregated without a join.
ALTER TABLE items
    ADD COLUMN sentiment real,
    ADD COLUMN label     text CHECK (label IN ('negative', 'neutral', 'positive')),
    ADD COLUMN abusive   boolean,
    ADD COLUMN tone_lang text;

CREATE TABLE mentions (
    item_id       bigint NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    watch_id      bigint NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    source_id     bigint NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    terms         text[] NOT NULL,
    lang          text,
    sentiment     real NOT NULL CHECK (sentiment BETWEEN -1 AND 1),
    label         text NOT NULL CHECK (label IN ('negative', 'neutral', 'positive')),
    abusive       boolean NOT NULL DEFAULT false,
    published_at  timestamptz,
    first_seen_at timestamptz NOT NULL,
    matched_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (item_id, watch_id)
);

CREATE INDEX mentions_watch_time
    ON mentions (watch_id, (coalesce(published_at, first_seen_at)));
CREATE INDEX mentions_negative
    ON mentions (watch_id, first_seen_at) WHERE label = 'negative';

COMMENT ON TABLE mentions IS 'An item that matches a watch: one row per (item, watch).';
COMMENT ON COLUMN mentions.terms IS 'The query terms that matched, as written in the query.';
COMMENT ON COLUMN mentions.sentiment IS 'Compound tone, -1 (very negative) to 1 (very positive).';
COMMENT ON COLUMN mentions.label IS 'negative, neutral or positive (neutral band ±0.05 by default).';
COMMENT ON COLUMN mentions.abusive IS 'Insults, slurs or threats: for moderation.';
