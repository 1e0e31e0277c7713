#!/usr/bin/env python3
"""
poll_bench.py - what one polling cycle costs: `vigie run --once` over N
feeds served by nginx on loopback, for several N, each against a fresh
PostgreSQL database.

For each N it measures the cold cycle (every feed is new: fetch, parse,
store every item) and a warm one (`--once` again: every answer is a 304
thanks to the ETag), with the wall time and the peak RSS of the vigie
process (/usr/bin/time -v), and checks that the database holds exactly
the items generated. Two watches match most items, so that matching,
judging and storing mentions are part of the cycle. Then it prints how
time and memory grow against the smallest N.

Beside it, in the same run and over the same URLs:
- newsboat (`-x reload`, 32 threads, a fresh cache), a desktop feed
  reader doing the same fetch, parse and store (--no-newsboat to skip;
  --newsboat-limit S stops it after S seconds, and the items its cache
  holds by then give its rate, which only falls as its cache grows);
- the rows the cold cycle stored, as its insert wrote them (without the
  full-text vector and story link computed after it), dumped and loaded
  again with `COPY`, into tables of the same columns without indexes,
  defaults or generated columns (the raw rate of the data: the fastest of
  three loads) and
  once into a freshly migrated database (the schema's own write cost),
  and with --schema-costs into such a database without its counts'
  triggers, the checks of its references (to sources, authors and
  watches), items' or mentions' secondary indexes, one at a time (what
  each costs);
  vigie's ingest rate is those rows over its cold cycle's time;
- with --reindex, the indexer's work alone: the cold cycle's items, with
  copies of a quarter of them from other sources (half with the same
  link, half with a text two bits of SimHash away) so that there are
  stories to find, made unindexed again, then `index_items(1000)` batch
  after batch on one connection, as the daemon sends them;
- with --server-stats, the statements that took the server's time in
  the cold cycle and its merge, from pg_stat_statements (calls, planning
  and execution milliseconds, rows);
- when the cycle had stored every feed (the daemon's log: `once: every
  source polled and stored in S s`), which is the cycle's time: the
  saves stage the rows, which are merged into items and mentions with
  their full-text vectors and story links after (docs/SQL.md, "When an
  item shows"), and `--once` merges them before it exits, which the
  process's wall time includes; and how long the longest item waited
  for it (the log's `search: ... the longest waited about S s`). With
  --cold-runs N the cold cycle runs N times, each on a database of its
  own, and its stored time is their median (each is printed): on a
  shared virtual machine the same build's cycle moves by a quarter
  within the hour. Each run is checked; the last is the one loaded
  with COPY.

The server is warmed before the first cycle, as one in service is: its
shared buffers touched, WAL segments left to recycle; and every timed
cycle or load starts after a CHECKPOINT, so that none pays for writing
what the one before left dirty (settle(), warm_server()).

The feeds (bench/feedgen.py) are spread over 64 loopback addresses,
127.0.0.1 to 127.0.0.64, so that the per-host limit does not serialise
the cycle. Nothing listens beyond loopback, and everything started here
(nginx, PostgreSQL) is stopped on exit, whatever the exit.

    python3 bench/poll_bench.py [--vigie build-bench/vigie]
        [--sizes 500,1000,2000] [--seed 1] [--no-gzip]
        [--no-newsboat | --newsboat-limit SECONDS]
        [--no-copy | --schema-costs] [--reindex] [--server-stats]
        [--concurrency 64 --per-host 2] [--shared-buffers 128MB]
        [--cold-runs 1]
"""

import argparse
import gzip
import os
import re
import pathlib
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

BENCH_DIR = pathlib.Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(REPO_DIR / "tests"))
sys.path.insert(0, str(BENCH_DIR))

import feedgen  # noqa: E402
import harness  # noqa: E402

HOSTS = 64
NGINX = "/usr/sbin/nginx"
NEWSBOAT = "/usr/bin/newsboat"
TIME = "/usr/bin/time"
POLL = {"concurrency": 64, "per_host": 2, "timeout": "30s",
        "interval": "15m"}
CYCLE_TIMEOUT = 1800    # seconds; a cycle that long is a failure
# Two watches of the feeds' vocabulary (bench/feedgen.py): together they
# match more than one item in two.
WATCHES = """
[watch "Marque"]
query = company OR brand OR customers

[watch "Service"]
query = service OR outage OR refund OR delivery
"""
START_TIMEOUT = 15


class BenchError(Exception):
    pass


def host(i):
    return f"127.0.0.{i % HOSTS + 1}"


# ----------------------------------------------------------------------
# PostgreSQL: the test harness's throwaway cluster, with PostgreSQL's
# default shared_buffers rather than the tests' 16 MB (the largest run
# stores more than 100 MB of items), or what --shared-buffers says. fsync
# stays off: the figures are the daemon's, not the disk's.

class Postgres(harness.Postgres):
    def __init__(self, server_stats=False, shared_buffers="128MB"):
        self.server_stats = server_stats
        self.shared_buffers = shared_buffers
        super().__init__()

    def start(self):
        if self._initialized and not self.running:
            with open(self.data / "postgresql.conf", "a") as f:
                f.write(f"shared_buffers = {self.shared_buffers}\n")
                if self.server_stats:
                    f.write("shared_preload_libraries = "
                            "'pg_stat_statements'\n"
                            "pg_stat_statements.track = all\n"
                            "pg_stat_statements.track_planning = on\n")
        super().start()


# The statements that took the server's time in the cold cycle (its
# merge included), with --server-stats: the daemon's requests and,
# nested, what index_items() runs.
SERVER_STATS = """
SELECT calls, round(total_plan_time), round(total_exec_time), rows,
       left(regexp_replace(query, '\\s+', ' ', 'g'), 70)
  FROM pg_stat_statements
 ORDER BY total_plan_time + total_exec_time DESC LIMIT 8
"""


# ----------------------------------------------------------------------
# nginx

NGINX_CONF = """\
worker_processes auto;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
daemon off;
master_process on;

events {{
	worker_connections 1024;
}}

http {{
	access_log off;
	client_body_temp_path {dir}/tmp/body;
	proxy_temp_path {dir}/tmp/proxy;
	fastcgi_temp_path {dir}/tmp/fastcgi;
	uwsgi_temp_path {dir}/tmp/uwsgi;
	scgi_temp_path {dir}/tmp/scgi;
	types {{
		application/rss+xml xml;
		application/atom+xml atom;
	}}
	default_type application/octet-stream;
	sendfile on;
	tcp_nopush on;
	keepalive_timeout 65s;
	gzip_static {gzip};
	server {{
{listen}
		root {root};
	}}
}}
"""


def free_port():
    """A port free on 127.0.0.1; nginx says so if another address has it
    taken, and we try again."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    def __init__(self, root, workdir, gzipped):
        self.root = root
        self.dir = pathlib.Path(workdir)
        self.gzipped = gzipped
        self.proc = None
        self.port = None

    def __enter__(self):
        for _ in range(5):
            self.port = free_port()
            if self._start():
                return self
        raise BenchError("nginx would not start:\n" + self._log())

    def __exit__(self, *exc):
        self.stop()

    def _start(self):
        (self.dir / "tmp").mkdir(parents=True, exist_ok=True)
        listen = "\n".join(f"\t\tlisten {host(i)}:{self.port};"
                           for i in range(HOSTS))
        conf = self.dir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(
            dir=self.dir, listen=listen, root=self.root,
            gzip="on" if self.gzipped else "off"))
        # -e: the error log of the start-up itself, before nginx.conf is
        # read, must not go to /var/log/nginx.
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(self.dir), "-c", str(conf),
             "-e", str(self.dir / "error.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc = None
                return False
            if all(self._accepts(host(i)) for i in (0, HOSTS - 1)):
                return True
            time.sleep(0.1)
        self.stop()
        return False

    def _accepts(self, addr):
        try:
            with socket.create_connection((addr, self.port), timeout=1):
                return True
        except OSError:
            return False

    def _log(self):
        try:
            return (self.dir / "error.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc is None:
            return
        # SIGTERM is nginx's fast shutdown.
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def url(self, i, name):
        return f"http://{host(i)}:{self.port}/{name}"


def check_served(nginx, feeds):
    """One feed, fetched the way vigie will: it must come back whole, with
    an ETag, compressed when it should be."""
    name, size, _ = feeds[0]
    req = urllib.request.Request(nginx.url(0, name),
                                 headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
        etag = r.headers.get("ETag")
        encoding = r.headers.get("Content-Encoding")
    if not etag:
        raise BenchError(f"nginx sent {name} without an ETag")
    if (encoding == "gzip") != nginx.gzipped:
        raise BenchError(f"nginx sent {name} with Content-Encoding "
                         f"{encoding!r}")
    if encoding == "gzip":
        body = gzip.decompress(body)
    if len(body) != size:
        raise BenchError(f"nginx sent {len(body)} bytes of {name}, "
                         f"not {size}")


# ----------------------------------------------------------------------
# One cycle

def timed_cycle(vigie, conf, workdir, label):
    """Runs `vigie run --once`: see timed()."""
    return timed([vigie, "run", "-c", str(conf), "--once"], workdir, label)


def stop_timed(pid):
    """SIGTERM to the program /usr/bin/time (pid) runs, so that time
    still reports on it."""
    try:
        kids = pathlib.Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return
    for kid in kids.split():
        try:
            os.kill(int(kid), signal.SIGTERM)
        except ProcessLookupError:
            pass


def timed(cmd, workdir, label, env=None, limit=None):
    """Runs cmd under /usr/bin/time -v; with limit, stops it after that
    many seconds (then its exit status does not count). Returns wall
    seconds, peak RSS in KiB, CPU seconds (user + system)."""
    stats = workdir / f"{label}.time"
    log = workdir / f"{label}.log"
    cmd = [TIME, "-v", "-o", str(stats), *map(str, cmd)]
    with open(log, "w") as out:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, env=env or harness._clean_env(),
                                cwd=workdir, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        stopped = False
        try:
            if limit is not None:
                try:
                    proc.wait(timeout=limit)
                except subprocess.TimeoutExpired:
                    stopped = True
                    stop_timed(proc.pid)
            proc.wait(timeout=CYCLE_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise BenchError(f"{label}: still running after "
                             f"{CYCLE_TIMEOUT} s\n{tail(log)}") from None
        finally:
            # Also when we are interrupted: the program runs in its own
            # session, out of reach of the signal that stopped us.
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        wall = time.monotonic() - t0
    if proc.returncode != 0 and not stopped:
        raise BenchError(f"{label}: {cmd[4]} "
                         f"{harness.exit_status(proc.returncode)}\n"
                         f"{tail(log)}")
    fields = {}
    for line in stats.read_text().splitlines():
        key, _, value = line.strip().rpartition(": ")
        fields[key] = value
    try:
        rss = int(fields["Maximum resident set size (kbytes)"])
        cpu = (float(fields["User time (seconds)"]) +
               float(fields["System time (seconds)"]))
    except (KeyError, ValueError):
        raise BenchError(f"{label}: cannot read {stats}:\n"
                         f"{stats.read_text()}") from None
    return wall, rss, cpu


NEWSBOAT_CONF = """\
reload-threads 32
download-timeout 30
max-items 0
show-read-feeds yes
"""


def newsboat_cycle(nginx, feeds, n, workdir, limit=None):
    """newsboat's reload of the first n feeds into a fresh cache: the
    desktop reader's cold cycle, stopped after limit seconds if given.
    Returns timed()'s figures, the items its cache holds, and whether it
    was stopped."""
    d = workdir / f"newsboat-{n}"
    d.mkdir()
    (d / "urls").write_text("".join(nginx.url(i, name) + "\n"
                                    for i, (name, _, _) in
                                    enumerate(feeds[:n])))
    (d / "config").write_text(NEWSBOAT_CONF)
    env = dict(harness._clean_env(), HOME=str(d))
    res = timed([NEWSBOAT, "-q", "-u", d / "urls", "-c", d / "cache.db",
                 "-C", d / "config", "-x", "reload"], d, "run", env=env,
                limit=limit)
    with sqlite3.connect(d / "cache.db") as db:
        items = db.execute("SELECT count(*) FROM rss_item").fetchone()[0]
    shutil.rmtree(d, ignore_errors=True)
    return res, items, limit is not None and res[0] >= limit


def tail(path, n=15):
    lines = pathlib.Path(path).read_text(errors="replace").splitlines()
    return "\n".join(lines[-n:])


def outcomes(pg):
    return {o: int(c) for o, c in pg.query(
        "SELECT outcome, count(*) FROM fetches GROUP BY outcome")}


def check_items(pg, feeds, n, label):
    """Errors, one per line: the items stored must be the items generated,
    source by source."""
    want = sum(f[2] for f in feeds[:n])
    got = int(pg.scalar("SELECT count(*) FROM items"))
    if got == want:
        return []
    errors = [f"{label}: {got} items in the database, {want} generated"]
    per_source = dict(pg.query(
        "SELECT s.name, count(i.id) FROM sources s"
        " LEFT JOIN items i ON i.source_id = s.id GROUP BY s.name"))
    wrong = [(f"feed-{i:05d}", feeds[i][2],
              int(per_source.get(f"feed-{i:05d}", 0)))
             for i in range(n)
             if int(per_source.get(f"feed-{i:05d}", 0)) != feeds[i][2]]
    for name, w, g in wrong[:10]:
        errors.append(f"  source {name}: {g} items, {w} generated")
    if len(wrong) > 10:
        errors.append(f"  ... and {len(wrong) - 10} more sources")
    return errors


def cold_errors(pg, feeds, n, label):
    """Errors of a cold cycle over the first n feeds: every fetch ok, every
    item generated stored (and counted new by its fetch), merged and
    indexed."""
    errors = []
    left = pg.scalar("SELECT count(*) FROM items WHERE search IS NULL")
    if pg.scalar("SELECT to_regclass('staged_items') IS NOT NULL") == "t":
        left = str(int(left) + int(pg.scalar(
            "SELECT count(*) FROM staged_items")))
    if left != "0":
        errors.append(f"{label}: {left} items left unindexed or unmerged")
    got = outcomes(pg)
    if got != {"ok": n}:
        errors.append(f"{label}: fetch outcomes {got}, want {n} ok")
    errors += check_items(pg, feeds, n, label)
    want = sum(f[2] for f in feeds[:n])
    new = int(pg.scalar("SELECT coalesce(sum(items_new), 0) FROM fetches"))
    if new != want:
        errors.append(f"{label}: fetches count {new} new items, {want} "
                      "generated")
    return errors


# ----------------------------------------------------------------------
# What the rows cost: the cold cycle's rows loaded again with COPY

# The tables a cycle fills, in an order their keys allow (an item refers
# to its author); and those their keys refer to, copied first and not
# timed.
STORED = ("authors", "items", "mentions")
REFERRED = ("sources", "watches")


def psql(pg, sql, dbname="vigie", stdin=None, stdout=None):
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
           f"host={pg.sock} dbname={dbname} user=vigie", "-c", sql]
    p = subprocess.run(cmd, env=harness._clean_env(), stdin=stdin,
                       stdout=stdout, stderr=subprocess.PIPE, timeout=900)
    if p.returncode != 0:
        raise BenchError(f"psql {sql!r}: {p.stderr.decode().strip()}")


# What the indexer computes after the insert (schema 009): not part of
# the rows the cycle writes, so not part of what COPY loads.
DERIVED = {"search", "story_id"}


def columns(pg, table, generated):
    """The table's columns in order, as the cycle's insert writes them;
    without the generated ones unless asked (COPY cannot write them)."""
    return [c for c, g in pg.query(
        "SELECT attname, attgenerated <> '' FROM pg_attribute"
        f" WHERE attrelid = 'public.{table}'::regclass AND attnum > 0"
        " AND NOT attisdropped ORDER BY attnum")
        if (generated or g == "f") and c not in DERIVED]


def copy_in(pg, dbname, table, cols, path):
    """Seconds to COPY path into table (one psql, its start included:
    a few milliseconds)."""
    with open(path, "rb") as f:
        t0 = time.monotonic()
        psql(pg, f"COPY {table} ({', '.join(cols)}) FROM STDIN", dbname,
             stdin=f)
        return time.monotonic() - t0


def drop_secondary_indexes(table):
    """SQL dropping table's indexes but its key and unique ones."""
    return ("DO $$DECLARE r record; BEGIN FOR r IN SELECT"
            " indexrelid::regclass i FROM pg_index WHERE indrelid ="
            f" '{table}'::regclass AND NOT indisprimary AND NOT indisunique"
            " LOOP EXECUTE format('DROP INDEX %s', r.i); END LOOP; END$$")


# What --schema-costs takes away from a freshly migrated schema before
# loading the same rows into it, one thing at a time: what each part of
# the schema costs the write.
SCHEMA_VARIANTS = (
    ("the counts' triggers disabled",
     "ALTER TABLE items DISABLE TRIGGER items_count_insert;"
     " ALTER TABLE mentions DISABLE TRIGGER mentions_count_insert"),
    ("the references' checks disabled (schema 027)",
     "ALTER TABLE items DISABLE TRIGGER parents_insert;"
     " ALTER TABLE mentions DISABLE TRIGGER parents_insert"),
    ("items' indexes but the key and identity dropped",
     drop_secondary_indexes("items")),
    ("mentions' indexes but the key dropped",
     drop_secondary_indexes("mentions")),
)


def migrate(conf, what=""):
    p = harness.vigie("migrate", "-c", conf, timeout=120)
    if p.returncode != 0:
        raise BenchError(f"vigie migrate{what} failed:\n{p.stderr}")


def migrated(pg, conf, workdir, dbname, dumps):
    """A new database dbname, migrated, holding the rows the stored ones
    refer to."""
    psql(pg, f"CREATE DATABASE {dbname}")
    c = workdir / f"{dbname}.conf"
    c.write_text(conf.read_text().replace("dbname=vigie",
                                          f"dbname={dbname}"))
    c.chmod(0o600)
    migrate(c, f" ({dbname})")
    for t in REFERRED:
        copy_in(pg, dbname, t, *dumps[t])


# A cluster just made is not one in service: each of its shared buffers
# is a page of memory the kernel zeroes when first touched, and each WAL
# segment it fills is a new file of 16 MB written with zeros first. Both
# fell to the first cold cycle (7 % of the machine's samples, perf
# record -a), not to the COPY loads that ran after it on the same server:
# a server in service reuses its buffers and recycles its segments. So
# the server is warmed first: a table larger than its buffers read into
# them with pg_prewarm (PostgreSQL's own module: a plain scan goes
# through a small ring of buffers), its writing leaving WAL segments that
# a checkpoint recycles.

def settle(pg):
    """A CHECKPOINT before each timed cycle or load: the pages what ran
    before left dirty are written now rather than while the next runs,
    and the WAL segments it filled are recycled for the next to write
    into."""
    psql(pg, "CHECKPOINT", "postgres")


def warm_server(pg):
    psql(pg, "CREATE DATABASE warm", "postgres")
    # In pages of 8 kB.
    pages = int(pg.scalar("SELECT setting FROM pg_settings"
                          " WHERE name = 'shared_buffers'"))
    # Rows of a kilobyte: seven to a page, the table a quarter larger
    # than the buffers.
    rows = pages * 5 // 4 * 7
    psql(pg, "CREATE EXTENSION pg_prewarm;"
         " CREATE TABLE warm AS SELECT g, repeat('x', 1000) AS x"
         f" FROM generate_series(1, {rows}) g;"
         " DO $$ BEGIN PERFORM pg_prewarm('warm'); END $$", "warm")
    psql(pg, "DROP DATABASE warm", "postgres")
    settle(pg)


# The bare COPY takes 1 to 2 s from one run to the next on this kind of
# machine, which alone moves the ingest ratio by half: the fastest of
# BARE_RUNS loads is the raw rate, the hardest to come close to.
BARE_RUNS = 3


def bare_load(pg, dumps):
    """Seconds to load the stored rows into the bare tables, emptied
    first."""
    psql(pg, f"TRUNCATE {', '.join(STORED)}", "bare")
    settle(pg)
    return sum(copy_in(pg, "bare", t, *dumps[t]) for t in STORED)


def copy_ingest(pg, conf, workdir, variants=False):
    """The rows the cycle stored, dumped, then loaded with COPY into bare
    tables (same columns, no index, default, key or generated column; the
    fastest of BARE_RUNS loads) and into a freshly migrated database; with
    variants, also into one per SCHEMA_VARIANTS. Returns (rows, bare
    seconds, schema seconds, [(variant, seconds)])."""
    rows = 0
    dumps = {}
    psql(pg, "CREATE DATABASE bare")
    for t in REFERRED + STORED:
        cols = columns(pg, t, generated=False)
        dumps[t] = (cols, workdir / f"{t}.copy")
        with open(dumps[t][1], "wb") as f:
            psql(pg, f"COPY (SELECT {', '.join(cols)} FROM {t}) TO STDOUT",
                 stdout=f)
        if t in REFERRED:
            continue
        rows += int(pg.scalar(f"SELECT count(*) FROM {t}"))
        types = pg.query(
            "SELECT attname, format_type(atttypid, atttypmod)"
            " FROM pg_attribute WHERE attrelid = "
            f"'public.{t}'::regclass AND attnum > 0 AND NOT attisdropped"
            " ORDER BY attnum")
        defs = ", ".join(f"{c} {ty}" for c, ty in types if c in cols)
        psql(pg, f"CREATE TABLE {t} ({defs})", "bare")
    bare = min(bare_load(pg, dumps) for _ in range(BARE_RUNS))
    migrated(pg, conf, workdir, "schema", dumps)
    settle(pg)
    own = sum(copy_in(pg, "schema", t, *dumps[t]) for t in STORED)
    costs = []
    for k, (what, sql) in enumerate(SCHEMA_VARIANTS if variants else ()):
        migrated(pg, conf, workdir, f"variant{k}", dumps)
        psql(pg, sql, f"variant{k}")
        settle(pg)
        costs.append((what, sum(copy_in(pg, f"variant{k}", t, *dumps[t])
                                for t in STORED)))
    for path in workdir.glob("*.copy"):
        path.unlink()
    return rows, bare, own, costs


STORED_LINE = re.compile(r"once: every source polled and stored in ([0-9.]+) s")
WAITED_LINE = re.compile(r"search: [0-9]+ items indexed in [0-9.]+ s; none "
                    r"waiting \(the longest waited about ([0-9.]+) s\)")


# ----------------------------------------------------------------------
# The indexer alone (--reindex)

# Copies of a quarter of the items on another source: every eighth with
# the same link (a story found by its link), every eighth but one with
# its text two bits of SimHash away and a link of its own (found by a
# band). Bands as the daemon cuts them: 16 bits each, high first.
STORY_COPIES = """
INSERT INTO items (source_id, identity, url_norm, simhash, band0, band1,
                   band2, band3, title, summary, content, lang, tone_lang)
SELECT s.id, i.identity || '-copy', i.url_norm, i.simhash, i.band0,
       i.band1, i.band2, i.band3, i.title, i.summary, i.content, i.lang,
       i.tone_lang
  FROM items i
  JOIN sources s
    ON s.id = (SELECT min(id) FROM sources WHERE id > i.source_id)
 WHERE i.id % 8 = 0;
INSERT INTO items (source_id, identity, url_norm, simhash, band0, band1,
                   band2, band3, title, summary, content, lang, tone_lang)
SELECT s.id, i.identity || '-near', i.url_norm || '-near', h,
       ((h >> 48) & 65535)::int, ((h >> 32) & 65535)::int,
       ((h >> 16) & 65535)::int, (h & 65535)::int, i.title, i.summary,
       i.content, i.lang, i.tone_lang
  FROM (SELECT *, simhash # 5 AS h FROM items WHERE id % 8 = 1) i
  JOIN sources s
    ON s.id = (SELECT min(id) FROM sources WHERE id > i.source_id);
UPDATE items SET search = NULL, story_id = NULL;
"""

REINDEX = """
DO $$
BEGIN
    WHILE (SELECT indexed FROM index_items(1000)) > 0 LOOP
        COMMIT;
    END LOOP;
END
$$
"""


def reindex(pg):
    """Items indexed, how many continue a story, and the seconds
    index_items(1000) took over them, batch after batch, each batch its
    own transaction."""
    psql(pg, STORY_COPIES)
    psql(pg, "VACUUM ANALYZE")
    t0 = time.monotonic()
    psql(pg, REINDEX)
    secs = time.monotonic() - t0
    items, stories = pg.query("SELECT count(*), count(story_id) FROM items")[0]
    return int(items), int(stories), secs


def from_log(workdir, label):
    """The cycle's seconds to store everything, and the longest an item
    waited to be searchable (0 when none had to), from the daemon's
    log."""
    text = (workdir / f"{label}.log").read_text(errors="replace")
    stored = STORED_LINE.search(text)
    if stored is None:
        raise BenchError(f"{label}: no 'stored in' line in the log")
    waits = [float(w) for w in WAITED_LINE.findall(text)]
    return float(stored.group(1)), max(waits, default=0.0)


def bench_one(args, nginx, feeds, n, workdir):
    res = {"n": n, "items": sum(f[2] for f in feeds[:n]), "errors": []}
    if args.newsboat:
        res["newsboat"], got, stopped = newsboat_cycle(
            nginx, feeds, n, workdir, args.newsboat_limit)
        res["newsboat_items"], res["newsboat_stopped"] = got, stopped
        if got != res["items"] and not stopped:
            res["errors"].append(f"newsboat {n}: {got} items in its "
                                 f"cache, {res['items']} generated")
    with Postgres(args.server_stats, args.shared_buffers) as pg:
        conf = workdir / f"vigie-{n}.conf"
        sources = {f"feed-{i:05d}": nginx.url(i, feeds[i][0])
                   for i in range(n)}
        harness.write_config(conf, pg.conninfo, sources, log_level="info",
                             **dict(POLL, concurrency=args.concurrency,
                                    per_host=args.per_host),
                             # Unset by default, for builds before it.
                             **({"read_threads": args.read_threads}
                                if args.read_threads else {}))
        with open(conf, "a") as f:
            f.write(WATCHES)
        warm_server(pg)
        stored_runs = []
        for k in range(args.cold_runs - 1):
            migrate(conf)
            settle(pg)
            timed_cycle(args.vigie, conf, workdir, f"cold-{n}-{k}")
            stored_runs.append(from_log(workdir, f"cold-{n}-{k}")[0])
            res["errors"] += cold_errors(pg, feeds, n,
                                         f"cold {n} (run {k + 1})")
            psql(pg, "DROP DATABASE vigie", "postgres")
            psql(pg, "CREATE DATABASE vigie", "postgres")
        migrate(conf)
        settle(pg)

        if args.server_stats:
            pg.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"
                     " SELECT pg_stat_statements_reset()")
        res["cold"] = timed_cycle(args.vigie, conf, workdir, f"cold-{n}")
        if args.server_stats:
            res["server_stats"] = pg.query(SERVER_STATS)
        res["stored"], res["waited"] = from_log(workdir, f"cold-{n}")
        res["stored_runs"] = stored_runs + [res["stored"]]
        res["stored"] = statistics.median(res["stored_runs"])
        res["errors"] += cold_errors(pg, feeds, n, f"cold {n}")
        res["mentions"] = int(pg.scalar("SELECT count(*) FROM mentions"))
        # What a database holds for these rows, indexed and counted, for
        # docs/SCALING.md: after a VACUUM, as it settles.
        psql(pg, "VACUUM")
        res["db_bytes"] = int(pg.scalar(
            "SELECT pg_database_size(current_database())"))

        settle(pg)
        res["warm"] = timed_cycle(args.vigie, conf, workdir, f"warm-{n}")
        res["warm_stored"] = from_log(workdir, f"warm-{n}")[0]
        got = outcomes(pg)
        if got != {"ok": n, "not_modified": n}:
            res["errors"].append(f"warm {n}: fetch outcomes {got}, want "
                                 f"{n} ok then {n} not_modified")
        res["errors"] += check_items(pg, feeds, n, f"warm {n}")
        if args.copy:
            res["copy"] = copy_ingest(pg, conf, workdir, args.schema_costs)
        if args.reindex:
            res["reindex"] = reindex(pg)
    for e in res["errors"]:
        print(f"ERROR: {e}", flush=True)
    return res


# ----------------------------------------------------------------------
# Report

def mib(kib):
    return kib / 1024


def report(results):
    print()
    print("Cold cycle: stored = every feed fetched, parsed, judged and "
          "stored (the daemon's log); wall = the process, which then "
          "merges and indexes for search (longest wait: the longest an "
          "item waited for it).")
    print()
    print("| feeds | items | mentions | cold: stored s | items/s "
          "| wall s | longest wait s | RSS MiB | CPU s "
          "| warm: stored s | wall s | RSS MiB | CPU s |")
    print("| ---: " * 13 + "|")
    for r in results:
        cw, cr, cc = r["cold"]
        ww, wr, wc = r["warm"]
        print(f"| {r['n']} | {r['items']} | {r['mentions']} | "
              f"{r['stored']:.2f} | {r['items'] / r['stored']:.0f} | "
              f"{cw:.2f} | {r['waited']:.0f} | {mib(cr):.1f} | {cc:.2f} | "
              f"{r['warm_stored']:.2f} | {ww:.2f} | {mib(wr):.1f} | "
              f"{wc:.2f} |")
    for r in results:
        if len(r["stored_runs"]) > 1:
            print(f"\n{r['n']} feeds, the cold cycle's stored time over "
                  f"{len(r['stored_runs'])} runs (each on a new database; "
                  "the median above): "
                  + ", ".join(f"{t:.2f}" for t in r["stored_runs"]) + " s")
    print()
    print("Database after the cold cycle and a VACUUM (docs/SCALING.md):")
    print()
    print("| feeds | items | mentions | database MiB | MiB per million "
          "mentions | KiB per item |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        size = r["db_bytes"] / 1048576
        print(f"| {r['n']} | {r['items']} | {r['mentions']} | {size:.0f} "
              f"| {size * 1e6 / r['mentions']:.0f} "
              f"| {r['db_bytes'] / 1024 / r['items']:.1f} |")
    if "newsboat" in results[0]:
        print()
        print("Against newsboat (`-x reload`, 32 threads, fresh cache), "
              "same feeds; newsboat / vigie compares their rates, items "
              "stored a second (their times when newsboat stored them "
              "all; stopped: it had not); warm / cold compares vigie's "
              "processes' wall times:")
        print()
        print("| feeds | newsboat: items | wall s | RSS MiB | CPU s "
              "| vigie cold: stored s | newsboat / vigie | warm / cold |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in results:
            nw, nr, nc = r["newsboat"]
            got = r["newsboat_items"]
            ratio = (r["items"] / r["stored"]) / (got / nw) if got else 0
            mark = " (stopped)" if r["newsboat_stopped"] else ""
            print(f"| {r['n']} | {got}{mark} | {nw:.2f} | {mib(nr):.1f} | "
                  f"{nc:.2f} | {r['stored']:.2f} | {ratio:.2f} | "
                  f"{r['warm'][0] / r['cold'][0]:.3f} |")
    if "copy" in results[0]:
        print()
        print("Ingest against COPY of the rows the cold cycle stored "
              "(items and mentions):")
        print()
        print("| feeds | rows | COPY, bare tables: s | COPY, vigie's schema: "
              "s | vigie cold: stored s | vigie / bare COPY rate "
              "| vigie / schema COPY rate |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in results:
            rows, bare, own, _ = r["copy"]
            st = r["stored"]
            print(f"| {r['n']} | {rows} | {bare:.2f} | {own:.2f} | "
                  f"{st:.2f} | {bare / st:.1%} | {own / st:.1%} |")
        for r in results:
            if not r["copy"][3]:
                continue
            print()
            print(f"COPY of the same rows into vigie's schema, {r['n']} "
                  "feeds, one thing taken away at a time:")
            print()
            print("| schema | COPY s | saved s |")
            print("| --- | ---: | ---: |")
            print(f"| as migrated | {r['copy'][2]:.2f} | |")
            for what, secs in r["copy"][3]:
                print(f"| {what} | {secs:.2f} | {r['copy'][2] - secs:.2f} |")
            print(f"| bare tables | {r['copy'][1]:.2f} | "
                  f"{r['copy'][2] - r['copy'][1]:.2f} |")
    for r in results:
        if "server_stats" not in r:
            continue
        print()
        print(f"The server's statements in the cold cycle of {r['n']} "
              "feeds and its merge (pg_stat_statements):")
        print()
        print("| calls | planning ms | execution ms | rows | statement |")
        print("| ---: | ---: | ---: | ---: | --- |")
        for calls, plan, run, rows, query in r["server_stats"]:
            query = query.replace("|", "\\|")
            print(f"| {calls} | {plan} | {run} | {rows} | `{query}` |")
    if "reindex" in results[0]:
        print()
        print("The indexer alone: the cold cycle's items and copies of a "
              "quarter of them on other sources, indexed again by "
              "index_items(1000) on one connection:")
        print()
        print("| feeds | items | in a story | indexing s | ms per 1,000 |")
        print("| ---: | ---: | ---: | ---: | ---: |")
        for r in results:
            items, stories, secs = r["reindex"]
            print(f"| {r['n']} | {items} | {stories} | {secs:.2f} | "
                  f"{secs * 1e6 / items:.0f} |")
    base = results[0]
    print()
    print(f"Growth against {base['n']} feeds:")
    print()
    print("| feeds | feeds x | cold stored x | cold RSS x | warm wall x "
          "| warm RSS x |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['n']} | {r['n'] / base['n']:.2f} | "
              f"{r['stored'] / base['stored']:.2f} | "
              f"{r['cold'][1] / base['cold'][1]:.2f} | "
              f"{r['warm'][0] / base['warm'][0]:.2f} | "
              f"{r['warm'][1] / base['warm'][1]:.2f} |")


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs, {model}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vigie", default=str(REPO_DIR / "build-bench/vigie"))
    ap.add_argument("--sizes", default="500,1000,2000",
                    help="comma-separated feed counts; the first is the "
                    "reference of the ratios")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-gzip", dest="gzip", action="store_false",
                    help="serve the feeds uncompressed")
    ap.add_argument("--no-newsboat", dest="newsboat", action="store_false",
                    help="do not run newsboat beside vigie")
    ap.add_argument("--newsboat-limit", type=float, metavar="SECONDS",
                    help="stop newsboat after so many seconds and compare "
                    "the rates")
    ap.add_argument("--no-copy", dest="copy", action="store_false",
                    help="do not load the stored rows again with COPY")
    ap.add_argument("--schema-costs", action="store_true",
                    help="also load them into the schema without its "
                    "triggers, reference checks or indexes, one at a time")
    ap.add_argument("--reindex", action="store_true",
                    help="then time the indexer alone over the items and "
                    "copies of a quarter of them on other sources")
    ap.add_argument("--server-stats", action="store_true",
                    help="print the server's statements that took its time "
                    "in the cold cycle (pg_stat_statements)")
    ap.add_argument("--shared-buffers", default="128MB",
                    help="the server's shared_buffers (PostgreSQL's "
                    "default: 128MB)")
    ap.add_argument("--cold-runs", type=int, default=1, metavar="N",
                    help="run the cold cycle N times, each on a new "
                    "database, and take the median stored time")
    ap.add_argument("--concurrency", type=int, default=POLL["concurrency"])
    ap.add_argument("--per-host", type=int, default=POLL["per_host"])
    ap.add_argument("--read-threads", type=int, default=0,
                    help="[poll] read_threads (0: one per CPU)")
    args = ap.parse_args()
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        ap.error(f"bad --sizes {args.sizes!r}")
    if not sizes or min(sizes) < 1:
        ap.error("--sizes: feed counts must be positive")
    if args.cold_runs < 1:
        ap.error("--cold-runs must be at least 1")
    for tool in (args.vigie, NGINX, TIME) + ((NEWSBOAT,) if args.newsboat
                                             else ()):
        if not os.access(tool, os.X_OK):
            sys.exit(f"poll_bench: {tool} is missing (build vigie; "
                     f"apt-get install nginx-light time newsboat)")
    os.environ["VIGIE"] = str(pathlib.Path(args.vigie).resolve())
    args.vigie = os.environ["VIGIE"]

    workdir = pathlib.Path(tempfile.mkdtemp(prefix="vigie-bench-"))
    # nginx's workers run as nobody when we are root: they must read the
    # feeds.
    workdir.chmod(0o755)
    try:
        t0 = time.monotonic()
        feeds = feedgen.write_feeds(workdir / "feeds", max(sizes), args.seed,
                                    gzipped=args.gzip)
        sizes_b = [f[1] for f in feeds]
        print(f"machine: {machine()}")
        print(f"generated {len(feeds)} feeds (seed {args.seed}) in "
              f"{time.monotonic() - t0:.1f} s: "
              f"{sum(f[2] for f in feeds)} items, {min(sizes_b)} to "
              f"{max(sizes_b)} bytes, median "
              f"{statistics.median(sizes_b):.0f}; "
              f"{'gzip' if args.gzip else 'uncompressed'} over HTTP/1.1",
              flush=True)
        results = []
        with Nginx(workdir / "feeds", workdir / "nginx", args.gzip) as ng:
            check_served(ng, feeds)
            print(f"nginx on 127.0.0.1-{HOSTS}:{ng.port}; "
                  f"[poll] concurrency = {args.concurrency}, per_host = "
                  f"{args.per_host}, read_threads = {args.read_threads}",
                  flush=True)
            for n in sizes:
                print(f"{n} feeds ...", flush=True)
                results.append(bench_one(args, ng, feeds, n, workdir))
        report(results)
        if any(r["errors"] for r in results):
            print("\nERROR: the database does not hold what was served "
                  "(see above)")
            return 1
        return 0
    except (BenchError, harness.TestFailure) as e:
        print(f"ERROR: {e}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
