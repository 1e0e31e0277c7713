#!/usr/bin/env python3
"""save_bench.py - what the daemon's save statements cost the server,
whole and part by part.

A cold cycle over N feeds runs as bench/poll_bench.py runs it (the same
generated feeds, nginx, watches and configuration), with the server
logging every statement and its parameters. The cycle's save statements
(daemon/service/db/sql/save_fetch.sql) are then replayed, one after the
other on one connection, into freshly migrated databases holding the same
sources and watches: as migrated, and with one part of the schema taken
away at a time, the variants alternating, --runs times each. The sum of
the statements' times is the server's cost of storing the cycle, without
the fetching, reading and judging that share the CPUs with it in a
cycle, so that a change of the write path can be measured to a few
percent where the cycle's own time varies by a fifth from run to run.
Last, one statement of middling size is run under EXPLAIN ANALYZE after
those before it: where its time goes, triggers included.

One more variant is not the statement but a probe of a design: each
save's items and mentions only written into two tables without keys or
triggers, and one index, for the identity test kept against them and
items (a staging area the background would merge into the schema later,
as it computes the search vectors now; the test so that the save still
says which items are new). It is what the cycle would pay for its write
if the rest were taken off it; the merge is not measured.

The replay prepares the statement once and runs it under
plan_cache_mode = force_custom_plan, so that each execution is planned
for its parameters as the daemon's (sent whole each time) is; it does not
pay the daemon's parsing of the text (about 1.5 ms a statement).

    python3 bench/save_bench.py --vigie build-bench/vigie [--feeds 2000]
        [--runs 3]

Needs what bench/poll_bench.py needs (nginx-light, PostgreSQL).
"""
import argparse
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

BENCH_DIR = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import poll_bench as pb  # noqa: E402

harness = pb.harness
SAVE_SQL = (pb.REPO_DIR / "daemon" / "service" / "db" / "sql" /
            "save_fetch.sql").read_text()

# The save statement's JSON columns of an item, as it reads them.
ITEM_COLUMNS = re.search(r"FROM json_to_recordset\(\$2::json\) AS x\((.*?)\)\n\), fresh",
                         SAVE_SQL, re.S).group(1)
# The staging probe (see above): the same identity test as the save
# (against the items staged too: one index), the new items and their
# mentions appended to two tables.
STAGING = """CREATE TABLE staged_items AS SELECT * FROM json_to_recordset('[]')
  AS x(%(items)s) WITH NO DATA;
ALTER TABLE staged_items DROP COLUMN mentions, ADD COLUMN ident text,
  ADD COLUMN staged_at timestamptz;
CREATE INDEX ON staged_items (source, ident);
CREATE TABLE staged_mentions (item_n bigint, source bigint, watch text,
  terms text[], tone real, label text, abusive boolean, emotions text[],
  rumour boolean, staged_at timestamptz)""" % {"items": ITEM_COLUMNS}
STAGED_SQL = """WITH input AS (
  SELECT x.*, item_identity(guid, link, title, summary, content) AS ident,
    row_number() OVER () AS n
  FROM json_to_recordset($2::json) AS x(%(items)s)
), fresh AS (
  SELECT DISTINCT ON (x.source, x.ident) x.*
  FROM input x
  WHERE (SELECT true FROM items o WHERE o.source_id = x.source
           AND o.identity = x.ident LIMIT 1) IS NULL
    AND (SELECT true FROM staged_items o WHERE o.source = x.source
           AND o.ident = x.ident LIMIT 1) IS NULL
  ORDER BY x.source, x.ident, x.n
), ins AS (
  INSERT INTO staged_items
  SELECT %(names)s, ident, now() FROM fresh
), men AS (
  INSERT INTO staged_mentions
  SELECT f.n, f.source, m.watch, m.terms, m.tone, m.label, m.abusive,
    m.emotions, m.rumour, now()
  FROM fresh f
  CROSS JOIN LATERAL json_to_recordset(f.mentions) AS m(watch text,
    terms text[], tone real, label text, abusive boolean,
    emotions text[], rumour boolean)
)
SELECT count(*) FROM fresh""" % {
    "items": ITEM_COLUMNS,
    "names": ", ".join(c.split()[0] for c in ITEM_COLUMNS.split(",")
                       if c.split()[0] != "mentions")}

# What a replay takes away from the schema before the statements run,
# and the statement it runs if not the save's.
VARIANTS = (
    ("as migrated", None),
    ("the counts' triggers disabled",
     "ALTER TABLE items DISABLE TRIGGER items_count_insert;"
     " ALTER TABLE mentions DISABLE TRIGGER mentions_count_insert"),
    ("the references' checks disabled",
     "ALTER TABLE items DISABLE TRIGGER parents_insert;"
     " ALTER TABLE mentions DISABLE TRIGGER parents_insert"),
    ("items' search and story indexes dropped",
     "DROP INDEX items_search, items_url_norm, items_band0, items_band1,"
     " items_band2, items_band3"),
    ("mentions' indexes but the key dropped",
     pb.drop_secondary_indexes("mentions")),
    ("probe: staged, not merged", STAGING, STAGED_SQL),
)

# The server's log line of an extended-protocol execution (the text
# goes on over the next lines), and the parameters that follow it; a
# parameter is a quoted literal ('' for ').
EXECUTE = "LOG:  execute <unnamed>: "
PARAMS = re.compile(r"DETAIL:  parameters: \$1 = '((?:[^']|'')*)', "
                    r"\$2 = '((?:[^']|'')*)'$")
# The statement as the daemon sends it: scripts/embed-statements.py
# leaves out comments and blank lines.
SENT = "\n".join(line.rstrip() for line in SAVE_SQL.splitlines()
                 if line.strip() and not line.lstrip().startswith("--"))


def captured_saves(log):
    """The save statements' parameters, in the order the server ran them,
    from its log."""
    saves, text = [], None
    with open(log, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if EXECUTE in line:
                text = [line.split(EXECUTE, 1)[1]]
            elif text is not None and "DETAIL:  parameters: " in line:
                if "\n".join(text) == SENT:
                    m = PARAMS.search(line)
                    if m is None:
                        raise pb.BenchError("a save's parameters could "
                                            "not be read from the log")
                    saves.append(tuple(p.replace("''", "'")
                                       for p in m.groups()))
                text = None
            elif text is not None:
                # The server starts each line of the text after the
                # first with a tab.
                text.append(line[1:] if line.startswith("\t") else line)
    return saves


def capture(args, workdir):
    """Runs the cold cycle with statement logging; returns the save
    statements' parameters, the dumps of sources and watches, and how
    many items the feeds hold."""
    feeds = pb.feedgen.write_feeds(workdir / "feeds", args.feeds, args.seed,
                                   gzipped=True)
    items = sum(f[2] for f in feeds)
    with pb.Nginx(workdir / "feeds", workdir / "nginx", True) as ng:
        pb.check_served(ng, feeds)
        with pb.Postgres() as pg:
            conf = workdir / "vigie.conf"
            sources = {f"feed-{i:05d}": ng.url(i, feeds[i][0])
                       for i in range(args.feeds)}
            harness.write_config(conf, pg.conninfo, sources,
                                 log_level="info", **pb.POLL)
            with open(conf, "a") as f:
                f.write(pb.WATCHES)
            p = harness.vigie("migrate", "-c", conf, timeout=120)
            if p.returncode != 0:
                raise pb.BenchError(f"vigie migrate failed:\n{p.stderr}")
            pb.psql(pg, "ALTER DATABASE vigie SET log_statement = 'all'")
            pb.psql(pg, "ALTER DATABASE vigie SET"
                        " log_parameter_max_length = -1")
            pb.timed_cycle(args.vigie, conf, workdir, "cold")
            stored = int(pg.scalar("SELECT count(*) FROM items"))
            if stored != items:
                raise pb.BenchError(f"the cycle stored {stored} items of "
                                    f"{items}")
            pb.psql(pg, "ALTER DATABASE vigie RESET ALL")
            dumps = {}
            for t in pb.REFERRED:
                cols = pb.columns(pg, t, generated=False)
                dumps[t] = (cols, workdir / f"{t}.copy")
                with open(dumps[t][1], "wb") as f:
                    pb.psql(pg, f"COPY (SELECT {', '.join(cols)} FROM {t})"
                                " TO STDOUT", stdout=f)
            saves = captured_saves(pg.log)
    got = sum(p[1].count('"guid":') for p in saves)
    if got != items:
        raise pb.BenchError(f"{len(saves)} save statements logged with "
                            f"{got} items, {items} stored")
    return saves, dumps, items


def script(workdir, saves, explain=None, sql=SAVE_SQL, name="replay"):
    """A psql script that runs the saves (sql: the statement run with
    their parameters), timed; with explain, stops at that one and runs it
    under EXPLAIN ANALYZE."""
    lines = ["SET plan_cache_mode = force_custom_plan;",
             "PREPARE save(json, json) AS " + sql.rstrip() + ";",
             "\\timing on"]
    for k, _ in enumerate(saves):
        lines += [f"\\set f `cat {workdir}/save-{k}.f`",
                  f"\\set i `cat {workdir}/save-{k}.i`"]
        if k == explain:
            lines.append("EXPLAIN (ANALYZE, COSTS OFF, TIMING ON)"
                         " EXECUTE save(:'f', :'i');")
            break
        lines.append("EXECUTE save(:'f', :'i') \\g /dev/null")
    path = workdir / f"{name}.sql"
    path.write_text("\n".join(lines) + "\n")
    return path


def replay(pg, conf, workdir, dumps, k, sql, path):
    """A new database k with the cycle's sources and watches and sql
    applied; runs the script at path. Returns psql's output."""
    pb.migrated(pg, conf, workdir, f"replay{k}", dumps)
    if sql is not None:
        pb.psql(pg, sql, f"replay{k}")
    p = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
         f"host={pg.sock} dbname=replay{k} user=vigie", "-f", str(path)],
        env=harness._clean_env(), capture_output=True, text=True,
        timeout=1800)
    if p.returncode != 0:
        raise pb.BenchError(f"replay: {p.stderr.strip()[-2000:]}")
    pb.psql(pg, f"DROP DATABASE replay{k}", "postgres")
    return p.stdout


def statement_ms(out):
    return [float(line.split()[1]) for line in out.splitlines()
            if line.startswith("Time: ")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vigie", default="build-bench/vigie")
    ap.add_argument("--feeds", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    os.environ["VIGIE"] = args.vigie = str(pathlib.Path(args.vigie).resolve())

    workdir = pathlib.Path(tempfile.mkdtemp(prefix="vigie-save-bench-"))
    workdir.chmod(0o755)
    try:
        print(f"machine: {pb.machine()}")
        saves, dumps, items = capture(args, workdir)
        for k, (f, i) in enumerate(saves):
            (workdir / f"save-{k}.f").write_text(f)
            (workdir / f"save-{k}.i").write_text(i)
        sizes = [i.count('"guid":') for _, i in saves]
        print(f"{args.feeds} feeds, {items} items: {len(saves)} save "
              f"statements of {min(sizes)} to {max(sizes)} items "
              f"(median {statistics.median(sizes):.0f})", flush=True)
        # The save's script once, for every variant that runs the save.
        plain = script(workdir, saves)
        scripts = {v[0]: script(workdir, saves, sql=v[2], name=f"v{k}")
                   if len(v) > 2 else plain
                   for k, v in enumerate(VARIANTS)}
        times = {v[0]: [] for v in VARIANTS}
        with pb.Postgres() as pg:
            conf = workdir / "replay.conf"
            harness.write_config(conf, pg.conninfo, {})
            n = 0
            for _ in range(args.runs):
                for name, sql, *_ in VARIANTS:
                    ms = statement_ms(replay(pg, conf, workdir, dumps, n,
                                             sql, scripts[name]))
                    n += 1
                    if len(ms) != len(saves):
                        raise pb.BenchError(f"{len(ms)} timings for "
                                            f"{len(saves)} statements")
                    times[name].append(sum(ms) / 1000)
                    print(f"  {name}: {sum(ms) / 1000:.2f} s", flush=True)
            mid = sorted(range(len(saves)), key=lambda k: sizes[k])[
                len(saves) // 2]
            plan = replay(pg, conf, workdir, dumps, n, None,
                          script(workdir, saves, explain=mid))
        # The fastest run of each: what else ran on the machine only ever
        # adds to a run.
        base = min(times["as migrated"])
        print()
        print(f"The cycle's {len(saves)} save statements replayed on one "
              f"connection, {args.runs} runs of each variant, "
              "alternating (seconds, the sum of the statements' times):")
        print()
        print("| schema | runs s | fastest s | saved s |")
        print("| --- | --- | ---: | ---: |")
        for name, *_ in VARIANTS:
            best = min(times[name])
            saved = "" if name == "as migrated" else f"{base - best:.2f}"
            print(f"| {name} | {', '.join(f'{t:.2f}' for t in times[name])}"
                  f" | {best:.2f} | {saved} |")
        print()
        print(f"One statement of {sizes[mid]} items under EXPLAIN ANALYZE, "
              "after the ones before it:")
        print()
        for line in plan.splitlines():
            s = line.strip()
            if s.startswith(("Planning Time", "Execution Time", "Trigger",
                             "->  Insert on", "->  Function Scan on "
                             "json_to_recordset x")):
                print(f"    {s}")
        return 0
    except (pb.BenchError, harness.TestFailure) as e:
        print(f"ERROR: {e}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
