"""
it_replica.py - a primary and a streaming standby made with pg_basebackup:
the daemon writes to the primary, the dashboard, `vigie backtest` and
`vigie report` read on the standby ([database] replica; with the standby
down the dashboard reads on the primary, the two commands say so and
stop), and when the
primary fails and the standby is promoted while the daemon runs, the
daemon follows it (a multi-host conninfo with
target_session_attrs=read-write) and loses nothing it fetched meanwhile.
"""

import os
import pathlib
import tempfile
import time
import urllib.request

from harness import (FixtureServer, Postgres, TestFailure, daemon_log,
                     rss_feed, rss_item, run_test, start_daemon, vigie,
                     wait_until)

PORT = 19800 + os.getpid() % 150


class Standby(Postgres):
    """A hot standby of primary, copied by pg_basebackup and streaming
    from it, on a socket of its own."""

    def __init__(self, primary):
        self.primary = primary
        super().__init__()

    def _init(self):
        self._pg("pg_basebackup", "-D", str(self.data), "-R", "-X",
                 "stream", "-c", "fast", "-h", str(self.primary.sock),
                 "-U", "vigie")
        with open(self.data / "postgresql.conf", "a") as f:
            # Each statement in the log: the test sees who read here.
            f.write(f"\nunix_socket_directories = '{self.sock}'\n"
                    "log_statement = 'all'\n")
        self._initialized = True
        self.start()

    def promote(self):
        self._pg("pg_ctl", "-D", str(self.data), "-w", "promote")


def titles(pg):
    return sorted(r[0] for r in pg.query("SELECT title FROM items"))


def want(n):
    return sorted(f"Acme news {i}" for i in range(1, n + 1))


def feed(n):
    return rss_feed([rss_item(f"news-{i}", f"Acme news {i}")
                     for i in range(1, n + 1)])


def dashboard_reads(sb):
    """Sessions the dashboard opened on the standby, counted in its
    statement log: a session ends with its request, so pg_stat_activity
    may no longer show it once the page has come back."""
    try:
        log = sb.log.read_text(errors="replace")
    except OSError:
        return 0
    return log.count("application_name = 'vigie dashboard'")


def write_conf(path, tmp, srv, conninfo, replica=None):
    path.write_text(f"""[database]
conninfo = {conninfo}
{f"replica = {replica}" if replica else ""}

[daemon]
log_level = debug
listen = 127.0.0.1:{PORT}
spool = {tmp}/spool

[poll]
interval = 10s
timeout = 5s

[watch "acme"]
query = acme

[source "news"]
url = {srv.url("/dynamic/news.xml")}
""")
    os.chmod(path, 0o600)


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-replica-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        conf = pathlib.Path(tmp.name) / "vigie.conf"
        # The schema first: the standby is a copy of it.
        write_conf(conf, tmp.name, srv, pg.conninfo)
        if not t.exited(vigie("migrate", "-c", conf), "migrate"):
            return
        with Standby(pg) as sb:
            # Both hosts, the writable one taken: the standby once it
            # is promoted.
            write_conf(conf, tmp.name, srv,
                       f"host={pg.sock},{sb.sock} dbname=vigie user=vigie "
                       "target_session_attrs=read-write", sb.conninfo)
            srv.set_feed("news.xml", feed(3))
            proc = start_daemon(conf)
            try:
                scenario(t, pg, sb, srv, conf, proc)
            except TestFailure:
                print("--- daemon log (tail) ---\n" + "\n".join(
                    daemon_log(proc).splitlines()[-60:]))
                raise


def scenario(t, pg, sb, srv, conf, proc):
    wait_until(lambda: titles(pg) == want(3), 30,
               "the first items stored on the primary")
    wait_until(lambda: titles(sb) == want(3), 30,
               "the items streamed to the standby")

    before = dashboard_reads(sb)
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/mentions",
                                timeout=10) as r:
        page = r.read().decode()
    t.ok("Acme news 3" in page, "the dashboard lists the mentions")
    t.ok(dashboard_reads(sb) > before,
         "the dashboard reads on the standby")

    # The standby away: the dashboard reads on the primary meanwhile.
    sb.stop()
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/mentions",
                                timeout=10) as r:
        t.ok(r.status == 200 and "Acme news 3" in r.read().decode(),
             "with the standby down, the dashboard answers from the "
             "primary")
    # The two commands read on the standby only: a report's figures say
    # where they come from. Down, they say so, and stop; the replica's
    # password is not in what they say.
    readers = conf.with_name("readers.conf")
    write_conf(readers, conf.parent, srv, pg.conninfo,
               sb.conninfo + " password=s3cret-standby")
    for cmd, extra in (("backtest", ()), ("report", ("--format", "csv"))):
        p = vigie(cmd, "-c", readers, "--watch", "acme", "--from", "-1d",
                  "--to", "now", *extra)
        t.ok(p.returncode == 1 and p.stdout == "" and
             "[database] replica: cannot connect to the database"
             in p.stderr and "s3cret" not in p.stderr,
             f"{cmd} with the standby down says so and stops: "
             f"{p.returncode} {p.stdout[:80]!r} {p.stderr!r}")
    sb.start()
    wait_until(lambda: titles(sb) == want(3), 30,
               "the standby streaming again")

    # The primary fails: reading goes on on the standby.
    pg.stop()
    p = vigie("backtest", "-c", conf, "--watch", "acme", "--from", "-1d",
              "--to", "now")
    t.exited(p, "backtest with the primary down reads the replica")
    p = vigie("report", "-c", conf, "--watch", "acme", "--from", "-1d",
              "--to", "now", "--format", "csv")
    t.exited(p, "report with the primary down reads the replica")
    t.ok("acme" in p.stdout.lower(), "the report names its watch")

    # Items published while there is no primary, then the standby
    # promoted under the running daemon.
    srv.set_feed("news.xml", feed(6))
    hits = srv.hits("/dynamic/news.xml")
    wait_until(lambda: srv.hits("/dynamic/news.xml") > hits, 30,
               "a poll while there is no primary")
    sb.promote()
    wait_until(lambda: titles(sb) == want(6), 90,
               "the items fetched during the failover stored on the new "
               "primary")
    time.sleep(2)
    rows = int(sb.scalar("SELECT count(*) FROM items"))
    t.eq(rows, 6, "nothing stored twice on the new primary")
    t.ok("database connected" in daemon_log(proc).split(
        "database unavailable")[-1],
         "the daemon reconnected to the promoted standby")
    srv.set_feed("news.xml", feed(7))
    wait_until(lambda: titles(sb) == want(7), 40,
               "polling stores on the new primary")
    if proc.poll() is not None:
        raise TestFailure(f"daemon exited ({proc.returncode})")


if __name__ == "__main__":
    run_test("it_replica", body)
