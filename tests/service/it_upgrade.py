"""
it_upgrade.py - a database made by an earlier vigie (schema version 6,
items and mentions in plain tables) is brought to the partitioned schema
and on to emotions and rumours (008) by `vigie migrate` with nothing
lost: rows, ids, what the views answer, the rights of each role, and the
identity of items already stored. And a database at version 29, whose
alert's items were counted under their source alone, has them counted by
publisher after 030.
"""

import tempfile

from harness import (REPO_DIR, FixtureServer, Postgres, run_test, vigie,
                     write_config)

# Three months of history on one source, two watches, corrections and a
# story across two sources; fetches and an incident.
HISTORY = """
INSERT INTO sources (name, url, interval_s, family)
VALUES ('forum', '@URL@', 60, 'forum.example'),
       ('news', 'http://news.example/rss', 60, 'news.example');
INSERT INTO watches (name, query, tags)
VALUES ('Acme', 'acme', '{market}'), ('Globex', 'globex', '{market}');
INSERT INTO items (source_id, identity, link, title, author, lang,
                   published_at, first_seen_at, sentiment, label)
SELECT 1 + (g % 2), 'old-' || g, 'http://forum.example/' || g,
       'Acme post ' || g, 'author' || (g % 5), 'fr',
       now() - g * interval '3 days', now() - g * interval '3 days',
       CASE WHEN g % 3 = 0 THEN -0.6 ELSE 0.4 END,
       CASE WHEN g % 3 = 0 THEN 'negative' ELSE 'positive' END
  FROM generate_series(1, 30) g;
UPDATE items SET story_id = (SELECT id FROM items WHERE identity = 'old-2')
 WHERE identity IN ('old-3', 'old-5');
INSERT INTO mentions (item_id, watch_id, source_id, terms, lang, sentiment,
                      label, published_at, first_seen_at)
SELECT i.id, w.id, i.source_id, '{acme}', i.lang, i.sentiment, i.label,
       i.published_at, i.first_seen_at
  FROM items i CROSS JOIN watches w
 WHERE w.name = 'Acme' OR i.identity LIKE '%7';
UPDATE mentions SET dismissed = true
 WHERE item_id = (SELECT id FROM items WHERE identity = 'old-4');
UPDATE mentions SET label_override = 'negative'
 WHERE item_id = (SELECT id FROM items WHERE identity = 'old-1');
INSERT INTO fetches (attempt, source_id, started_at, duration_ms, outcome)
SELECT gen_random_uuid(), 1, now() - g * interval '5 days', 10, 'ok'
  FROM generate_series(1, 12) g;
"""

# What analysts see, before and after.
ANSWERS = {
    "mention_volume": "SELECT watch, day, lang, mentions, negative, neutral,"
                      " positive FROM analytics.mention_volume ORDER BY 1, 2, 3",
    "author_volume": "SELECT watch, day, author, mentions, negative"
                     " FROM analytics.author_volume ORDER BY 1, 2, 3",
    "negative_mentions": "SELECT watch, item_id, title, corrected"
                         " FROM analytics.negative_mentions ORDER BY 1, 2",
    "stories": "SELECT story_id, title, items, sources FROM stories"
               " WHERE items > 1 ORDER BY 1",
    "source_health": "SELECT source, fetches_24h, last_item_at IS NOT NULL"
                     " FROM analytics.source_health ORDER BY 1",
    "items": "SELECT id, source_id, identity, first_seen_at, story_id"
             " FROM items ORDER BY id",
    "mentions": "SELECT item_id, watch_id, label, label_override, dismissed"
                " FROM mentions ORDER BY 1, 2",
    "fetches": "SELECT id, attempt, started_at FROM fetches ORDER BY id",
}

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Forum</title>
<item><title>Acme post 2</title><guid>old-2</guid></item>
<item><title>Acme post 30</title><guid>old-30</guid></item>
<item><title>A new Acme post</title><guid>new-1</guid></item>
</channel></rss>
"""


def schema_upto(pg, last):
    """The schema as the vigie of version last left it, applied as
    `vigie migrate` did."""
    pg.query("CREATE TABLE schema_migrations (version integer PRIMARY KEY,"
             " name text NOT NULL,"
             " applied_at timestamptz NOT NULL DEFAULT now())")
    for path in sorted((REPO_DIR / "schema").glob("[0-9][0-9][0-9]_*.sql")):
        if int(path.name[:3]) > last:
            break
        pg.query("BEGIN;\n" + path.read_text() + "\nCOMMIT;")
        pg.query("INSERT INTO schema_migrations (version, name) VALUES"
                 f" ({int(path.name[:3])}, '{path.name}')")


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-upgrade-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        srv.set_feed("forum.xml", RSS)
        conf = write_config(f"{tmp.name}/vigie.conf", pg.conninfo, {
            "forum": srv.url("/dynamic/forum.xml"),
        })
        schema_upto(pg, 6)
        pg.query(HISTORY.replace("@URL@", srv.url("/dynamic/forum.xml")))
        before = {k: pg.query(q) for k, q in ANSWERS.items()}
        t.ok(len(before["items"]) == 30 and len(before["stories"]) == 1,
             "the history is in place")

        p = vigie("migrate", "-c", conf)
        t.exited(p, "migrate from version 6")
        t.ok("applied 007_partitions.sql" in p.stdout and
             "applied 008_judgement.sql" in p.stdout, p.stdout.strip())
        for k, q in ANSWERS.items():
            t.eq(pg.query(q), before[k], f"{k}: the same after the upgrade")
        t.eq(pg.scalar("SELECT string_agg(relname, ' ') FROM pg_class"
                       " WHERE relname ~ '_unpartitioned'"), None,
             "the old tables are gone")
        t.eq(pg.scalar("SELECT count(*) FROM pg_inherits"
                       " WHERE inhparent = 'items'::regclass"),
             pg.scalar("SELECT count(DISTINCT date_trunc('month',"
                       " first_seen_at AT TIME ZONE 'UTC')) + 1"
                       " FROM items"), "a partition per month, and the next")
        rights = pg.query(
            "SELECT has_table_privilege('vigie_analyst',"
            "  'analytics.negative_mentions', 'SELECT'),"
            " has_table_privilege('vigie_analyst', 'items', 'SELECT'),"
            " has_table_privilege('vigie_analyst', 'items', 'INSERT'),"
            " has_column_privilege('vigie_editor', 'mentions', 'dismissed',"
            "  'UPDATE'),"
            " has_column_privilege('vigie_editor', 'mentions', 'label',"
            "  'UPDATE'),"
            " has_table_privilege('vigie_daemon', 'items', 'INSERT'),"
            " has_sequence_privilege('vigie_daemon', 'items_id_seq', 'USAGE')")
        t.eq(rights, [["t", "t", "f", "t", "f", "t", "t"]],
             "each role keeps its rights on the new tables")
        t.eq(pg.scalar("SELECT obj_description("
                       "'analytics.negative_mentions'::regclass, 'pg_class')"
                       " IS NOT NULL"), "t", "view comments kept")
        # Stored before the scorer judged them: mentions without emotion
        # or rumour, items unjudged.
        t.eq(pg.query("SELECT DISTINCT emotions, rumour FROM mentions"),
             [["{}", "f"]], "old mentions: no emotion, no rumour")
        t.eq(pg.query("SELECT count(*) FROM items WHERE emotions IS NULL"
                      " AND rumour IS NULL"), [["30"]],
             "old items: not judged")
        t.eq(pg.scalar("SELECT count(*) FROM analytics.rumours"), "0",
             "analytics.rumours on the old history")
        t.eq(pg.scalar("SELECT has_table_privilege('vigie_analyst',"
                       " 'analytics.rumours', 'SELECT')"), "t",
             "an analyst reads analytics.rumours")
        # Authors (023) from the items already stored: five names on each
        # of the two sites, each seen from their first post to their last.
        t.eq(pg.query("SELECT platform, count(*) FROM authors"
                      " GROUP BY 1 ORDER BY 1"),
             [["forum.example", "5"], ["news.example", "5"]],
             "authors backfilled, one per name and site")
        t.eq(pg.scalar("SELECT count(*) FROM items i JOIN sources s"
                       " ON s.id = i.source_id LEFT JOIN authors a"
                       " ON a.id = i.author_id WHERE a.key IS DISTINCT"
                       " FROM i.author OR a.platform <> s.family"), "0",
             "every old item linked to its author")
        t.eq(pg.scalar("SELECT count(*) FROM authors a WHERE"
                       " (first_seen, last_seen) <> (SELECT min(first_seen_at),"
                       " max(first_seen_at) FROM items"
                       " WHERE author_id = a.id)"), "0",
             "first and last seen from their posts")

        # The daemon on the upgraded database: two items it knew, one new,
        # its id drawn after the largest old one.
        last = pg.scalar("SELECT max(id) FROM items")
        t.exited(vigie("run", "-c", conf, "--once"), "run --once after")
        t.eq(pg.query(f"SELECT identity FROM items WHERE id > {last}"),
             [["new-1"]], "only the new item stored, with a new id")
        t.eq(pg.scalar("SELECT items_new || '/' || items_seen FROM fetches"
                       " ORDER BY started_at DESC LIMIT 1"), "1/2",
             "the fetch saw two known items")
        t.exited(vigie("migrate", "-c", conf), "migrate again: nothing to do")

    relayed_counts(t)


# An alert's items at version 29: two papers' articles and one of the
# alert's own (no publisher), negative, positive and dismissed.
RELAYED = """
INSERT INTO sources (name, url, interval_s, family)
VALUES ('alert', 'http://alerts.example/feed', 60, 'google.com');
INSERT INTO watches (name, query) VALUES ('Acme', 'acme');
INSERT INTO items (source_id, identity, link, title, lang, published_at,
                   first_seen_at, sentiment, label, relayed_site)
VALUES (1, 'a', 'http://lemonde.fr/a', 'Acme a', 'fr', now(), now(), -0.5,
        'negative', 'lemonde.fr'),
       (1, 'b', 'http://lemonde.fr/b', 'Acme b', 'fr', now(), now(), 0.5,
        'positive', 'lemonde.fr'),
       (1, 'c', 'http://lefigaro.fr/c', 'Acme c', 'fr', now(), now(), -0.5,
        'negative', 'lefigaro.fr'),
       (1, 'd', 'http://lefigaro.fr/d', 'Acme d', 'fr', now(), now(), -0.5,
        'negative', 'lefigaro.fr'),
       (1, 'e', 'http://alerts.example/e', 'Acme e', 'fr', now(), now(), 0,
        'neutral', NULL);
INSERT INTO mentions (item_id, watch_id, source_id, terms, lang, sentiment,
                      label, published_at, first_seen_at)
SELECT id, 1, source_id, '{acme}', lang, sentiment, label, published_at,
       first_seen_at FROM items;
UPDATE mentions SET dismissed = true
 WHERE item_id = (SELECT id FROM items WHERE identity = 'd');
"""


def relayed_counts(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-upgrade-")
    with tmp, Postgres() as pg:
        conf = write_config(f"{tmp.name}/vigie.conf", pg.conninfo, {})
        schema_upto(pg, 29)
        pg.query(RELAYED)
        t.eq(pg.query("SELECT site, mentions, negative, positive"
                      " FROM analytics.source_volume"),
             [["google.com", "4", "2", "1"]],
             "version 29: the alert's mentions counted under its own site")
        p = vigie("migrate", "-c", conf)
        t.exited(p, "migrate from version 29")
        t.ok("applied 030_site_counts.sql" in p.stdout, p.stdout.strip())
        t.eq(pg.query("SELECT site, via, mentions, negative, positive"
                      " FROM analytics.source_volume ORDER BY via"),
             [["google.com", "lefigaro.fr", "1", "1", "0"],
              ["google.com", "lemonde.fr", "2", "1", "1"],
              ["google.com", None, "1", "0", "0"]],
             "counted again by publisher, the alert's own apart")
        # A mention written after the upgrade lands in its publisher's row.
        pg.query("UPDATE mentions SET dismissed = false WHERE item_id ="
                 " (SELECT id FROM items WHERE identity = 'd')")
        t.eq(pg.query("SELECT mentions, negative FROM analytics.source_volume"
                      " WHERE via = 'lefigaro.fr'"), [["2", "2"]],
             "the counts kept by publisher after the upgrade")


if __name__ == "__main__":
    run_test("it_upgrade", body)
