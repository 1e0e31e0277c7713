"""
it_reload.py - reloads that overlap: two SIGHUPs while the database is
slow to answer the first sync must leave the daemon polling (each sync
round supersedes the one before it); a reload while a large answer is being
read and judged on the reader's threads waits for it, and its mentions keep
the watches of the configuration they were judged by.
"""

import signal
import subprocess
import tempfile
import time

from harness import (FixtureServer, Postgres, daemon_log, run_test,
                     start_daemon, vigie, wait_until, write_config)

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>t</title>
<item><guid>{n}</guid><title>item {n}</title></item>
</channel></rss>
"""


def fetches(pg):
    return int(pg.scalar("SELECT count(*) FROM fetches"))


# Long enough to be read for a second or more: the reload lands while the
# reader's threads judge it.
BIG_ITEMS = 20000
BIG_ITEM = """<item><guid>big-{n}</guid><title>Acme, item {n}</title>
<description>Acme a encore livré en retard : des clients déçus, un service
client injoignable, et une facture que personne ne comprend. Item {n}, lu
et jugé comme les autres.</description></item>
"""


def big_feed():
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>big'
            '</title>' + "".join(BIG_ITEM.format(n=n)
                                 for n in range(BIG_ITEMS))
            + "</channel></rss>")


def watches_config(conf, pg, srv, names):
    write_config(conf, pg.conninfo, {"big": srv.url("/dynamic/big.xml")},
                 interval="1h")
    with open(conf, "a") as f:
        for name in names:
            f.write(f'[watch "{name}"]\nquery = {name}\n\n')


def reload_while_reading(t, tmp, pg, srv):
    """The watches' order swapped by a reload: a mention judged before it
    is stored under the watch it matched, not under the one that now has
    its place."""
    srv.set_feed("big.xml", big_feed())
    conf = f"{tmp}/big.conf"
    watches_config(conf, pg, srv, ["acme", "globex"])
    t.exited(vigie("migrate", "-c", conf), "migrate")
    d = start_daemon(conf)
    wait_until(lambda: srv.hits("/dynamic/big.xml") >= 1, 30,
               "the large feed asked for", interval=0.01)
    watches_config(conf, pg, srv, ["globex", "acme"])
    time.sleep(0.2)
    d.send_signal(signal.SIGHUP)
    wait_until(lambda: pg.scalar(
        "SELECT count(*) FROM fetches f JOIN sources s ON s.id = f.source_id"
        " WHERE s.name = 'big'") == "1", 120, "the large feed stored")
    log = daemon_log(d)
    read_at = log.find(f"source big: HTTP 200, {BIG_ITEMS} items")
    reload_at = log.find("configuration reloaded")
    t.ok(0 <= reload_at < read_at,
         "the reload came while the answer was being read")
    wait_until(lambda: pg.scalar("SELECT count(*) FROM staged_items") == "0",
               120, "the items merged from staging (schema 031)")
    t.eq(pg.scalar(
        "SELECT count(*) FILTER (WHERE w.name = 'acme') || ' '"
        " || count(*) FILTER (WHERE w.name = 'globex')"
        " FROM mentions m JOIN watches w ON w.id = m.watch_id"),
        f"{BIG_ITEMS} 0",
        "every mention under the watch it matched, none under the other")
    d.terminate()
    t.eq(d.wait(timeout=30), 0, "SIGTERM after the reload: exit 0")


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
        reload_while_reading(t, tmp.name, pg, srv)


run_test("it_reload", body)
