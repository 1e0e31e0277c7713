#!/usr/bin/env python3
"""
big_save.py - what one big fetch costs the store: the daemon's save
statement (daemon/service/db/sql/save_fetch.sql, as the build embeds it)
run on N new items of one source, each time in a new private PostgreSQL
cluster, so on a month partition that has no statistics yet: the case a
hostile or merely huge feed meets on every new database and at the start
of every month.

Each size is saved in chunks of --chunk items (0: all in one statement),
each chunk its own statement, as the daemon sends them; a tenth of the
items mention a watch. With --warm, the source's partition first holds
--warm items of another source (and is analysed), as on a database in
use. With --explain, the plan of the first chunk (EXPLAIN ANALYZE) is
printed. With --index, what the insert leaves for later (full-text
vectors and stories, index_items() of schema 009) is then done as the
daemon does it, in batches of 1,000, and timed apart.

The statement is run with the parameters it takes, an older tree's
(--sql) too: the fetches and the items' columns, as array literals
($1 to $36: the current one; psql cannot send them in binary as the
daemon does), one fetch and its items ($1 to $20), with chunks ($21 to
$23), several fetches and their items' JSON ($1, $2), or those and the
items' texts ($3, $4, given NULL here: the texts inside the JSON).

    python3 bench/big_save.py [--vigie build/vigie] [--sizes 10000,20000]
        [--chunk 0] [--warm 0] [--explain] [--index] [--sql FILE]
"""

import argparse
import json
import os
import pathlib
import random
import re
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from harness import (SAVE_ITEM_COLUMNS, SAVE_MENTION_COLUMNS,  # noqa: E402
                     Postgres, vigie, write_config)


def items(n, seed, prefix):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        mentions = None
        if i % 10 == 0:
            mentions = [{"watch": "acme", "terms": ["acme"], "tone": -0.5,
                         "label": "negative"}]
        out.append({
            "guid": f"{prefix}-{i}", "link": f"https://x.example/{prefix}/{i}",
            "title": f"Item {i}", "summary": f"Text of item {i} about acme",
            "published": 1700000000 + i, "url_norm":
            f"x.example/{prefix}/{i}",
            "simhash": rng.getrandbits(64) - (1 << 63),
            "tone": -0.5 if mentions else None,
            "label": "negative" if mentions else None,
            "mentions": mentions})
    return out


def literal(text):
    return "'" + text.replace("'", "''") + "'"


def array_literal(values, kind):
    """values as a literal of kind[]; a list inside is a literal itself."""
    def element(v):
        if v is None:
            return "NULL"
        if isinstance(v, list):
            v = "{" + ",".join(element(str(x)) for x in v) + "}"
        if isinstance(v, bool):
            return "t" if v else "f"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return str(v)
    return literal("{" + ",".join(element(v) for v in values) + "}") + \
        f"::{kind}[]"


def statement_kind(sql):
    """"columns" (several fetches, the items' columns apart: $1 to $36),
    "texts" (several fetches and the texts apart: $1 to $4), "batch"
    (several fetches: $1, $2), "chunked" (one fetch, $1 to $23) or
    "single" (one fetch, $1 to $20)."""
    if "$36" in sql:
        return "columns"
    if "$21" in sql:
        return "chunked"
    if "$10" in sql:
        return "single"
    return "texts" if "$4" in sql else "batch"


def execute(kind, source, chunk, explain=False, last=True):
    """EXECUTE of the save on chunk, the last of its fetch or not."""
    uuid = f"{random.getrandbits(128):032x}"
    now_ms = int(time.time() * 1000)
    if kind in ("batch", "texts", "columns"):
        fetch = {"source": source, "attempt": uuid, "started": now_ms,
                 "duration": 10, "status": 200, "outcome": "ok",
                 "error": None, "bytes": 1000,
                 "final_url": "https://x.example/feed", "etag": None,
                 "last_modified": None, "set_validators": False,
                 "next_ms": 600000, "failures": 0, "disabled": None,
                 "feed_url": None, "lease_s": 0, "owner": "bench",
                 "last": last, "prior_new": 0, "prior_seen": 0}
        args = [literal(json.dumps([fetch])),
                literal(json.dumps([dict(it, source=source)
                                    for it in chunk]))]
        if kind == "columns":
            mentions = [(k, m) for k, it in enumerate(chunk, 1)
                        for m in it["mentions"] or []]
            args[1:] = [array_literal([source] * len(chunk), "bigint")]
            args += [array_literal([it.get(c) for it in chunk],
                                   t.replace("[]", ""))
                     for c, t in SAVE_ITEM_COLUMNS]
            args += [array_literal([k for k, _ in mentions], "int")]
            args += [array_literal([m.get(c) for _, m in mentions],
                                   t.replace("[]", ""))
                     for c, t in SAVE_MENTION_COLUMNS]
        if kind == "texts":
            args += ["NULL", "NULL"]
    else:
        args = [str(source), literal(uuid), str(now_ms), "10", "200",
                "'ok'", "NULL", "1000", "'https://x.example/feed'",
                literal(json.dumps(chunk)), "NULL", "NULL", "false",
                "600000", "0", "NULL", "NULL", "NULL", "0", "'bench'"]
        if kind == "chunked":
            args += ["true" if last else "false", "0", "0"]
    head = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " if explain else ""
    return f"{head}EXECUTE save({', '.join(args)});\n"


def psql(pg, script):
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        "-d", pg.conninfo], input=script, text=True,
                       capture_output=True)
    if p.returncode != 0:
        sys.exit(f"psql: {p.stderr}")
    return p.stdout


def run(args, n, sql):
    with tempfile.TemporaryDirectory() as tmp, Postgres() as pg:
        conf = write_config(f"{tmp}/vigie.conf", pg.conninfo, {})
        p = vigie("migrate", "-c", conf)
        if p.returncode != 0:
            sys.exit(p.stderr)
        pg.query("INSERT INTO sources (name, url, interval_s) VALUES "
                 "('big', 'https://x.example/feed', 60), "
                 "('other', 'https://y.example/feed', 60);"
                 "INSERT INTO watches (name, query) VALUES ('acme', 'acme')")
        prepare = f"PREPARE save AS {sql};\n"
        kind = statement_kind(sql)
        if args.warm:
            psql(pg, prepare + execute(kind, 2, items(args.warm, 2, "w")) +
                 ("SELECT count(*) FROM (SELECT index_items(1000) FROM"
                  f" generate_series(1, {args.warm // 1000 + 1})) x;\n"
                  if args.index else "") +
                 "ANALYZE items, mentions;\n")
        data = items(n, 1, "b")
        size = args.chunk or n
        chunks = [data[i:i + size] for i in range(0, n, size)]
        script = prepare + "".join(
            execute(kind, 1, c, last=i == len(chunks) - 1)
            for i, c in enumerate(chunks))
        if args.explain:
            # Rolled back: the timed run starts from the same state.
            print(psql(pg, "BEGIN;\n" + prepare +
                       execute(kind, 1, chunks[0], True) + "ROLLBACK;\n"))
        start = time.monotonic()
        psql(pg, script)
        took = time.monotonic() - start
        # Staged by the save (schema 031), or in items for an older
        # statement or once merged.
        stored = pg.scalar(
            "SELECT (SELECT count(*) FROM items WHERE source_id = 1)"
            " + (SELECT count(*) FROM staged_items WHERE source_id = 1)")
        if int(stored) != n:
            sys.exit(f"{n} items: {stored} stored")
        indexed = None
        if args.index:
            # One batch per statement, as the daemon sends them.
            start = time.monotonic()
            psql(pg, "SELECT index_items(1000);\n" * (n // 1000 + 1))
            indexed = time.monotonic() - start
            left = pg.scalar("SELECT count(*) FROM items"
                             " WHERE search IS NULL")
            if left != "0":
                sys.exit(f"{n} items: {left} left unindexed")
        return took, indexed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vigie", default=str(REPO / "build" / "vigie"))
    ap.add_argument("--sizes", default="10000,20000,40000,100000")
    ap.add_argument("--chunk", type=int, default=0)
    ap.add_argument("--warm", type=int, default=0)
    ap.add_argument("--explain", action="store_true")
    ap.add_argument("--index", action="store_true",
                    help="then index the items as the daemon does")
    ap.add_argument("--sql", default=str(REPO / "daemon/service/db/sql/"
                                         "save_fetch.sql"),
                    help="the statement to run (another version's)")
    args = ap.parse_args()
    os.environ["VIGIE"] = args.vigie
    sql = pathlib.Path(args.sql).read_text()
    sql = re.sub(r"--[^\n]*", "", sql)
    for n in map(int, args.sizes.split(",")):
        took, indexed = run(args, n, sql)
        print(f"{n:>7} items, chunk {args.chunk or n}, warm {args.warm}: "
              f"{took:6.2f} s  ({took / n * 1e6:.0f} us/item)"
              + (f"; indexed in {indexed:6.2f} s"
                 f" ({indexed / n * 1e6:.0f} us/item)"
                 if indexed is not None else ""), flush=True)


if __name__ == "__main__":
    main()
