"""
it_ingest.py - the write path: the saves that come while one is stored
gathered into one statement, and one fetch the database refuses costing
the others nothing, on a server that refuses the saves' own connection;
what the save leaves for later (the merge from staging into items, with
the full-text vector and the story an item continues) done by a running
daemon seconds after, once the database stops refusing it, detection
counting the staged mention meanwhile (a spike fires and its webhook
lists the staged mentions), and by --once before it exits; an item
the merge refuses for a reason of its own set aside, the others merged
and --once ending, then merged by a later run;
two merges at once, the second leaving the batch to the first, and two
batches of items stored before staging each indexing items of their
own; a running daemon merging a backlog on both connections while one
batch is held, without asking again and again meanwhile; --once saying
its sources stored while a merge is still held.
"""

import contextlib
import email.utils
import json
import subprocess
import tempfile
import time

from harness import (FixtureServer, Postgres, TestFailure, daemon_log,
                     rss_feed, run_test, start_daemon, vigie, wait_until,
                     write_config)
from sinks import WebhookReceiver

# A slow save sleeps in the database, so that the fetches that end
# meanwhile gather behind it; one of them holds an item the database
# refuses (as a constraint or a full disk would).
TRAP = """
CREATE FUNCTION test_trap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.title = 'SLOW' THEN PERFORM pg_sleep(2); END IF;
    IF NEW.title = 'POISON' THEN RAISE EXCEPTION 'poisoned item'; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER test_trap BEFORE INSERT ON staged_items
    FOR EACH ROW EXECUTE FUNCTION test_trap();
"""


# The merge into items refused (as a full disk would: not an item's
# fault, so the batch is tried again whole, nothing set aside).
REFUSE_INDEX = """
CREATE FUNCTION test_refuse_index() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'no index today' USING ERRCODE = 'disk_full';
END $$;
CREATE TRIGGER test_refuse_index BEFORE INSERT ON items
    FOR EACH ROW EXECUTE FUNCTION test_refuse_index();
"""


def item(guid, title, link=None, text="Du texte sur Acme.", date=None):
    link = link or f"https://forum.example/{guid}"
    date = f"<pubDate>{date}</pubDate>" if date else ""
    return (f"<item><guid>{guid}</guid><title>{title}</title>"
            f"<link>{link}</link><description>{text}</description>{date}"
            "</item>")


def items_of(pg, source):
    return pg.query("SELECT i.title FROM items i JOIN sources s"
                    f" ON s.id = i.source_id WHERE s.name = '{source}'"
                    " ORDER BY i.title")


GOOD = ("good1", "good2", "good3", "good4")


def gathered(t, tmp, pg, srv):
    """On a server that lets the daemon's role hold one connection (the
    saves' own refused, the first one storing everything), a slow save
    sleeps in the database while five fetches end and gather behind it,
    the refused one among them. The role is the daemon's own (docs/SQL.md,
    "Roles"), not a superuser, whom no limit holds: its rights suffice
    for the saves and the indexer."""
    sources = {}
    srv.set_feed("slow.xml", rss_feed([item("slow", "SLOW")]))
    sources["slow"] = srv.url("/dynamic/slow.xml")
    srv.set_feed("poison.xml", rss_feed([item("p1", "Acme sain"),
                                         item("p2", "POISON")]))
    sources["poison"] = srv.url("/dynamic/poison.xml?delay=0.6")
    for name in GOOD:
        srv.set_feed(f"{name}.xml", rss_feed([item(f"{name}-1", name)]))
        sources[name] = srv.url(f"/dynamic/{name}.xml?delay=0.6")
    owner = write_config(f"{tmp}/owner.conf", pg.conninfo, sources)
    if not t.exited(vigie("migrate", "-c", owner), "migrate"):
        return
    pg.query(TRAP)
    pg.query("CREATE ROLE vigie_one LOGIN CONNECTION LIMIT 1"
             " IN ROLE vigie_daemon")
    conf = write_config(f"{tmp}/gathered.conf",
                        pg.conninfo.replace("user=vigie", "user=vigie_one"),
                        sources)
    p = vigie("run", "-c", conf, "--once", timeout=120)
    t.exited(p, "run --once with a fetch the database refuses")
    t.ok("database (saves): unavailable" in p.stderr,
         "the saves' connection was refused")
    t.ok("storing 5 fetches together: ERROR:  poisoned item; storing "
         "each alone" in p.stderr,
         "the five saves gathered behind the slow one failed together, "
         "then went alone")
    for name in GOOD:
        t.eq(items_of(pg, name), [[name]], f"{name} stored all the same")
    t.eq(items_of(pg, "slow"), [["SLOW"]], "the slow save stored")
    t.eq(items_of(pg, "poison"), [], "nothing of the refused fetch")
    t.eq(pg.query("SELECT failures, last_error LIKE '%could not be stored%'"
                  " FROM sources WHERE name = 'poison'"), [["1", "t"]],
         "the refused fetch is a failure of its source, tried again later")
    t.eq(pg.scalar("SELECT count(*) FROM fetches f JOIN sources s"
                   " ON s.id = f.source_id WHERE s.name <> 'poison'"), "5",
         "each stored fetch recorded once")
    t.eq(pg.scalar("SELECT (SELECT count(*) FROM items WHERE search IS NULL)"
                   " + (SELECT count(*) FROM staged_items)"), "0",
         "and the daemon's role merged them, indexed")


def later(t, tmp, pg, srv):
    pg.query("DROP TRIGGER test_trap ON staged_items")
    srv.set_feed("first.xml", rss_feed([
        item("f1", "Acme rappelle ses trottinettes",
             link="https://news.example/rappel",
             text="Acme rappelle ses trottinettes électriques."),
    ]))
    srv.set_feed("second.xml", rss_feed([
        item("r1", "Rappel chez Acme", link="https://news.example/rappel",
             text="Le rappel des trottinettes Acme, vu ailleurs."),
    ]))
    conf = write_config(f"{tmp}/later.conf", pg.conninfo, {
        "first": {"url": srv.url("/dynamic/first.xml"), "interval": "1h"},
    })
    with open(conf, "a") as f:
        f.write('\n[watch "Acme"]\nquery = acme\n')
    # The database refuses the merge at first: the item stays staged,
    # its mention counted by detection, and is merged once the refusal
    # is gone.
    pg.query(REFUSE_INDEX)
    proc = start_daemon(conf)
    try:
        wait_until(lambda: "no index today" in daemon_log(proc), 30,
                   "the indexer's batch to be refused")
        t.eq(pg.query("SELECT i.title FROM staged_items i JOIN sources s"
                      " ON s.id = i.source_id WHERE s.name = 'first'"),
             [["Acme rappelle ses trottinettes"]],
             "a refused merge: the item stored, staged")
        t.eq(items_of(pg, "first"), [], "and not yet in items")
        # The backfill of the new watch matched the items stored before,
        # in items: detection counts those and the staged one.
        t.eq(pg.query("SELECT (SELECT count(*) FROM staged_mentions),"
                      " (SELECT sum(total) FROM detect_counts("
                      "(extract(epoch FROM now() - interval '1 day')"
                      " * 1000)::bigint, (extract(epoch FROM now()"
                      " + interval '1 day') * 1000)::bigint,"
                      " 3600000, 3600000)) - (SELECT count(*) FROM mentions)"),
             [["1", "1"]], "detection counts its staged mention meanwhile")
        # An idle daemon ticks every second; a refused batch is tried
        # again after 5 s, not at every tick.
        time.sleep(3)
        refusals = daemon_log(proc).count("no index today")
        t.ok(refusals <= 2, f"a refused batch is not retried every second "
             f"({refusals} refusals in about 3 s)")
        pg.query("DROP TRIGGER test_refuse_index ON items")
        wait_until(lambda: pg.scalar(
            "SELECT count(*) FROM items i JOIN sources s ON s.id ="
            " i.source_id WHERE s.name = 'first' AND i.search IS NOT NULL"
            ) == "1", 30, "a running daemon to index what it stored")
        t.eq(pg.query("SELECT i.title FROM items i WHERE i.search @@"
                      " websearch_to_tsquery('french', 'trottinette')"),
             [["Acme rappelle ses trottinettes"]],
             "searchable, stemmed, without a restart")
        t.ok("search: 1 items indexed in " in daemon_log(proc),
             "the indexer says what it did")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.cleanup()

    conf = write_config(f"{tmp}/later2.conf", pg.conninfo, {
        "first": srv.url("/dynamic/first.xml"),
        "second": srv.url("/dynamic/second.xml"),
    })
    with open(conf, "a") as f:
        f.write('\n[watch "Acme"]\nquery = acme\n')
    p = vigie("run", "-c", conf, "--once", timeout=120)
    t.exited(p, "run --once")
    t.eq(pg.scalar("SELECT count(*) FROM items WHERE search IS NULL"), "0",
         "--once leaves no item unsearchable")
    first = pg.scalar("SELECT i.id FROM items i JOIN sources s"
                      " ON s.id = i.source_id WHERE s.name = 'first'")
    t.eq(pg.query("SELECT i.story_id FROM items i JOIN sources s"
                  " ON s.id = i.source_id WHERE s.name = 'second'"),
         [[first]], "the same link on another site continues its story")
    t.eq(pg.scalar("SELECT count(*) FROM mentions m JOIN sources s"
                   " ON s.id = m.source_id WHERE s.name = 'second'"), "1",
         "its mention stored with it")


# One item the merge refuses for a reason of its own (as a constraint of
# the site's would), among others.
REFUSE_ONE = """
CREATE FUNCTION test_refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.title = 'Acme REFUSED' THEN
        RAISE EXCEPTION 'not this one' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER test_refuse_one BEFORE INSERT ON items
    FOR EACH ROW EXECUTE FUNCTION test_refuse_one();
"""


def set_aside(t, tmp, pg, srv):
    """An item the database refuses to merge is set aside (schema 035):
    the items around it become searchable, `run --once` ends, and the
    item is merged by a later run once the database takes it."""
    srv.set_feed("aside.xml", rss_feed([
        item("s1", "Acme avant", text="Acme avant le refus."),
        item("s2", "Acme REFUSED", text="Acme refusé."),
        item("s3", "Acme après", text="Acme après le refus."),
    ]))
    conf = write_config(f"{tmp}/aside.conf", pg.conninfo, {
        "aside": {"url": srv.url("/dynamic/aside.xml"), "interval": "1h"},
    })
    with open(conf, "a") as f:
        f.write('\n[watch "Acme"]\nquery = acme\n')
    pg.query(REFUSE_ONE)
    p = vigie("run", "-c", conf, "--once", timeout=120)
    t.exited(p, "run --once with an item the merge refuses")
    t.ok("search: 1 items the database refused to merge set aside "
         "(staged_refused), tried again later: not this one" in p.stderr,
         "the refusal is logged")
    t.eq(pg.query("SELECT i.title FROM items i WHERE i.search @@"
                  " websearch_to_tsquery('french', 'refus')"
                  " ORDER BY i.title"),
         [["Acme après"], ["Acme avant"]],
         "the items around it are searchable")
    t.eq(pg.query("SELECT i.title, r.tries, r.sqlstate FROM staged_refused r"
                  " JOIN staged_items i ON i.id = r.item_id"),
         [["Acme REFUSED", "1", "23514"]], "the refused one set aside")
    t.eq(pg.scalar("SELECT count(*) FROM staged_mentions m JOIN staged_items"
                   " i ON i.id = m.item_id WHERE i.title = 'Acme REFUSED'"),
         "1", "its mention staged, where detection counts it")
    pg.query("DROP TRIGGER test_refuse_one ON items")
    pg.query("UPDATE staged_refused SET retry_at = now()")
    p = vigie("run", "-c", conf, "--once", timeout=120)
    t.exited(p, "run --once once the database takes it")
    t.eq(pg.scalar("SELECT count(*) FROM items WHERE title = 'Acme REFUSED'"
                   " AND search IS NOT NULL"), "1",
         "merged, searchable, once its time has come")
    t.eq(pg.scalar("SELECT (SELECT count(*) FROM staged_refused)"
                   " + (SELECT count(*) FROM staged_items)"), "0",
         "nothing set aside or staged left")


@contextlib.contextmanager
def held(pg, sql, what, lock="l.mode = 'RowShareLock'"):
    """sql run and left uncommitted in a session of its own while the
    body runs (the holding session's lock, lock a condition on pg_locks
    l, seen granted), committed after; what names the wait for it."""
    first = subprocess.Popen(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
         "-d", pg.conninfo], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        first.stdin.write(f"BEGIN; {sql}; SELECT 'held';\n")
        first.stdin.flush()
        wait_until(lambda: pg.scalar(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a"
            " ON a.pid = l.pid WHERE a.state = 'idle in transaction'"
            f" AND l.granted AND {lock}") not in (None, "0"), 30, what)
        yield
        first.stdin.write("COMMIT;\n")
        first.stdin.close()
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()


def batch_held(pg):
    """A batch of index_items(5) held by a session of its own."""
    return held(pg, "SELECT indexed FROM index_items(5)",
                "the first batch to hold its items")


def two_merges(t, pg):
    """Two merges at once merge two sets: the second takes the staged
    items the first does not hold, without waiting for it; the stories of
    its batch wait for the first's to commit (they must see it)."""
    # Each batch's items of a source of their own: two batches of one
    # source and day would wait for each other at its daily count.
    pg.query("INSERT INTO staged_items (id, source_id, identity, title)"
             " SELECT nextval(pg_get_serial_sequence('items', 'id')),"
             " CASE WHEN g <= 5 THEN (SELECT min(id) FROM sources)"
             " ELSE (SELECT max(id) FROM sources) END, 'staged-' || g,"
             " 'En attente ' || g FROM generate_series(1, 10) g")
    with batch_held(pg):
        t.eq(pg.scalar("SET lock_timeout = '2s';"
                       " SELECT indexed FROM index_items(5)"), "5",
             "a second merge beside the first merges items of its own")
        t.eq(pg.scalar("SELECT count(*) FROM story_pending"), "5",
             "their stories wait for the first batch")
    t.eq(pg.query("SELECT indexed, oldest_left_s FROM index_items(5)"),
         [["0", None]],
         "the next call finds every story, nothing left")
    t.eq(pg.scalar("SELECT count(*) FROM items WHERE identity LIKE"
                   " 'staged-%' AND search IS NOT NULL"), "10",
         "all ten merged, once each, with their vectors")


def two_at_once(t, pg):
    """Two batches of items stored before staging (schema 031) at once
    index two sets: the second takes the items the first does not hold,
    without waiting for it."""
    pg.query("INSERT INTO items (source_id, identity, title)"
             " SELECT (SELECT min(id) FROM sources), 'two-' || g,"
             " 'Deux lots ' || g FROM generate_series(1, 10) g")
    with batch_held(pg):
        t.eq(pg.scalar("SET lock_timeout = '2s';"
                       " SELECT indexed FROM index_items(5)"), "5",
             "a second batch beside the first indexes items of its own")
    t.eq(pg.scalar("SELECT count(*) FROM items WHERE identity LIKE 'two-%'"
                   " AND search IS NULL"), "0",
         "the two batches indexed all ten, once each")


def retention_skips_held(t, pg):
    """Retention (schema 036) deletes the staged items of the months it
    drops without waiting for one a merge holds: that one stays, and goes
    at the next maintenance."""
    pg.query("INSERT INTO staged_items (id, source_id, identity, title,"
             " first_seen_at)"
             " SELECT nextval(pg_get_serial_sequence('items', 'id')),"
             " (SELECT min(id) FROM sources), 'old-' || g, 'Ancien ' || g,"
             " now() - interval '100 days' FROM generate_series(1, 2) g")
    with held(pg, "SELECT id FROM staged_items WHERE identity = 'old-1'"
              " FOR UPDATE", "a merge to hold an old staged item"):
        pg.query("SELECT maintain_partitions('60 days')")
        t.eq(pg.query("SELECT identity FROM staged_items"
                      " WHERE identity LIKE 'old-%'"), [["old-1"]],
             "the held one stays, the other goes, no wait for the lock")
    pg.query("SELECT maintain_partitions('60 days')")
    t.eq(pg.scalar("SELECT count(*) FROM staged_items"
                   " WHERE identity LIKE 'old-%'"), "0",
         "the held one goes at the next maintenance")


# One item's merge held in the database (as a slow batch would be): its
# insert waits for an advisory lock the test holds.
HOLD_INDEX = """
CREATE FUNCTION test_hold_index() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.title = 'HOLD' THEN PERFORM pg_advisory_xact_lock_shared(4242);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER test_hold_index BEFORE INSERT ON items
    FOR EACH ROW EXECUTE FUNCTION test_hold_index();
"""


def index_calls(pg):
    return int(pg.scalar("SELECT coalesce(sum(calls), 0)"
                         " FROM pg_stat_user_functions"
                         " WHERE funcname = 'index_items'"))


def lock_held(pg):
    """The advisory lock HOLD_INDEX waits for, held by a session of the
    test's own for the time of the block."""
    return held(pg, "SELECT pg_advisory_xact_lock(4242)",
                "the test to hold its lock", "l.locktype = 'advisory'")


def merge_waiting(pg):
    """Whether a merge waits at the held item."""
    return pg.scalar("SELECT count(*) FROM pg_stat_activity"
                     " WHERE wait_event_type = 'Lock'"
                     " AND wait_event = 'advisory'") == "1"


def held_backlog(tmp, pg, srv, name, items, others=None):
    """A migrated database holding back the merge of the item titled
    HOLD, and the configuration of a source serving items (and of the
    others, a dict of sources)."""
    srv.set_feed(f"{name}.xml", rss_feed(items))
    conf = write_config(f"{tmp}/{name}.conf", pg.conninfo, {
        name: {"url": srv.url(f"/dynamic/{name}.xml"), "interval": "1h"},
        **(others or {})})
    p = vigie("migrate", "-c", conf)
    if p.returncode != 0:
        raise TestFailure(f"migrate: {p.stderr}")
    pg.query(HOLD_INDEX)
    return conf


def lanes_while_held(t, tmp, srv):
    """A running daemon with a backlog and nothing else to do merges it on
    both its connections: while one batch is held in the database, the
    other connection merges the rest at once (a batch in flight counted
    as work of the daemon's, and the rest waited for it, one batch every
    five seconds at best), then asks no more until the held batch is
    back, rather than again and again for the items it holds."""
    with Postgres() as pg:
        # The held item in the second batch of 1,000, after a first
        # batch that goes alone (the daemon was caught up); four batches
        # after it.
        conf = held_backlog(tmp, pg, srv, "backlog", [
            item(f"l{i}", "HOLD" if i == 1500 else f"Lot {i}")
            for i in range(6000)])
        pg.query("ALTER DATABASE vigie SET track_functions = 'pl'")
        proc = None
        try:
            with lock_held(pg):
                proc = start_daemon(conf)
                wait_until(lambda: merge_waiting(pg), 60,
                           "a batch to be held at the held item")
                waiting = wait_until(lambda: (lambda n: n <= 1000 and n)(
                    int(pg.scalar("SELECT count(*) FROM staged_items"))),
                    10, "the other connection to merge the rest beside"
                    " the held batch")
                t.eq(pg.scalar("SELECT count(*) FROM items"
                               " WHERE search IS NOT NULL"),
                     str(6000 - waiting),
                     f"all but the held batch merged beside it ({waiting}"
                     " items held)")
                time.sleep(2)  # the last empty batch back, calls counted
                before = index_calls(pg)
                time.sleep(3)
                calls = index_calls(pg) - before
                t.ok(calls <= 2, f"no batch asked again and again for what"
                     f" the held one keeps ({calls} calls in 3 s)")
            wait_until(lambda: pg.scalar(
                "SELECT count(*) FROM items WHERE search IS NOT NULL")
                == "6000", 60, "the held batch merged once let go")
            t.eq(pg.scalar("SELECT count(*) FROM staged_items"), "0",
                 "nothing left staged")
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
                proc.cleanup()


def stored_said_while_held(t, tmp, srv):
    """`run --once` says every source is polled and stored as soon as
    its saves are answered, not once the merges for search are done (the
    time bench/poll_bench.py takes as the cycle's): with a merge held in
    the database before the last source is done (a slow one, whose
    answer after 8 s is no feed, an error stored for it), the line comes
    while the daemon still waits for the merge, and the daemon ends once
    it is let go, every item searchable."""
    with Postgres() as pg:
        conf = held_backlog(tmp, pg, srv, "said", [
            item(f"o{i}", "HOLD" if i == 5 else f"Lot {i}")
            for i in range(20)],
            {"late": {"url": srv.url("/slow?seconds=8"), "interval": "1h"}})
        proc = None
        try:
            with lock_held(pg):
                proc = start_daemon(conf, "--once")
                wait_until(lambda: merge_waiting(pg), 60,
                           "the merge to be held at the held item")
                wait_until(lambda: "once: every source polled and stored"
                           " in " in daemon_log(proc), 30,
                           "--once to say every source stored while the"
                           " merge is held")
                t.ok(merge_waiting(pg) and proc.poll() is None,
                     "said while the merge is held, before the end")
                t.eq(pg.scalar("SELECT count(*) FROM fetches f JOIN sources"
                               " s ON s.id = f.source_id"
                               " WHERE s.name = 'late'"), "1",
                     "after the late source's fetch was stored")
                t.eq(pg.scalar("SELECT count(*) FROM staged_items"), "20",
                     "every item stored, staged")
            t.eq(proc.wait(timeout=60), 0,
                 "--once ends once the merge is let go")
            t.eq(pg.scalar("SELECT count(*) FROM items"
                           " WHERE search IS NOT NULL"), "20",
                 "every item searchable when it ends")
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
                proc.cleanup()


def alert_while_staged(t, tmp, srv):
    """Detection does not wait for the merge: with every merge refused, a
    burst of negative mentions, staged, fires a spike whose webhook lists
    them; once the refusal is gone they are merged, nothing lost."""
    now = email.utils.formatdate(usegmt=True)
    srv.set_feed("burst.xml", rss_feed([
        item(f"b{i}", f"Acme arnaque, service nul #{i}",
             text="Acme : arnaque, service nul, remboursement refus\u00e9.",
             date=now) for i in range(12)]))
    with Postgres() as pg, WebhookReceiver() as hooks:
        conf = write_config(f"{tmp}/burst.conf", pg.conninfo,
                            {"burst": srv.url("/dynamic/burst.xml")},
                            interval="10s")
        with open(conf, "a") as f:
            f.write("\n[detect]\nbucket = 10s\nwindow = 1m\nmin_count = 3\n"
                    "cold_threshold = 8\n\n"
                    f'[notify "team"]\nwebhook = {hooks.url("/hook")}\n\n'
                    '[watch "Acme"]\nquery = acme\nnotify = team\n')
        if not t.exited(vigie("migrate", "-c", conf), "migrate"):
            return
        pg.query(REFUSE_INDEX)
        proc = start_daemon(conf)
        try:
            def spike():
                for r in hooks.received("/hook", delivered=True):
                    j = json.loads(r["body"].decode())
                    if j.get("kind") == "spike":
                        return j
                return None
            j = wait_until(spike, 90, "a spike from the staged mentions")
            t.ok(len(j["top_mentions"]) > 0 and all(
                m["title"].startswith("Acme arnaque") and
                m["source"] == "burst" for m in j["top_mentions"]),
                 "its webhook lists the staged mentions: "
                 + json.dumps(j["top_mentions"], ensure_ascii=False))
            t.eq(pg.query("SELECT (SELECT count(*) FROM items),"
                          " (SELECT count(*) FROM staged_items)"),
                 [["0", "12"]], "the items still staged, none merged")
            pg.query("DROP TRIGGER test_refuse_index ON items")
            wait_until(lambda: pg.query(
                "SELECT (SELECT count(*) FROM items),"
                " (SELECT count(*) FROM mentions),"
                " (SELECT count(*) FROM staged_items)"
                " + (SELECT count(*) FROM staged_mentions)")
                == [["12", "12", "0"]], 60,
                "the burst merged once the database takes it")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            proc.cleanup()


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-ingest-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        gathered(t, tmp.name, pg, srv)
        later(t, tmp.name, pg, srv)
        set_aside(t, tmp.name, pg, srv)
        two_merges(t, pg)
        two_at_once(t, pg)
        retention_skips_held(t, pg)
        alert_while_staged(t, tmp.name, srv)
        lanes_while_held(t, tmp.name, srv)
        stored_said_while_held(t, tmp.name, srv)


if __name__ == "__main__":
    run_test("it_ingest", body)
