"""
it_sql.py - the roles across databases and logins: a second database in
the same cluster migrates with the roles already there, even by an owner
who may not create roles; people log in with roles granted the analyst's
or the editor's rights and can do exactly what those allow.
"""

import os
import subprocess
import tempfile

from harness import Postgres, run_test, vigie, write_config


def psql(pg, user, db, sql):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    return subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
         "-d", f"host={pg.sock} dbname={db} user={user}", "-c", sql],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=60)


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-sql-")
    with tmp, Postgres() as pg:
        conf = write_config(f"{tmp.name}/a.conf", pg.conninfo, {})
        t.exited(vigie("migrate", "-c", conf), "migrate the first database")

        # The second database belongs to an owner who cannot create roles.
        pg.query("CREATE ROLE owner2 LOGIN; CREATE ROLE alice LOGIN IN ROLE"
                 " vigie_analyst; CREATE ROLE bruno LOGIN IN ROLE vigie_editor;"
                 " CREATE ROLE svc LOGIN IN ROLE vigie_daemon")
        pg.query("CREATE DATABASE second OWNER owner2", dbname="postgres")
        pg.query("ALTER SCHEMA public OWNER TO owner2", dbname="second")
        conf2 = write_config(f"{tmp.name}/b.conf",
                             f"host={pg.sock} dbname=second user=owner2", {})
        p = vigie("migrate", "-c", conf2)
        t.exited(p, "an owner without CREATEROLE migrates when the roles exist")
        t.eq(pg.scalar("SELECT count(*) FROM pg_roles"
                       " WHERE rolname LIKE 'vigie\\_%'"), "3",
             "the roles are created once per cluster")

        for db in ("vigie", "second"):
            owner = "vigie" if db == "vigie" else "owner2"
            p = psql(pg, owner, db,
                     "INSERT INTO sources (name, url, interval_s)"
                     " VALUES ('s', 'http://s/', 60);"
                     "INSERT INTO watches (name, query) VALUES ('w', 'w');"
                     "INSERT INTO items (source_id, identity, title)"
                     " SELECT id, 'i', 'w' FROM sources;"
                     "INSERT INTO mentions (item_id, watch_id, source_id,"
                     " terms, sentiment, label, first_seen_at)"
                     " SELECT i.id, w.id, i.source_id, '{w}', -0.5,"
                     " 'negative', now() FROM items i, watches w;"
                     "UPDATE mentions SET rumour = true")
            t.exited(p, f"{db}: the owner writes")
            p = psql(pg, "alice", db, "SELECT sum(negative)"
                     " FROM analytics.mention_volume")
            t.exited(p, f"{db}: an analyst reads the views")
            t.eq(p.stdout.strip(), "1", f"{db}: and sees the mention")
            p = psql(pg, "alice", db, "SELECT watch FROM analytics.rumours")
            t.eq((p.returncode, p.stdout.strip()), (0, "w"),
                 f"{db}: an analyst reads the rumours {p.stderr!r}")
            p = psql(pg, "bruno", db, "UPDATE mentions SET rumour = false")
            t.exited(p, f"{db}: an editor cannot unflag a rumour",
                     want="nonzero")
            p = psql(pg, "alice", db, "UPDATE mentions SET dismissed = true")
            t.exited(p, f"{db}: an analyst cannot correct", want="nonzero")
            t.ok("permission denied" in p.stderr, f"{db}: {p.stderr!r}")
            p = psql(pg, "bruno", db, "UPDATE mentions SET dismissed = true")
            t.exited(p, f"{db}: an editor corrects")
            p = psql(pg, "alice", db, "SELECT count(*)"
                     " FROM analytics.mention_volume")
            t.eq(p.stdout.strip(), "0", f"{db}: the dismissed mention is gone")
            p = psql(pg, "vigie", db, "SELECT corrected_by FROM mentions")
            t.eq(p.stdout.strip(), "bruno", f"{db}: the editor is recorded")
            p = psql(pg, "bruno", db, "DELETE FROM mentions")
            t.exited(p, f"{db}: an editor cannot delete", want="nonzero")
            # Partitions are the owner's; the daemon's role drops them
            # through maintain_partitions() all the same.
            p = psql(pg, "svc", db, "SELECT maintain_partitions("
                     "interval '-1 month')")
            t.exited(p, f"{db}: the daemon's role maintains partitions")
            t.eq(p.stdout.strip(), "3", f"{db}: this month's, in three tables")
            p = psql(pg, "vigie", db, "SELECT count(*) FROM items")
            t.eq(p.stdout.strip(), "0", f"{db}: the item went with them")


if __name__ == "__main__":
    run_test("it_sql", body)
