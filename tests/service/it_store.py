"""
it_store.py - the schema and the storage contract: migrations applied once,
a daemon that will not run against an old schema or without a database,
and items stored once however often they are fetched.
"""

import os
import pathlib
import tempfile

from harness import (REPO_DIR, FixtureServer, Postgres, run_test, vigie,
                     write_config)

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Acme watch</title>
<link>https://watch.example/</link>
<item><title>{title}</title><guid>acme-watch-1</guid>
<link>https://watch.example/1</link>
<description>First mention of the Acme jet pack.</description></item>
</channel></rss>
"""


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-store-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        conf = f"{tmp.name}/vigie.conf"
        srv.set_feed("republished.xml", RSS.format(title="Acme jet pack"))
        write_config(conf, pg.conninfo, {
            "noetag": srv.url("/noetag/rss.xml"),
            "noguid": srv.url("/noetag/noguid.xml"),
            "republished": srv.url("/dynamic/republished.xml"),
        })

        p = vigie("run", "-c", conf, "--once")
        t.exited(p, "run --once before any migration", want=1)
        t.ok("vigie migrate" in p.stderr,
             f"refusal names `vigie migrate`: {p.stderr.strip()!r}")
        p = vigie("run", "-c", conf, timeout=30)
        t.exited(p, "run (no --once) before any migration", want=1)
        t.ok("vigie migrate" in p.stderr,
             f"refusal names `vigie migrate`: {p.stderr.strip()!r}")
        t.eq(srv.requests, [], "no feed fetched by a refused run")

        # A configuration (or secret file) others may read is refused: it
        # may hold the database's or the mail server's password.
        os.chmod(conf, 0o644)
        p = vigie("run", "-c", conf, "--once")
        t.exited(p, "run with a world-readable configuration", want=1)
        t.ok("readable by others" in p.stderr and "chmod o-rwx" in p.stderr,
             f"the refusal says why and how to fix it: {p.stderr!r}")
        secret = pathlib.Path(tmp.name) / "smtp.password"
        secret.write_text("hunter2\n")
        secret.chmod(0o644)
        os.chmod(conf, 0o600)
        with open(conf, "a") as f:
            f.write("\n[smtp]\nurl = smtp://127.0.0.1:1\n"
                    "from = vigie@example.com\n"
                    f"password_file = {secret}\n")
        p = vigie("run", "-c", conf, "--once")
        t.exited(p, "run with a world-readable password file", want=1)
        t.ok(str(secret) in p.stderr and "hunter2" not in p.stderr,
             f"the file is named, its secret is not: {p.stderr!r}")
        secret.chmod(0o600)

        versions = sorted(int(f.name.split("_")[0])
                          for f in (REPO_DIR / "schema").glob("[0-9]*.sql"))
        for attempt in (1, 2):
            if not t.exited(vigie("migrate", "-c", conf),
                            f"migrate, attempt {attempt}"):
                return
            rows = pg.query("SELECT version, name IS NOT NULL, "
                            "applied_at IS NOT NULL FROM schema_migrations "
                            "ORDER BY version")
            t.eq(rows, [[str(v), "t", "t"] for v in versions],
                 f"schema_migrations after migrate #{attempt}")

        for run in (1, 2):
            if run == 2:
                srv.set_feed("republished.xml",
                             RSS.format(title="Acme jet pack (updated)"))
            t.exited(vigie("run", "-c", conf, "--once"), f"run --once #{run}")
            counts = dict(pg.query(
                "SELECT s.name, count(i.id) FROM sources s "
                "LEFT JOIN items i ON i.source_id = s.id GROUP BY s.name"))
            t.eq(counts, {"noetag": "3", "noguid": "2", "republished": "1"},
                 f"items per source after run #{run}")
        t.eq(srv.hits("/noetag/rss.xml"), 2, "noetag fetched on both runs")
        t.eq(srv.hits("/dynamic/republished.xml"), 2,
             "republished fetched on both runs")
        new = pg.query("SELECT f.items_new FROM fetches f "
                       "JOIN sources s ON s.id = f.source_id "
                       "WHERE s.name = 'noetag' ORDER BY f.started_at")
        t.eq(new, [["3"], ["0"]], "noetag items_new per fetch")

        # A new month: what was stored lies in last month's partition now.
        # Items still in their feeds are known there, not stored again.
        pg.query("SELECT create_partitions(now() - interval '1 month', now())")
        pg.query("UPDATE items SET first_seen_at = first_seen_at"
                 " - interval '1 month'")
        t.exited(vigie("run", "-c", conf, "--once"), "run --once a month on")
        counts = dict(pg.query(
            "SELECT s.name, count(i.id) FROM sources s "
            "LEFT JOIN items i ON i.source_id = s.id GROUP BY s.name"))
        t.eq(counts, {"noetag": "3", "noguid": "2", "republished": "1"},
             "items per source a month on")
        t.eq(pg.scalar("SELECT count(*) FROM items"
                       " WHERE first_seen_at > now() - interval '1 day'"),
             "0", "nothing stored again in this month's partition")
        new = pg.query("SELECT f.items_new, f.items_seen FROM fetches f "
                       "JOIN sources s ON s.id = f.source_id "
                       "WHERE s.name = 'noetag' ORDER BY f.started_at")
        t.eq(new[-1:], [["0", "3"]], "noetag: 0 new, 3 seen a month on")
        ids = pg.query("SELECT count(*), count(DISTINCT identity), "
                       "bool_and(identity <> '') FROM items i "
                       "JOIN sources s ON s.id = i.source_id "
                       "WHERE s.name = 'noguid'")
        t.eq(ids, [["2", "2", "t"]],
             "noguid: two items with distinct, non-empty fallback identities")

        # Input that the database itself would refuse must not stall a
        # source: a link too long for an index row, and an error message
        # cut in the middle of a character.
        long_link = "https://tracker.example/r?" + "x" * 5000
        srv.set_feed("long.xml", RSS.format(title="Acme long link").replace(
            "https://watch.example/1", long_link).replace(
            "<guid>acme-watch-1</guid>", ""))
        srv.set_feed("cut.xml", "<a" + "é" * 30 + "/>")
        hostile = f"{tmp.name}/hostile.conf"
        write_config(hostile, pg.conninfo, {
            "long": srv.url("/dynamic/long.xml"),
            "cut": srv.url("/dynamic/cut.xml"),
        })
        t.exited(vigie("run", "-c", hostile, "--once"), "hostile inputs run")
        rows = dict((r[0], r[1:]) for r in pg.query(
            "SELECT s.name, s.lease_owner IS NULL, s.last_status, "
            "(SELECT count(*) FROM items i WHERE i.source_id = s.id) "
            "FROM sources s WHERE s.name IN ('long', 'cut')"))
        t.eq(rows.get("long"), ["t", "200", "1"],
             "an item with a 5 KB link is stored (lease released)")
        t.eq(rows.get("cut"), ["t", "200", "0"],
             "a parse error cut mid-character is recorded (lease released)")
        t.eq(pg.scalar("SELECT link = " + "'" + long_link + "' "
                       "FROM items WHERE title = 'Acme long link'"), "t",
             "the long link kept whole")

        down = f"{tmp.name}/down.conf"
        write_config(down, f"host={tmp.name}/nowhere dbname=vigie "
                     "user=vigie connect_timeout=2",
                     {"noetag": srv.url("/noetag/rss.xml")})
        p = vigie("run", "-c", down, "--once", timeout=120)
        t.exited(p, "run --once with the database unreachable",
                 want="nonzero")


if __name__ == "__main__":
    run_test("it_store", body)
