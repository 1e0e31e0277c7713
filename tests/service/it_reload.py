"""
it_reload.py - reloads that overlap: two SIGHUPs while the database is
slow to answer the first sync must leave the daemon polling (each sync
round supersedes the one before it).
"""

import signal
import subprocess
import tempfile
import time

from harness import (FixtureServer, Postgres, run_test, start_daemon, vigie,
                     wait_until, write_config)

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>t</title>
<item><guid>{n}</guid><title>item {n}</title></item>
</channel></rss>
"""


def fetches(pg):
    return int(pg.scalar("SELECT count(*) FROM fetches"))


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-reload-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        srv.set_feed("a.xml", RSS.format(n=1))
        conf = f"{tmp.name}/vigie.conf"
        write_config(conf, pg.conninfo, {"a": srv.url("/dynamic/a.xml")},
                     interval="10s")
        t.exited(vigie("migrate", "-c", conf), "migrate")
        d = start_daemon(conf)
        wait_until(lambda: fetches(pg) >= 1, 30, "the first poll")

        # Hold the sources table: the next sync waits on the lock while
        # a second reload comes in.
        lock = subprocess.Popen(
            ["psql", "-X", "-q", "-d", pg.conninfo, "-c",
             "BEGIN; LOCK TABLE sources IN ACCESS EXCLUSIVE MODE; "
             "SELECT pg_sleep(4); COMMIT;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        d.send_signal(signal.SIGHUP)
        time.sleep(1)
        d.send_signal(signal.SIGHUP)
        lock.wait(timeout=30)
        before = fetches(pg)
        srv.set_feed("a.xml", RSS.format(n=2))
        wait_until(lambda: fetches(pg) >= before + 2, 40,
                   "polling goes on after overlapping reloads")
        t.eq(pg.scalar("SELECT count(*) FROM items"), "2",
             "the new item stored")
        d.terminate()
        t.eq(d.wait(timeout=30), 0, "SIGTERM: exit 0")


run_test("it_reload", body)
