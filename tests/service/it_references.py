"""
it_references.py - the references of items and mentions to their sources
(schema/027_parent_checks.sql) hold between concurrent sessions as the
foreign keys they replace held: a source deleted while a writer's items
are not yet committed waits for them and deletes them too; items written
for a source whose delete is not yet committed wait for it and are then
refused with the key's error. Nothing is left without its source.

Each ordering is made with a gate: a table a third session holds locked,
which the first session asks for once it has done its part, so that it
stays in its transaction until the test lets it go.
"""

import subprocess
import tempfile

from harness import (Postgres, run_test, start_psql, vigie, wait_until,
                     write_config)


def waiting(pg, start):
    """Whether a session running a statement beginning with start waits
    for a lock."""
    return pg.scalar("SELECT count(*) FROM pg_stat_activity"
                     f" WHERE query LIKE '{start}%'"
                     " AND wait_event_type = 'Lock'") == "1"


def gate(pg):
    """A session holding the gate until it is terminated; returns it and
    its backend's pid."""
    holder = start_psql(pg.conninfo, "BEGIN; LOCK TABLE gate;"
                        " SELECT pg_sleep(300)", stderr=subprocess.DEVNULL)
    pid = wait_until(lambda: pg.scalar(
        "SELECT pid FROM pg_locks WHERE relation = 'gate'::regclass"
        " AND mode = 'AccessExclusiveLock' AND granted"), 30,
        "the gate to be held")
    return holder, pid


def open_gate(pg, holder, pid):
    pg.query(f"SELECT pg_terminate_backend({pid})")
    holder.wait(timeout=60)


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-references-")
    with tmp, Postgres() as pg:
        conf = write_config(f"{tmp.name}/vigie.conf", pg.conninfo, {})
        t.exited(vigie("migrate", "-c", conf), "migrate")
        pg.query("CREATE TABLE gate ()")
        pg.query("INSERT INTO sources (name, url, interval_s) VALUES"
                 " ('kept', 'http://kept.example/', 600),"
                 " ('first', 'http://first.example/', 600),"
                 " ('second', 'http://second.example/', 600)")
        pg.query("INSERT INTO watches (name, query) VALUES ('brand', 'b')")
        ids = dict(pg.query("SELECT name, id FROM sources"))
        write = ("INSERT INTO items (source_id, identity, title) VALUES"
                 " ({s}, 'a', 'one'), ({s}, 'b', 'two');"
                 " INSERT INTO mentions (item_id, watch_id, source_id, terms,"
                 " sentiment, label, first_seen_at)"
                 " SELECT i.id, w.id, i.source_id, '{{b}}', 0, 'neutral',"
                 " i.first_seen_at FROM items i, watches w"
                 " WHERE i.source_id = {s};")
        pg.query(write.format(s=ids["kept"]))

        # The writer first: its items are in, not committed, when the
        # source's delete comes.
        holder, pid = gate(pg)
        writer = start_psql(pg.conninfo, "BEGIN; "
                            + write.format(s=ids["first"])
                            + " LOCK TABLE gate IN ACCESS SHARE MODE;"
                            " COMMIT")
        wait_until(lambda: waiting(pg, "BEGIN; INSERT INTO items"), 30,
                   "the writer to wait at the gate")
        deleter = start_psql(pg.conninfo,
                             "DELETE FROM sources WHERE name = 'first'",
                             stderr=subprocess.PIPE, text=True)
        t.ok(wait_until(lambda: waiting(pg, "DELETE FROM sources"), 30,
                        "the delete to wait"),
             "a source's delete waits for the items being written for it")
        open_gate(pg, holder, pid)
        t.eq(writer.wait(timeout=60), 0, "the writer commits")
        t.eq(deleter.wait(timeout=60), 0, "then the delete goes through")
        t.eq(pg.scalar(f"SELECT count(*) FROM items"
                       f" WHERE source_id = {ids['first']}"), "0",
             "and takes the items committed meanwhile")
        t.eq(pg.scalar(f"SELECT count(*) FROM mentions"
                       f" WHERE source_id = {ids['first']}"), "0",
             "and their mentions")

        # The delete first: the writer's items name a source that is
        # going.
        holder, pid = gate(pg)
        deleter = start_psql(pg.conninfo, "BEGIN; DELETE FROM sources"
                             " WHERE name = 'second';"
                             " LOCK TABLE gate IN ACCESS SHARE MODE; COMMIT")
        wait_until(lambda: waiting(pg, "BEGIN; DELETE FROM sources"), 30,
                   "the delete to wait at the gate")
        writer = start_psql(pg.conninfo, write.format(s=ids["second"]),
                            stderr=subprocess.PIPE, text=True)
        t.ok(wait_until(lambda: waiting(pg, "INSERT INTO items"), 30,
                        "the writer to wait"),
             "items for a source being deleted wait for the delete")
        open_gate(pg, holder, pid)
        t.eq(deleter.wait(timeout=60), 0, "the delete commits")
        t.ok(writer.wait(timeout=60) != 0, "then the items are refused")
        err = writer.stderr.read()
        t.ok('violates foreign key constraint "items_source_id_fkey"' in err
             and f"Key (source_id)=({ids['second']})" in err,
             f"with the key's error: {err.strip()!r}")
        t.eq(pg.scalar(f"SELECT count(*) FROM items"
                       f" WHERE source_id = {ids['second']}"), "0",
             "none of them stored")

        # The other source's rows were never touched.
        t.eq(pg.scalar(f"SELECT count(*) FROM items"
                       f" WHERE source_id = {ids['kept']}"), "2",
             "the other source keeps its items")
        t.eq(pg.scalar("SELECT count(*) FROM items i WHERE NOT EXISTS"
                       " (SELECT FROM sources s WHERE s.id = i.source_id)"),
             "0", "no item is left without its source")


if __name__ == "__main__":
    run_test("it_references", body)
