#!/usr/bin/env python3
"""
sql_bench.py - the analytics views at scale: 10 million mentions over a
year and 1,000 watches, generated in SQL (generate_series) in a private
PostgreSQL cluster, then each view's one-month question for one watch run
under EXPLAIN (ANALYZE, BUFFERS).

Volumes are skewed as in life: the busiest watch carries about a tenth of
all mentions, most watches a few thousand a year. Each item mentions two
watches. Each question is asked for the busiest watch and for a median
one, three times: the first run reads from disk or the OS cache, the
others from shared buffers. Timings are printed; the plans are written to
--plans, each run of months that held nothing for the question folded
into one line. Last, what partitioning by month costs the
daemon (its identity check looks in every partition) and saves at
retention time (a month dropped, not deleted).

    python3 bench/sql_bench.py [--vigie build/vigie] [--mentions 10000000]
        [--plans /tmp/sql_plans.txt]
"""

import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests"))
from harness import Postgres, vigie, write_config  # noqa: E402

SETTINGS = """
ALTER SYSTEM SET shared_buffers = '2GB';
ALTER SYSTEM SET work_mem = '64MB';
ALTER SYSTEM SET maintenance_work_mem = '1GB';
ALTER SYSTEM SET max_wal_size = '8GB';
ALTER SYSTEM SET effective_cache_size = '8GB';
ALTER SYSTEM SET random_page_cost = 1.1;
"""

WORDS_FR = ("livraison retard service client arnaque produit qualité prix "
            "remboursement commande panne magasin conseil excellent déçu")
WORDS_EN = ("delivery late customer service scam product quality price "
            "refund order outage store advice excellent disappointed")

# 2,000 sources, and 1,000 watches named w0001 to w1000: w0001 is the
# busiest, ten watches share each tag (bench/index_bench.py's too).
SOURCES_WATCHES = """
INSERT INTO sources (name, url, lang, interval_s, family, last_fetch_at,
                     last_success_at, failures)
SELECT 'src' || g, 'http://s' || g || '.example/rss',
       CASE WHEN g % 3 = 0 THEN 'en' ELSE 'fr' END, 600,
       's' || (g % 1500) || '.example', now(), now(),
       CASE WHEN g % 50 = 0 THEN 3 ELSE 0 END
  FROM generate_series(1, 2000) g;

INSERT INTO watches (name, query, tags, compare_group)
SELECT 'w' || lpad(g::text, 4, '0'), 'q' || g,
       ARRAY['group' || ((g - 1) / 10)], 'group' || ((g - 1) / 10)
  FROM generate_series(1, 1000) g;
"""

# An item's generated columns, from the gen table's row (n, source_id,
# t, r): its identity, link, four words of title in its source's
# language, author, language, dates, tone. index_bench.py adds to them.
ITEM_COLUMNS = """SELECT source_id, 'id' || n, 'http://x.example/' || n,
       (SELECT string_agg(w, ' ') FROM (
           SELECT (string_to_array(CASE WHEN source_id % 3 = 0
                       THEN '@EN@' ELSE '@FR@' END, ' '))
                  [1 + (abs(hashint4(n * 7 + k)) % 15)] AS w
             FROM generate_series(1, 4) k) x),
       'author' || floor(50000 * r ^ 2)::int,
       CASE WHEN source_id % 3 = 0 THEN 'en' ELSE 'fr' END,
       t, t + interval '10 minutes',
       (r * 2 - 1)::real,
       CASE WHEN r < 0.25 THEN 'negative' WHEN r < 0.75 THEN 'neutral'
            ELSE 'positive' END"""

# The year generated: 2025.
GENERATE = """
SELECT create_partitions('2025-01-01Z', '2026-01-01Z');
""" + SOURCES_WATCHES + """
CREATE TEMP TABLE gen AS
SELECT g AS n,
       1 + (random() * 1999)::int AS source_id,
       timestamptz '2025-01-01 00:00Z' + random() * interval '365 days' AS t,
       least(1000, 1 + floor(1000 * random() ^ 3))::int AS w1,
       random() AS r
  FROM generate_series(1, @ITEMS@) g;

INSERT INTO items (source_id, identity, link, title, author, lang,
                   published_at, first_seen_at, sentiment, label)
""" + ITEM_COLUMNS + """
  FROM gen;

INSERT INTO mentions (item_id, watch_id, source_id, terms, lang, sentiment,
                      label, published_at, first_seen_at)
SELECT i.id, x.w, i.source_id, '{q}', i.lang, i.sentiment, i.label,
       i.published_at, i.first_seen_at
  FROM items i JOIN gen g ON 'id' || g.n = i.identity
 CROSS JOIN LATERAL (VALUES (g.w1),
       (1 + (g.w1 + (abs(hashint4(g.n)) % 999)) % 1000)) x(w);

UPDATE mentions SET label_override = 'neutral'
 WHERE item_id % 500 = 0;
UPDATE mentions SET dismissed = true WHERE item_id % 997 = 0;

INSERT INTO incidents (kind, watch_id, state, severity, opened_at, resolved_at,
                       peak_count)
SELECT 'spike', 1 + g % 1000, 'resolved', 'warning',
       timestamptz '2025-01-01Z' + g * interval '1 hour',
       timestamptz '2025-01-01Z' + g * interval '1 hour' + interval '3 hours', 10
  FROM generate_series(1, 5000) g;
INSERT INTO incident_events (event_id, incident_id, state, at, window_count)
SELECT gen_random_uuid(), n.id, s, n.opened_at + k * interval '1 hour', 10
  FROM incidents n, (VALUES (0, 'firing'), (3, 'resolved')) e(k, s);
INSERT INTO fetches (attempt, source_id, started_at, duration_ms, outcome)
SELECT gen_random_uuid(), 1 + g % 2000, now() - (g % 1440) * interval '1 minute',
       50, CASE WHEN g % 40 = 0 THEN 'failed' ELSE 'ok' END
  FROM generate_series(1, 288000) g;
"""

# Each question: what a community manager asks of one watch for June 2025.
QUESTIONS = {
    "mention_volume: daily tone": """
        SELECT day, sum(mentions), sum(negative), sum(positive)
          FROM analytics.mention_volume
         WHERE watch = %(w)s AND day >= '2025-06-01' AND day < '2025-07-01'
         GROUP BY day ORDER BY day""",
    "mention_volume: this week against last": """
        SELECT sum(negative) FILTER (WHERE day >= '2025-06-23'),
               sum(negative) FILTER (WHERE day < '2025-06-23')
          FROM analytics.mention_volume
         WHERE watch = %(w)s AND day >= '2025-06-16' AND day < '2025-06-30'""",
    "share_of_voice: the month": """
        SELECT watch, sum(mentions),
               round(sum(mentions) / sum(sum(mentions)) OVER (), 3)
          FROM analytics.share_of_voice
         WHERE compare_group = (SELECT compare_group FROM watches
                                 WHERE name = %(w)s)
           AND day >= '2025-06-01' AND day < '2025-07-01'
         GROUP BY watch ORDER BY 2 DESC""",
    "source_volume: top detractor sites": """
        SELECT site, sum(negative), sum(mentions)
          FROM analytics.source_volume
         WHERE watch = %(w)s AND day >= '2025-06-01' AND day < '2025-07-01'
         GROUP BY site ORDER BY 2 DESC LIMIT 10""",
    "author_volume: top detractors": """
        SELECT author, site, sum(negative)
          FROM analytics.author_volume
         WHERE watch = %(w)s AND day >= '2025-06-01' AND day < '2025-07-01'
         GROUP BY author, site ORDER BY 3 DESC LIMIT 10""",
    "negative_mentions: the latest": """
        SELECT at, source, title, link
          FROM analytics.negative_mentions
         WHERE watch = %(w)s AND day >= '2025-06-01' AND day < '2025-07-01'
         ORDER BY at DESC LIMIT 20""",
    "incidents: of the watch": """
        SELECT incident_id, opened_at, duration, timeline
          FROM analytics.incidents
         WHERE watch = %(w)s AND opened_at >= '2025-06-01'
           AND opened_at < '2025-07-01'""",
    "source_health: failing or silent (all sources)": """
        SELECT source, status, silent_for FROM analytics.source_health
         WHERE status <> 'ok'""",
    "full text: a word in the month's French items": """
        SELECT count(*) FROM items
         WHERE search @@ websearch_to_tsquery('french', 'remboursements')
           AND first_seen_at >= '2025-06-01' AND first_seen_at < '2025-07-01'""",
}


def psql(pg, sql):
    """The generation takes longer than the tests' query() allows."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    "-d", pg.conninfo, "-c", sql], env=env, check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   timeout=3600)


def explain(pg, sql, settings=""):
    rows = pg.query(settings + "EXPLAIN (ANALYZE, BUFFERS) " + sql)
    plan = "\n".join(r[0] for r in rows)
    ms = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
    return ms, plan


def brief(plan):
    """The plan with each run of sibling partition scans that found
    nothing or were never run (the months a question does not touch)
    folded into one line."""
    lines = plan.splitlines()
    out, i = [], 0

    def depth(line):
        return len(line) - len(line.lstrip())

    def empty_scan(line):
        return (" rows=0 loops=" in line or "(never executed)" in line) \
            and re.search(r"Scan.* on (items|mentions|fetches)_\d{4}_\d{2} ",
                          line)

    while i < len(lines):
        if not empty_scan(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        level, folded = depth(lines[i]), 0
        while i < len(lines) and empty_scan(lines[i]) \
                and depth(lines[i]) == level:
            folded += 1
            i += 1
            while i < len(lines) and depth(lines[i]) > level:
                i += 1
        out.append(" " * level + f"->  ({folded} other month"
                   f"{'s' if folded > 1 else ''}: nothing found, or pruned"
                   " while running)")
    return "\n".join(out)


def generate(pg, conf, mentions, around=("", "")):
    """The cluster's settings, the schema (vigie migrate with a
    configuration written at conf) and the generated year, analysed;
    around: SQL run before the generation and after it, on its connection."""
    for stmt in SETTINGS.strip().splitlines():
        pg.query(stmt, dbname="postgres")
    pg.restart()
    write_config(conf, pg.conninfo, {})
    p = vigie("migrate", "-c", conf)
    if p.returncode:
        sys.exit("migrate failed:\n" + p.stderr)

    t0 = time.monotonic()
    sql = around[0] + (GENERATE.replace("@ITEMS@", str(mentions // 2))
                       .replace("@EN@", WORDS_EN)
                       .replace("@FR@", WORDS_FR)) + around[1]
    psql(pg, sql)
    load = time.monotonic() - t0
    psql(pg, "VACUUM ANALYZE")
    n = int(pg.scalar("SELECT count(*) FROM mentions"))
    size = pg.scalar("SELECT pg_size_pretty(pg_database_size('vigie'))")
    print(f"generated {n} mentions in {load:.0f} s (database {size})",
          flush=True)


def pick_watches(pg):
    """The busiest watch and a median one, by mentions in the year."""
    busy = pg.query("SELECT w.name, count(*) FROM mentions m JOIN watches w"
                    " ON w.id = m.watch_id GROUP BY 1 ORDER BY 2 DESC")
    picks = {"busiest": busy[0][0], "median": busy[len(busy) // 2][0]}
    for k, w in picks.items():
        count = dict((r[0], r[1]) for r in busy)[w]
        print(f"{k} watch: {w}, {count} mentions in the year", flush=True)
    return picks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigie", default="build/vigie")
    ap.add_argument("--mentions", type=int, default=10_000_000)
    ap.add_argument("--plans", default="/tmp/sql_plans.txt")
    args = ap.parse_args()
    os.environ["VIGIE"] = os.path.abspath(args.vigie)

    tmp = tempfile.TemporaryDirectory(prefix="vigie-sql-bench-")
    with tmp, Postgres() as pg:
        generate(pg, f"{tmp.name}/vigie.conf", args.mentions)
        picks = pick_watches(pg)

        with open(args.plans, "w") as out:
            print(f"{'question':50} {'watch':8} {'1st ms':>8} {'best ms':>8}"
                  f" {'no JIT':>8}")
            for name, q in QUESTIONS.items():
                # Questions not about one watch are asked once.
                targets = picks if "%(w)s" in q else {"-": ""}
                for k, w in targets.items():
                    sql = q % {"w": "'" + w + "'"}
                    runs = [explain(pg, sql) for _ in range(3)]
                    best = min(ms for ms, _ in runs)
                    # PostgreSQL compiles a plan it deems costly (JIT);
                    # for questions this short that costs more than it
                    # saves.
                    nojit = min(explain(pg, sql, "SET jit = off; ")[0]
                                for _ in range(3))
                    print(f"{name:50} {k:8} {runs[0][0]:8.1f} {best:8.1f}"
                          f" {nojit:8.1f}", flush=True)
                    out.write(f"-- {name} ({k} watch {w})\n{sql.strip()}\n"
                              f"{brief(runs[-1][1])}\n\n")
        print(f"plans written to {args.plans}")
        storage(pg)


# What partitioning costs the daemon and what it saves at retention time,
# each against its baseline in the same database.
# The daemon's identity check (daemon/service/db/sql/save_fetch.sql: the
# last month's partitions first, then the older ones) for 2,000 identities
# of items first seen this month (most of what a feed repeats), in the
# oldest month, and never; the baseline is the same index probe in one
# partition.
KNOWN = """EXISTS (SELECT FROM items o WHERE o.source_id = {s}
                    AND o.identity = {i}
                    AND o.first_seen_at >= now() - interval '1 month')
        OR EXISTS (SELECT FROM items o WHERE o.source_id = {s}
                    AND o.identity = {i}
                    AND o.first_seen_at < now() - interval '1 month')"""
IDENTITY_PROBE = ("SELECT count(*) FILTER (WHERE "
                  + KNOWN.format(s="x.source_id", i="x.identity")
                  + ") FROM (SELECT source_id, identity FROM items"
                  " WHERE {} ORDER BY id LIMIT 2000) x")
NEW_PROBE = ("SELECT count(*) FILTER (WHERE "
             + KNOWN.format(s="1 + g % 2000", i="'new' || g")
             + ") FROM generate_series(1, 2000) g")
ONE_PARTITION = """
    SELECT count(*) FILTER (WHERE EXISTS (
             SELECT FROM items_2025_06 o WHERE o.source_id = 1 + g % 2000
                AND o.identity = 'new' || g))
      FROM generate_series(1, 2000) g"""


def storage(pg):
    def best(sql):
        return min(explain(pg, sql)[0] for _ in range(3))

    # Items of this month, as the daemon would have stored them lately.
    psql(pg, "INSERT INTO items (source_id, identity) SELECT 1 + g % 2000,"
             " 'recent' || g FROM generate_series(1, 2000) g; ANALYZE items")
    parts = pg.scalar("SELECT count(*) FROM pg_inherits"
                      " WHERE inhparent = 'items'::regclass")
    one = best(ONE_PARTITION)
    print(f"identity check of 2,000 items over {parts} partitions"
          f" (baseline: one probe each in one partition, {one:.1f} ms):")
    for what, sql in (("first seen this month", IDENTITY_PROBE.format(
                       "first_seen_at > now() - interval '1 day'")),
                      ("first seen in the oldest month",
                       IDENTITY_PROBE.format("first_seen_at < '2025-02-01Z'")),
                      ("new", NEW_PROBE)):
        ms = best(sql)
        print(f"  {what:32} {ms:7.1f} ms ({ms / one:.1f}x)", flush=True)

    # Retention: January dropped against February deleted row by row and
    # vacuumed (which the deletion needs before its space is reused),
    # months of about the same size.
    t0 = time.monotonic()
    psql(pg, "SELECT drop_partitions('2025-02-01Z')")
    drop = time.monotonic() - t0
    t0 = time.monotonic()
    psql(pg, "DELETE FROM mentions WHERE first_seen_at < '2025-03-01Z';"
             " DELETE FROM items WHERE first_seen_at < '2025-03-01Z';"
             " DELETE FROM fetches WHERE started_at < '2025-03-01Z'")
    psql(pg, "VACUUM mentions, items, fetches")
    delete = time.monotonic() - t0
    print(f"retention of one month: dropped in {drop * 1000:.0f} ms,"
          f" deleted and vacuumed in {delete * 1000:.0f} ms"
          f" ({delete / drop:.0f}x)")

if __name__ == "__main__":
    main()
