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


def waiting(pg, sql):
    """Whether the session running sql waits for a lock."""
    quoted = sql.replace("'", "''")
    return pg.scalar("SELECT count(*) FROM pg_stat_activity"
                     f" WHERE query = '{quoted}'"
                     " AND wait_event_type = 'Lock'") == "1"


def rows(pg, table, source):
    """How many rows of table name source."""
    return pg.scalar(f"SELECT count(*) FROM {table}"
                     f" WHERE source_id = {source}")


def one_then_other(t, pg, first, second, what):
    """Runs first in a transaction that stays open at the gate, then
    second beside it, which must wait for a lock (checked as what); then
    lets first commit. Returns both sessions' processes."""
    holder = start_psql(pg.conninfo, "BEGIN; LOCK TABLE gate;"
                        " SELECT pg_sleep(300)", stderr=subprocess.DEVNULL)
    pid = wait_until(lambda: pg.scalar(
        "SELECT pid FROM pg_locks WHERE relation = 'gate'::regclass"
        " AND mode = 'AccessExclusiveLock' AND granted"), 30,
        "the gate to be held")
    held = f"BEGIN; {first} LOCK TABLE gate IN ACCESS SHARE MODE; COMMIT"
    a = start_psql(pg.conninfo, held, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: waiting(pg, held), 30,
               "the first session to wait at the gate")
    b = start_psql(pg.conninfo, second, stderr=subprocess.PIPE, text=True)
    t.ok(wait_until(lambda: waiting(pg, second), 30, what), what)
    pg.query(f"SELECT pg_terminate_backend({pid})")
    holder.wait(timeout=60)
    return a, b


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
        writer, deleter = one_then_other(
            t, pg, write.format(s=ids["first"]),
            "DELETE FROM sources WHERE name = 'first'",
            "a source's delete waits for the items being written for it")
        t.eq(writer.wait(timeout=60), 0, "the writer commits")
        t.eq(deleter.wait(timeout=60), 0, "then the delete goes through")
        t.eq(rows(pg, "items", ids["first"]), "0",
             "and takes the items committed meanwhile")
        t.eq(rows(pg, "mentions", ids["first"]), "0",
             "and their mentions")

        # The delete first: the writer's items name a source that is
        # going.
        deleter, writer = one_then_other(
            t, pg, "DELETE FROM sources WHERE name = 'second';",
            write.format(s=ids["second"]),
            "items for a source being deleted wait for the delete")
        t.eq(deleter.wait(timeout=60), 0, "the delete commits")
        t.ok(writer.wait(timeout=60) != 0, "then the items are refused")
        err = writer.stderr.read()
        t.ok('violates foreign key constraint "items_source_id_fkey"' in err
             and f"Key (source_id)=({ids['second']})" in err,
             f"with the key's error: {err.strip()!r}")
        t.eq(rows(pg, "items", ids["second"]), "0",
             "none of them stored")

        # The other source's rows were never touched.
        t.eq(rows(pg, "items", ids["kept"]), "2",
             "the other source keeps its items")
        t.eq(pg.scalar("SELECT count(*) FROM items i WHERE NOT EXISTS"
                       " (SELECT FROM sources s WHERE s.id = i.source_id)"),
             "0", "no item is left without its source")


if __name__ == "__main__":
    run_test("it_references", body)
