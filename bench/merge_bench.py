#!/usr/bin/env python3
"""
merge_bench.py - the indexer's merge alone (schema 031): the items of N
generated feeds (bench/feedgen.py, read by `vigie parse`) and their
mentions of two watches are loaded with COPY into staged_items and
staged_mentions of a freshly migrated database, as saves would leave
them; then `index_items(1000)` runs batch after batch on one connection,
each batch its own transaction, until nothing is left, and the bench
prints the seconds, the items per second, and what one batch of 1,000
spends on each step, timed apart on a copy of the first batch:

- the full-text vectors alone (`item_search_vector()`);
- the items' insert into `items`, without their vector, then with it;
- the mentions' insert into `mentions`, with the counts' trigger;
- the story look-up (`item_stories()`).

    python3 bench/merge_bench.py [--vigie build-bench/vigie] [--feeds 600]

It needs `postgresql-15` (Debian) and cleans up after itself.
"""

import argparse
import csv
import datetime
import io
import json
import os
import pathlib
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import poll_bench  # noqa: E402
from poll_bench import harness  # noqa: E402

WATCHES = ((1, "Marque", ("company", "brand", "customers")),
           (2, "Service", ("service", "outage", "refund", "delivery")))

# One batch's steps, apart, in a transaction rolled back.
STEPS = [
    ("vectors alone",
     "SELECT count(item_search_vector(coalesce(tone_lang, lang), title,"
     " summary, content)) FROM b"),
    ("items without their vector",
     "INSERT INTO items (id, source_id, identity, link, title, summary,"
     " content, lang, published_at, first_seen_at, simhash, band0, band1,"
     " band2, band3, url_norm, sentiment, label) OVERRIDING SYSTEM VALUE"
     " SELECT id, source_id, identity, link, title, summary, content, lang,"
     " published_at, first_seen_at, simhash, band0, band1, band2, band3,"
     " url_norm, sentiment, label FROM b"),
    ("mentions, counted",
     "INSERT INTO mentions SELECT m.* FROM staged_mentions m"
     " JOIN b ON b.id = m.item_id"),
    ("stories",
     "SELECT count(*) FROM item_stories(ARRAY(SELECT id FROM b ORDER BY id),"
     " ARRAY(SELECT first_seen_at FROM b ORDER BY id))"),
    ("items with their vector (the next 1,000)",
     "INSERT INTO items (id, source_id, identity, link, title, summary,"
     " content, lang, published_at, first_seen_at, simhash, band0, band1,"
     " band2, band3, url_norm, sentiment, label, search)"
     " OVERRIDING SYSTEM VALUE"
     " SELECT id, source_id, identity, link, title, summary, content, lang,"
     " published_at, first_seen_at, simhash, band0, band1, band2, band3,"
     " url_norm, sentiment, label, item_search_vector(coalesce(tone_lang,"
     " lang), title, summary, content) FROM b2"),
]


def psql(pg, sql, stdin=None):
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        "-d", pg.conninfo, "-c", sql], input=stdin,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"psql: {p.stderr}")
    return p.stdout


def staged_rows(vigie, files):
    """The items `vigie parse` reads in files, as staged_items and
    staged_mentions rows (CSV); the mentions are the items whose text
    names a watch's word, as the two watches of poll_bench match."""
    out = subprocess.run([vigie, "parse"] + [str(f) for f in files],
                         capture_output=True, text=True, check=True).stdout
    source = {str(f): i + 1 for i, f in enumerate(files)}
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    rng = random.Random(1)
    items, mentions = io.StringIO(), io.StringIO()
    iw, mw = csv.writer(items), csv.writer(mentions)
    for n, line in enumerate(out.splitlines(), 1):
        it = json.loads(line)
        h = rng.getrandbits(63)
        src = source[it["file"]]
        iw.writerow([n, src, it["id"] or it["link"], it["link"], it["title"],
                     it.get("summary"), it.get("content"), "en",
                     it["published"], now, h, (h >> 48) & 65535,
                     (h >> 32) & 65535, (h >> 16) & 65535, h & 65535,
                     it["link"], 0.1, "neutral"])
        text = ((it["title"] or "") + " " + (it.get("content") or
                                             it.get("summary") or "")).lower()
        for wid, _, words in WATCHES:
            if any(w in text for w in words):
                mw.writerow([n, wid, src, "{%s}" % words[0], "en", -0.2,
                             "negative", it["published"], now])
    return n, items.getvalue(), mentions.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vigie", default=str(poll_bench.REPO_DIR /
                                           "build-bench" / "vigie"))
    ap.add_argument("--feeds", type=int, default=600)
    args = ap.parse_args()
    args.vigie = str(pathlib.Path(args.vigie).resolve())
    os.environ["VIGIE"] = args.vigie
    with tempfile.TemporaryDirectory(prefix="vigie-merge-bench-") as tmp:
        subprocess.run([sys.executable, str(poll_bench.REPO_DIR / "bench" /
                                            "feedgen.py"),
                        tmp, str(args.feeds)], check=True,
                       stdout=subprocess.DEVNULL)
        files = sorted(pathlib.Path(tmp).glob("feed-*.xml"))
        n, items, mentions = staged_rows(args.vigie, files)
        with harness.Postgres() as pg:
            conf = harness.write_config(f"{tmp}/vigie.conf", pg.conninfo, {})
            if harness.vigie("migrate", "-c", conf).returncode != 0:
                raise SystemExit("vigie migrate failed")
            psql(pg, "INSERT INTO sources (name, url, interval_s, family)"
                 " SELECT 'f' || g, 'http://x.example/' || g, 600,"
                 f" 'site' || g || '.example' FROM generate_series(1,"
                 f" {len(files)}) g")
            psql(pg, "INSERT INTO watches (id, name, query, in_config)"
                 " OVERRIDING SYSTEM VALUE VALUES "
                 + ", ".join(f"({w}, '{name}', '{words[0]}', true)"
                             for w, name, words in WATCHES))
            psql(pg, "COPY staged_items (id, source_id, identity, link,"
                 " title, summary, content, lang, published_at,"
                 " first_seen_at, simhash, band0, band1, band2, band3,"
                 " url_norm, sentiment, label) FROM STDIN (FORMAT csv)",
                 items)
            psql(pg, "COPY staged_mentions (item_id, watch_id, source_id,"
                 " terms, lang, sentiment, label, published_at,"
                 " first_seen_at) FROM STDIN (FORMAT csv)", mentions)
            psql(pg, f"SELECT setval(pg_get_serial_sequence('items', 'id'),"
                 f" {n + 1})")
            psql(pg, "VACUUM ANALYZE")
            staged_m = pg.scalar("SELECT count(*) FROM staged_mentions")
            print(f"{n} items and {staged_m} mentions staged from"
                  f" {len(files)} feeds")
            for name, sql in STEPS:
                script = ("BEGIN;\nCREATE TEMP TABLE b AS SELECT * FROM"
                          " staged_items ORDER BY id LIMIT 1000;\n"
                          "CREATE TEMP TABLE b2 AS SELECT * FROM"
                          " staged_items ORDER BY id OFFSET 1000"
                          " LIMIT 1000;\n\\timing on\n" + sql +
                          ";\n\\timing off\nROLLBACK;\n")
                p = subprocess.run(["psql", "-X", "-q", "-v",
                                    "ON_ERROR_STOP=1", "-d", pg.conninfo],
                                   input=script, capture_output=True,
                                   text=True)
                ms = [line.split()[1] for line in p.stdout.splitlines()
                      if line.startswith("Time: ")]
                print(f"  one batch of 1,000: {name}: "
                      f"{ms[-1] if ms else p.stderr.strip()} ms")
            t0 = time.monotonic()
            psql(pg, "DO $$ BEGIN WHILE (SELECT indexed FROM"
                 " index_items(1000)) > 0 OR EXISTS (SELECT FROM"
                 " story_pending) LOOP COMMIT; END LOOP; END $$")
            secs = time.monotonic() - t0
            merged = pg.scalar("SELECT count(*) FROM items"
                               " WHERE search IS NOT NULL")
            print(f"merged {merged} items in {secs:.2f} s on one"
                  f" connection: {int(merged) / secs:,.0f} items/s")


if __name__ == "__main__":
    main()
