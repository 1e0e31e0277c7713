#!/usr/bin/env python3
"""
dash_bench.py - the dashboard's pages at scale: sql_bench.py's database
(10 million mentions over 2025, 1,000 watches, skewed volumes) in a
private PostgreSQL cluster, `vigie dashboard` on a loopback port, and
each page timed over HTTP for June 2025, for the busiest watch and for a
median one, against the 200 ms a page may take.

To sql_bench's generation it adds what the dashboard shows and the
daemon would have written: every item's full-text vector (as
index_items() computes it), a mention in 200 abusive and one in 97
spreading a rumour, set as the rows are inserted. Each page is asked
once after PostgreSQL restarted (its shared buffers empty, the OS cache
as the generation left it), then five times more: the first time and
the median of the five are printed (milliseconds from the request sent
to the last byte read), with their ratio to the limit. The overview and
the lists of every watch are asked for the same month. Last, the pages
are asked once more with auto_explain, and the plans of the statements
over --explain-ms milliseconds are written to --plans
(docs/BENCHMARKS.md, dashboard pages on 10 million mentions).

    python3 bench/dash_bench.py [--vigie build-release/vigie]
        [--mentions 10000000] [--plans /tmp/dash_plans.txt]

--hold FILE keeps the cluster and the dashboard after the figures while
FILE exists (its connection string is printed); --reuse CONNINFO times
the pages on such a cluster again, after `vigie migrate`.
"""

import argparse
import http.client
import os
import pathlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import sql_bench  # noqa: E402
from sql_bench import Postgres, vigie, write_config  # noqa: E402

LIMIT_MS = 200.0
WARM_RUNS = 5
FROM, TO = "2025-06-01", "2025-06-30"  # June, the last day included

# What the daemon would have written besides sql_bench's columns, set as
# the rows are inserted: every item's full-text vector (as index_items()
# computes it), a mention in 200 abusive and one in 97 spreading a rumour.
DASHBOARD_COLUMNS = ("""
CREATE FUNCTION pg_temp.bench_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := item_search_vector(NEW.lang, NEW.title, NEW.summary,
                                     NEW.content);
    RETURN NEW;
END $$;
CREATE FUNCTION pg_temp.bench_mention() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.abusive := NEW.item_id % 200 = 0;
    NEW.rumour := NEW.item_id % 97 = 0;
    RETURN NEW;
END $$;
CREATE TRIGGER bench_item BEFORE INSERT ON items
    FOR EACH ROW EXECUTE FUNCTION pg_temp.bench_item();
CREATE TRIGGER bench_mention BEFORE INSERT ON mentions
    FOR EACH ROW EXECUTE FUNCTION pg_temp.bench_mention();
""", """
DROP TRIGGER bench_item ON items;
DROP TRIGGER bench_mention ON mentions;
""")


def pages(watch):
    """The pages asked for one watch, by name: path."""
    m = f"from={FROM}&to={TO}"
    return {
        "watch": f"/watch?w={watch}&{m}",
        "mentions": f"/mentions?watch={watch}&{m}",
        "mentions, tone=negative": f"/mentions?watch={watch}&tone=negative&{m}",
        "mentions, q=remboursement":
            f"/mentions?watch={watch}&q=remboursement&{m}",
        "mentions, page 2": f"/mentions?watch={watch}&page=2&{m}",
        "mentions, format=csv": f"/mentions?watch={watch}&format=csv&{m}",
        "incidents": f"/incidents?watch={watch}&{m}",
    }


# The pages about no one watch.
GLOBAL_PAGES = {
    "overview (every watch)": f"/?from={FROM}&to={TO}",
    "mentions (every watch)": f"/mentions?from={FROM}&to={TO}",
    "incidents (every watch)": f"/incidents?from={FROM}&to={TO}",
    "sources": f"/sources?from={FROM}&to={TO}",
    "moderation": f"/moderation?from={FROM}&to={TO}",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dashboard(binary, conf, port):
    """vigie dashboard, its messages in conf's directory (a pipe left
    unread would block it)."""
    log = open(pathlib.Path(conf).parent / "dashboard.log", "a")
    proc = subprocess.Popen(
        [binary, "dashboard", "-c", conf, "--listen", f"127.0.0.1:{port}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
        text=True)
    line = proc.stdout.readline()
    if not line.startswith("vigie dashboard: http://"):
        proc.kill()
        log.close()
        sys.exit(f"dashboard did not start: {line!r} "
                 f"{pathlib.Path(log.name).read_text()}")
    return proc


def get(port, path):
    """One request on a new connection: status, bytes, milliseconds from
    the request sent to the last byte read."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    t0 = time.perf_counter()
    c.request("GET", path)
    r = c.getresponse()
    data = r.read()
    ms = (time.perf_counter() - t0) * 1000
    c.close()
    return r.status, len(data), ms


def write_conf(path, conninfo, watches):
    """A configuration whose watches are the generated ones."""
    write_config(path, conninfo, {}, log_level="warning")
    with open(path, "a") as f:
        for name, query, group in watches:
            f.write(f'[watch "{name}"]\nquery = {query}\n'
                    f'tags = {group}\ncompare = {group}\n\n')


class Reused(Postgres):
    """A cluster left running by an earlier --hold: queried, never
    stopped."""

    def __init__(self, conninfo):  # no cluster made: the one given
        self.conninfo = conninfo
        self.sock = pathlib.Path(conninfo.split("host=")[1].split()[0])
        self.dir = self.sock.parent
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.as_root = os.geteuid() == 0
        self.running = True
        self._initialized = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigie", default="build-release/vigie")
    ap.add_argument("--mentions", type=int, default=10_000_000)
    ap.add_argument("--plans", default="/tmp/dash_plans.txt")
    ap.add_argument("--explain-ms", type=int, default=20)
    ap.add_argument("--hold", metavar="FILE")
    ap.add_argument("--reuse", metavar="CONNINFO")
    args = ap.parse_args()
    binary = os.path.abspath(args.vigie)
    os.environ["VIGIE"] = binary

    tmp = tempfile.TemporaryDirectory(prefix="vigie-dash-bench-")
    with tmp, (Reused(args.reuse) if args.reuse else Postgres()) as pg:
        conf = f"{tmp.name}/vigie.conf"
        if args.reuse:
            write_config(conf, pg.conninfo, {})
            p = vigie("migrate", "-c", conf, timeout=3600)
            if p.returncode:
                sys.exit("migrate failed:\n" + p.stderr)
        else:
            sql_bench.generate(pg, conf, args.mentions, DASHBOARD_COLUMNS)
        picks = sql_bench.pick_watches(pg)
        for k, w in picks.items():
            june = pg.scalar(
                "SELECT count(*) FROM mentions m JOIN watches w"
                f" ON w.id = m.watch_id WHERE w.name = '{w}'"
                f" AND m.first_seen_at >= '{FROM}'"
                f" AND m.first_seen_at < '{TO}'::date + 1")
            print(f"{k} watch {w}: {june} mentions first seen in June",
                  flush=True)
        watches = pg.query("SELECT name, query, compare_group FROM watches"
                           " WHERE in_config ORDER BY id")
        write_conf(conf, pg.conninfo, watches)

        # Shared buffers emptied: the first request reads from the OS.
        pg.restart()
        port = free_port()
        dash = start_dashboard(binary, conf, port)
        try:
            print(f"load average {open('/proc/loadavg').read().strip()}")
            print(f"{'page':34} {'watch':8} {'status':>6} {'KiB':>7}"
                  f" {'1st ms':>8} {'warm ms':>8} {'1st/200':>8}"
                  f" {'warm/200':>8}")
            todo = [(name, k, path) for k, w in picks.items()
                    for name, path in pages(w).items()]
            todo += [(name, "-", path) for name, path in GLOBAL_PAGES.items()]
            # Each page's first request before any is repeated.
            first = {path: get(port, path) for _, _, path in todo}
            for name, k, path in todo:
                status, size, ms1 = first[path]
                warm = statistics.median(
                    get(port, path)[2] for _ in range(WARM_RUNS))
                print(f"{name:34} {k:8} {status:6} {size / 1024:7.0f}"
                      f" {ms1:8.1f} {warm:8.1f} {ms1 / LIMIT_MS:7.2f}x"
                      f" {warm / LIMIT_MS:7.2f}x", flush=True)
            print(f"load average {open('/proc/loadavg').read().strip()}")
        finally:
            dash.terminate()
            dash.wait(timeout=60)

        explain_pass(pg, binary, conf, [p for _, _, p in todo],
                     args.explain_ms, args.plans)

        if args.hold:
            pathlib.Path(args.hold).touch()
            dash = start_dashboard(binary, conf, port)
            print(f"held: {pg.conninfo}, dashboard on 127.0.0.1:{port};"
                  f" remove {args.hold} to end", flush=True)
            while os.path.exists(args.hold):
                time.sleep(2)
            dash.terminate()
            dash.wait(timeout=60)


def explain_pass(pg, binary, conf, paths, min_ms, plans):
    """Each page once more with auto_explain: the plans of its statements
    over min_ms, from the server's log, written to plans."""
    settings = {"session_preload_libraries": "'auto_explain'",
                "auto_explain.log_min_duration": f"'{min_ms}ms'",
                "auto_explain.log_analyze": "on",
                "auto_explain.log_buffers": "on",
                # Above log_min_messages, and not sent to the client.
                "auto_explain.log_level": "warning",
                "client_min_messages": "error"}
    auto = pg.data / "postgresql.auto.conf"
    before = auto.read_text()
    auto.write_text(before + "".join(f"{k} = {v}\n"
                                     for k, v in settings.items()))
    pg.restart()
    port = free_port()
    dash = start_dashboard(binary, conf, port)
    try:
        with open(plans, "w") as out:
            for path in paths:
                get(port, path)  # the cache warmed: the plan of a warm run
                at = pg.log.stat().st_size
                get(port, path)
                time.sleep(0.2)
                with open(pg.log, errors="replace") as log:
                    log.seek(at)
                    out.write(f"==== GET {path}\n{log.read()}\n")
    finally:
        dash.terminate()
        dash.wait(timeout=60)
        auto.write_text(before)
        pg.restart()
    print(f"plans of the statements over {min_ms} ms written to {plans}")


if __name__ == "__main__":
    main()
