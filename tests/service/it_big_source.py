"""
it_big_source.py - one big source does not hold up the others: two feeds
of 50,000 new items each beside a 10-second source, on a new database
(month partitions without statistics). The small source keeps being
polled while the big ones are stored, and a SIGTERM during a big save
leaves no query of the daemon running on the server. On the way, a fetch
whose saving fails after some of its chunks were stored: fetched again,
its items are stored once; and last, a stop whose cancel cannot reach the
server.
"""

import signal
import subprocess
import tempfile
import time

from harness import (FixtureServer, Postgres, TestFailure, _clean_env,
                     daemon_log, run_test, start_daemon, vigie, wait_until,
                     write_config)

BIG = 50000
# New items for a fetch that fails half way: a few chunks of them.
MORE = 20000
# The small source's polls may be late by a save or two, never by the
# whole of the big ones: three intervals and a half is the most a gap
# between two of its polls may last, however slow the machine.
MAX_GAP_S = 35

ITEM = ("<item><title>{p} item {n}</title><guid>{p}-{n}</guid>"
        "<link>https://{p}.example/{n}</link>"
        "<description>Story {n} of {p}, told once.</description></item>")


def feed(prefix, first, n):
    items = "\n".join(ITEM.format(p=prefix, n=i)
                      for i in range(first, first + n))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel>'
            f"<title>{prefix}</title><link>https://{prefix}.example/</link>"
            f"\n{items}\n</channel></rss>\n")


def stored(pg, source):
    """Items of source saved: merged into items, or staged still (schema
    031)."""
    return int(pg.scalar(
        "SELECT count(*) FROM (SELECT source_id FROM items UNION ALL"
        " SELECT source_id FROM staged_items) i JOIN sources s"
        f" ON s.id = i.source_id WHERE s.name = '{source}'"))


def save_waiting(pg):
    """Whether a save of the daemon (save_fetch.sql begins so) waits for a
    lock: not a merge, which waits for another at the day's counts."""
    return any(r[1] == "Lock" and r[2].startswith("WITH f")
               for r in our_queries(pg))


def our_queries(pg):
    """The daemon's statements still running (psql is the test's)."""
    return pg.query(
        "SELECT pid, wait_event_type, left(query, 60) "
        "FROM pg_stat_activity WHERE datname = 'vigie' "
        "AND backend_type = 'client backend' AND state <> 'idle' "
        "AND application_name <> 'psql'")


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-big-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        conf = f"{tmp.name}/vigie.conf"
        srv.set_feed("small.xml", feed("small", 0, 3))
        srv.set_feed("big1.xml", feed("big1", 0, BIG))
        srv.set_feed("big2.xml", feed("big2", 0, BIG))
        srcs = {name: srv.url(f"/dynamic/{name}.xml")
                for name in ("small", "big1", "big2")}
        write_config(conf, pg.conninfo, srcs, log_level="info",
                     interval="10s", timeout="60s", max_body="64M")
        if not t.exited(vigie("migrate", "-c", conf), "migrate"):
            return
        proc = start_daemon(conf)
        try:
            scenario(t, pg, srv, proc)
        except TestFailure:
            print("--- daemon log (tail) ---\n" +
                  "\n".join(daemon_log(proc).splitlines()[-40:]))
            raise
        write_config(conf, pg.conninfo, {"small": srcs["small"]},
                     log_level="info", interval="10s")
        # The stop above cancelled a save: the source it was for failed,
        # is backing off and may still hold a lease. Due now, leaseless,
        # so that the next daemon polls it at once.
        pg.query("UPDATE sources SET next_poll_at = now(), failures = 0, "
                 "lease_owner = NULL, lease_until = NULL")
        proc = start_daemon(conf)
        try:
            cancel_unreachable(t, pg, proc)
        except TestFailure:
            print("--- daemon log (tail) ---\n" +
                  "\n".join(daemon_log(proc).splitlines()[-40:]))
            raise


def cancel_unreachable(t, pg, proc):
    """A stop whose cancel cannot reach the server (its socket gone) says
    so, and still exits."""
    sock = pg.sock / ".s.PGSQL.5432"
    # Its statements prepared first: preparing a save waits for the lock
    # too.
    wait_until(lambda: "database connected" in daemon_log(proc), 60,
               "the second daemon to reach the database")
    hold = lock_fetches(pg)
    try:
        wait_until(lambda: save_waiting(pg), 60,
                   "the small source's save waiting")
        sock.rename(sock.with_name("away"))
        try:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=30)
        finally:
            sock.with_name("away").rename(sock)
        t.eq(code, 0, "exit status when the cancel fails")
    finally:
        hold.stdin.close()
        hold.wait(timeout=30)
    log = daemon_log(proc)
    t.ok("cannot cancel the request in flight: " in log,
         f"the failed cancel is logged:\n{log[-1500:]}\n"
         f"queries: {our_queries(pg)}")


def scenario(t, pg, srv, proc):
    start = time.time()
    partial = set()

    def both_stored():
        counts = [stored(pg, "big1"), stored(pg, "big2")]
        partial.update(n for n in counts if 0 < n < BIG)
        return counts == [BIG, BIG]

    wait_until(both_stored, 200, "both big feeds to be stored",
               interval=0.05)
    done = time.time()
    # The store sends a big fetch in chunks, other requests between them:
    # its items show up a chunk at a time.
    t.ok(len(partial) >= 2, f"a big feed seen part stored: {sorted(partial)}")
    # One poll more after the big saves: the gap that includes them
    # closes.
    polls = srv.hits("/dynamic/small.xml")
    wait_until(lambda: srv.hits("/dynamic/small.xml") > polls, 60,
               "a poll of the small source after the big saves")
    times = [start] + [r["time"] for r in
                       srv.requests_for("/dynamic/small.xml")]
    gaps = [b - a for a, b in zip(times, times[1:])]
    t.ok(max(gaps) <= MAX_GAP_S,
         f"the small source polled every {MAX_GAP_S} s at most while "
         f"the big ones were stored ({done - start:.1f} s): gaps "
         f"{[round(g, 1) for g in gaps]}")
    print(f"big feeds stored in {done - start:.1f} s; the small source's "
          f"gaps: {[round(g, 1) for g in gaps]}", flush=True)
    t.eq(stored(pg, "small"), 3, "the small source's items")
    # Saved in chunks, recorded once: the fetch counts every item.
    t.eq(pg.query("SELECT s.name, f.items_new, f.items_seen, s.items_total "
                  "FROM fetches f JOIN sources s ON s.id = f.source_id "
                  "WHERE s.name LIKE 'big%' AND f.items_new > 0 "
                  "ORDER BY s.name"),
         [[name, str(BIG), "0", str(BIG)] for name in ("big1", "big2")],
         "one fetch record of each big feed, counting all its items")

    fail_mid_fetch(t, pg, srv, proc)

    # New items in the other big feed, and its saves held up by a lock as
    # a slow server would: SIGTERM finds one in flight past the stop's
    # grace, and cancels it.
    hold = lock_fetches(pg)
    try:
        srv.set_feed("big2.xml", feed("big2", BIG, BIG))
        wait_until(lambda: save_waiting(pg), 60,
                   "a save of a big feed waiting")
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise TestFailure("daemon still running 30s after "
                              "SIGTERM") from None
        t.eq(code, 0, "exit status after SIGTERM")
        try:
            wait_until(lambda: not our_queries(pg), 5,
                       "the daemon's queries to end")
        except TestFailure:
            pass
        t.eq(our_queries(pg), [], "queries left running after SIGTERM")
    finally:
        hold.stdin.close()
        hold.wait(timeout=30)
    log = daemon_log(proc)
    t.ok("save_fetch cancelled on the server" in log,
         f"what was cancelled is logged:\n{log[-1500:]}")
    t.eq(stored(pg, "big2"), BIG, "nothing of the cancelled save stored")


def lock_fetches(pg):
    """A session holding fetches in share mode, which every save waits
    for (it inserts into fetches); ends when its stdin is closed."""
    hold = subprocess.Popen(["psql", "-X", "-q", "-d", pg.conninfo],
                            stdin=subprocess.PIPE, text=True,
                            env=_clean_env())
    hold.stdin.write("BEGIN;\nLOCK TABLE fetches IN SHARE MODE;\n")
    hold.stdin.flush()
    wait_until(lambda: pg.scalar(
        "SELECT count(*) FROM pg_locks l JOIN pg_class c "
        "ON c.oid = l.relation WHERE c.relname = 'fetches' "
        "AND l.mode = 'ShareLock' AND l.granted") == "1", 30,
        "the test's lock on fetches")
    return hold


def fail_mid_fetch(t, pg, srv, proc):
    """A chunk that fails after others were stored: the fetch fails, the
    source is polled again, and its items end up stored once."""
    big1 = pg.scalar("SELECT id FROM sources WHERE name = 'big1'")
    failed = f"storing fetch of source {big1}: ERROR:  canceling statement"
    srv.set_feed("big1.xml", feed("big1", BIG, MORE))
    wait_until(lambda: BIG < stored(pg, "big1") < BIG + MORE, 60,
               "the new items of big1 part stored", interval=0.05)
    # The lock waits for the chunk in flight; the next one then waits
    # for the lock, and is cancelled (the small source's save may come
    # first, and fail alike).
    hold = lock_fetches(pg)
    try:
        def cancel_waiting():
            pg.query("SELECT pg_cancel_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = 'vigie' AND wait_event_type = 'Lock' "
                     "AND application_name <> 'psql' "
                     "AND query LIKE 'WITH f%'")
            return failed in daemon_log(proc)
        wait_until(cancel_waiting, 60, "a chunk of big1 to fail")
    finally:
        hold.stdin.close()
        hold.wait(timeout=30)
    before = stored(pg, "big1")
    t.ok(BIG < before < BIG + MORE,
         f"big1 part stored when it failed: {before}")
    wait_until(lambda: stored(pg, "big1") == BIG + MORE, 120,
               "big1 stored after its failed fetch")
    t.eq(pg.query("SELECT f.items_new, f.items_seen FROM fetches f "
                  "JOIN sources s ON s.id = f.source_id "
                  "WHERE s.name = 'big1' AND f.items_new > 0 "
                  "ORDER BY f.started_at DESC LIMIT 1"),
         [[str(BIG + MORE - before), str(before - BIG)]],
         "the fetch after the failure: the chunks stored before are known")

if __name__ == "__main__":
    run_test("it_big_source", body)
