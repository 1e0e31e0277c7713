"""
it_metrics.py - the operators' view: /metrics in the Prometheus text format
(checked by promtool when it is installed), counters that follow what the
daemon does, and /healthz answering 200 only while the database and
polling are healthy.
"""

import pathlib
import shutil
import socket
import subprocess
import tempfile
import urllib.error
import urllib.request

from harness import (FixtureServer, Postgres, TestFailure, daemon_log,
                     run_test, start_daemon, start_psql, vigie, wait_until,
                     write_config)

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>t</title><language>en</language>
<item><guid>1</guid><title>Acme rocket skates are a scam</title></item>
<item><guid>2</guid><title>Acme ships on time</title></item>
</channel></rss>
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError:
        return None, ""


def metric(text, name):
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-metrics-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        srv.set_feed("a.xml", RSS)
        port = free_port()
        conf = f"{tmp.name}/vigie.conf"
        write_config(conf, pg.conninfo, {
            "a": srv.url("/dynamic/a.xml"),
            "missing": srv.url("/status/404"),
        }, interval="10s")
        text = pathlib.Path(conf).read_text()
        text = text.replace("[daemon]\n", f"[daemon]\nlisten = 127.0.0.1:{port}\n")
        text += '\n[watch "Acme"]\nquery = acme\n'
        pathlib.Path(conf).write_text(text)
        text = pathlib.Path(conf).read_text().replace(
            "[database]\n", "[database]\nretention = 30d\n")
        pathlib.Path(conf).write_text(text)
        t.exited(vigie("migrate", "-c", conf), "migrate")
        # History older than the retention, left by an earlier life: a
        # month that ended over 30 days ago, in partitions of its own.
        pg.query("SELECT create_partitions(now() - interval '3 months',"
                 " now() - interval '3 months')")
        pg.query("INSERT INTO sources (name, url, interval_s) "
                 "VALUES ('old', 'http://old.example/', 60)")
        pg.query("INSERT INTO items (source_id, identity, title, "
                 "first_seen_at) SELECT id, 'x' || g, 'old', "
                 "now() - interval '3 months' FROM sources, "
                 "generate_series(1, 3) g WHERE name = 'old'")
        old_month = pg.scalar("SELECT to_char((now() - interval '3 months')"
                              " AT TIME ZONE 'UTC', 'YYYY_MM')")

        # A query holding the old month (an analyst's, say) makes the drop
        # give up after its lock timeout: a warning, polling goes on, and
        # the month goes on the next attempt (the daemon below).
        holder = start_psql(
            pg.conninfo, f"BEGIN; LOCK TABLE items_{old_month} IN ACCESS"
            " SHARE MODE; SELECT pg_sleep(10); COMMIT")
        try:
            wait_until(lambda: pg.scalar(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c"
                " ON c.oid = l.relation WHERE c.relname ="
                f" 'items_{old_month}' AND l.granted") == "1", 10,
                "the old month locked")
            locked = write_config(f"{tmp.name}/locked.conf", pg.conninfo, {
                "elsewhere": srv.url("/status/404")})
            pathlib.Path(locked).write_text(pathlib.Path(locked).read_text()
                                            .replace("[database]\n",
                                                     "[database]\n"
                                                     "retention = 30d\n"))
            p = vigie("run", "-c", locked, "--once", timeout=60)
        finally:
            holder.wait(timeout=30)
        t.exited(p, "run --once while the old month is locked")
        t.ok("partition maintenance" in p.stderr
             and "lock timeout" in p.stderr,
             f"the failed drop is reported: {p.stderr[-600:]!r}")
        t.eq(pg.scalar("SELECT count(*) FROM fetches f JOIN sources s"
                       " ON s.id = f.source_id WHERE s.name = 'elsewhere'"),
             "1", "polling went on")
        t.eq(pg.scalar("SELECT count(*) FROM items WHERE title = 'old'"),
             "3", "the locked month is kept")

        # The daemon's first maintenance meets the same lock: it is tried
        # again within a minute, not an hour later.
        holder = start_psql(
            pg.conninfo, f"BEGIN; LOCK TABLE items_{old_month} IN ACCESS"
            " SHARE MODE; SELECT pg_sleep(15); COMMIT")
        wait_until(lambda: pg.scalar(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c"
            " ON c.oid = l.relation WHERE c.relname ="
            f" 'items_{old_month}' AND l.granted") != "0", 30,
            "the old month held again")
        # While the drop waits for that month it holds nothing the saves
        # write: it used to hold fetches (its month went first) and wait
        # for items, while a save held items and waited for fetches.
        drop = start_psql(pg.conninfo,
                          "SELECT maintain_partitions('30 days')",
                          stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: pg.scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                "'SELECT maintain_partitions%'") != "0", 10,
                "the drop under way")
            try:
                pg.query("SET lock_timeout = '2s'; BEGIN; LOCK TABLE "
                         "fetches, items IN ROW EXCLUSIVE MODE; COMMIT")
                writable = True
            except TestFailure:
                writable = False
            t.ok(writable, "a waiting drop leaves fetches and items to the "
                 "saves")
        finally:
            drop.wait(timeout=30)
        # An item the merge set aside (schema 035), not due for hours.
        pg.query("INSERT INTO staged_items (id, source_id, identity, title)"
                 " OVERRIDING SYSTEM VALUE SELECT 999999, id, 'aside',"
                 " 'aside' FROM sources WHERE name = 'old'")
        pg.query("INSERT INTO staged_refused (item_id, retry_at, sqlstate,"
                 " error) VALUES (999999, now() + interval '1 day',"
                 " '23514', 'refused')")
        d = start_daemon(conf)
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: (metric(get(base + "/metrics")[1],
                                   "vigie_items_total") or 0) >= 2, 30,
                   "two items counted")
        # Database figures are read every 15 s.
        wait_until(lambda: metric(get(base + "/metrics")[1],
                                  'vigie_sources{state="failing"}') == 1, 40,
                   "the failing source in the database figures")
        code, text = get(base + "/metrics")
        t.eq(code, 200, "/metrics answers")
        t.eq(metric(text, 'vigie_fetches_total{outcome="ok"}') >= 1, True,
             "ok fetches counted")
        t.eq(metric(text, 'vigie_fetches_total{outcome="failed"}') >= 1, True,
             "failed fetches counted")
        t.eq(metric(text, 'vigie_mentions_total{label="negative"}'), 1.0,
             "the negative mention counted")
        t.eq(metric(text, "vigie_database_up"), 1.0, "database up")
        t.eq(metric(text, "vigie_items_set_aside"), 1.0,
             "the item the merge set aside")
        promtool = shutil.which("promtool")
        if promtool:
            p = subprocess.run([promtool, "check", "metrics"], input=text,
                               capture_output=True, text=True, timeout=30)
            t.eq(p.returncode, 0, f"promtool check metrics: {p.stdout}"
                 f"{p.stderr}")
        else:
            print("promtool not installed: format not checked")
        code, _ = get(base + "/healthz")
        t.eq(code, 200, "/healthz while healthy")
        holder.wait(timeout=30)
        wait_until(lambda: pg.scalar("SELECT count(*) FROM items WHERE "
                                     "title = 'old'") == "0", 90,
                   "items older than the retention deleted, after the "
                   "failed first attempt")
        t.ok("partition maintenance" in daemon_log(d),
             "the daemon's failed first attempt is reported")
        t.eq(pg.scalar("SELECT count(*) FROM items"), "2",
             "recent items kept")
        t.eq(pg.scalar("SELECT string_agg(relname, ' ' ORDER BY relname)"
                       " FROM pg_class WHERE relname ~ '_%s$'" % old_month),
             None, "the old month's partitions dropped")
        code, _ = get(base + "/nowhere")
        t.eq(code, 404, "unknown path")

        pg.stop()
        wait_until(lambda: get(base + "/healthz")[0] == 503, 30,
                   "/healthz reports the database down")
        code, body_text = get(base + "/healthz")
        t.ok("database" in body_text, f"/healthz says why: {body_text!r}")
        pg.start()
        wait_until(lambda: get(base + "/healthz")[0] == 200, 60,
                   "/healthz recovers with the database")

        d.terminate()
        t.eq(d.wait(timeout=30), 0, "SIGTERM: exit 0")
        code, _ = get(base + "/metrics")
        t.eq(code, None, "nothing listens after the daemon stopped")

        # A port that cannot be bound is refused at start, clearly.
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen(1)
            taken = busy.getsockname()[1]
            text = pathlib.Path(conf).read_text().replace(
                f"listen = 127.0.0.1:{port}", f"listen = 127.0.0.1:{taken}")
            pathlib.Path(conf).write_text(text)
            p = vigie("run", "-c", conf, timeout=30)
            t.exited(p, "run with a port in use", want=1)
            t.ok(f"cannot listen on 127.0.0.1:{taken}" in p.stderr,
                 f"the port is named: {p.stderr[-300:]!r}")


run_test("it_metrics", body)
