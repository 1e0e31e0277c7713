"""
it_daemon.py - `vigie run` as a daemon: periodic polling, SIGHUP reloads
(bad and good), a database restart under it, and a clean SIGTERM.
"""

import signal
import subprocess
import tempfile
import time

from harness import (FixtureServer, Postgres, TestFailure, daemon_log,
                     run_test, start_daemon, vigie, wait_until, write_config)

ITEM = """<item><title>Acme mention {n}</title><guid>mention-{n}</guid>
<link>https://mentions.example/{n}</link>
<description>Mention number {n} of Acme.</description></item>"""


def feed(n):
    items = "\n".join(ITEM.format(n=i) for i in range(1, n + 1))
    return f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Acme mentions</title>
<link>https://mentions.example/</link>
{items}
</channel></rss>
"""


def titles(pg, source):
    return sorted(r[0] for r in pg.query(
        "SELECT i.title FROM items i JOIN sources s ON s.id = i.source_id "
        f"WHERE s.name = '{source}'"))


def want_titles(n):
    return sorted(f"Acme mention {i}" for i in range(1, n + 1))


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-daemon-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        conf = f"{tmp.name}/vigie.conf"
        srv.set_feed("mentions.xml", feed(1))
        srcs = {"mentions": srv.url("/dynamic/mentions.xml")}
        write_config(conf, pg.conninfo, srcs, interval="10s", timeout="5s")
        if not t.exited(vigie("migrate", "-c", conf), "migrate"):
            return
        proc = start_daemon(conf)
        try:
            scenario(t, pg, srv, proc, conf, srcs)
        except TestFailure:
            print("--- daemon log (tail) ---\n" +
                  "\n".join(daemon_log(proc).splitlines()[-40:]))
            raise


def scenario(t, pg, srv, proc, conf, srcs):
    def polled(path):
        n = srv.hits(path)
        return lambda: srv.hits(path) > n

    def alive(what):
        if proc.poll() is not None:
            raise TestFailure(f"daemon exited ({proc.returncode}) {what}")

    wait_until(lambda: titles(pg, "mentions") == want_titles(1), 20,
               "the first poll to store the first item")

    srv.set_feed("mentions.xml", feed(2))
    wait_until(lambda: titles(pg, "mentions") == want_titles(2), 30,
               "the next poll to store the new item")
    alive("after two polls")

    # A reload that fails must leave the running configuration in place.
    with open(conf, "w") as f:
        f.write("[poll]\ninterval = banana\n[source \"x\"\n")
    log_before = len(daemon_log(proc))
    next_poll = polled("/dynamic/mentions.xml")
    proc.send_signal(signal.SIGHUP)
    wait_until(next_poll, 30, "a poll of the old source after a bad reload")
    alive("after SIGHUP with a broken configuration")
    new_log = daemon_log(proc)[log_before:]
    t.ok("vigie.conf" in new_log,
         f"the rejected configuration is logged:\n{new_log[-1500:]}")

    srcs = dict(srcs, added=srv.url("/feeds/atom.xml?added=1"))
    write_config(conf, pg.conninfo, srcs, interval="10s", timeout="5s")
    proc.send_signal(signal.SIGHUP)
    wait_until(lambda: srv.hits("/feeds/atom.xml?added=1"), 30,
               "the added source to be polled")
    wait_until(lambda: len(titles(pg, "added")) == 2, 15,
               "the added source's items to be stored")
    alive("after SIGHUP with a source added")

    # Stop the database, let the feed change and a poll come and go, then
    # bring the database back: the new item must land exactly once.
    pg.stop()
    srv.set_feed("mentions.xml", feed(3))
    try:
        wait_until(polled("/dynamic/mentions.xml"), 15,
                   "a poll while the database is down")
    except TestFailure:
        pass    # a daemon may well wait for its database before polling
    alive("while the database is down")
    pg.start()
    wait_until(lambda: titles(pg, "mentions") == want_titles(3), 60,
               "every item stored once after the database came back")
    time.sleep(1)
    t.eq(titles(pg, "mentions"), want_titles(3),
         "mentions stored exactly once after the restart")

    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        raise TestFailure("daemon still running 10s after SIGTERM") from None
    t.eq(code, 0, f"exit status after SIGTERM "
         f"({time.monotonic() - start:.1f}s)")
    t.eq(pg.query("SELECT name FROM sources WHERE lease_owner IS NOT NULL"),
         [], "sources still leased after SIGTERM")


if __name__ == "__main__":
    run_test("it_daemon", body)
