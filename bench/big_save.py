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
printed.

    python3 bench/big_save.py [--vigie build/vigie] [--sizes 10000,20000]
        [--chunk 0] [--warm 0] [--explain] [--sql FILE]
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
from harness import Postgres, vigie, write_config  # noqa: E402


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


def execute(source, chunk, explain=False, last=None):
    """EXECUTE of the save on chunk; last is None for a version of the
    statement without chunks, else whether chunk is its fetch's last."""
    args = [str(source), literal(f"{random.getrandbits(128):032x}"),
            str(int(time.time() * 1000)), "10", "200", "'ok'", "NULL",
            "1000", "'https://x.example/feed'", literal(json.dumps(chunk)),
            "NULL", "NULL", "false", "600000", "0", "NULL", "NULL", "NULL",
            "0", "'bench'"]
    if last is not None:
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
        chunked = "$21" in sql
        if args.warm:
            psql(pg, prepare + execute(2, items(args.warm, 2, "w"),
                                       last=True if chunked else None) +
                 "ANALYZE items, mentions;\n")
        data = items(n, 1, "b")
        size = args.chunk or n
        chunks = [data[i:i + size] for i in range(0, n, size)]
        script = prepare + "".join(
            execute(1, c, last=(i == len(chunks) - 1) if chunked else None)
            for i, c in enumerate(chunks))
        if args.explain:
            # Rolled back: the timed run starts from the same state.
            print(psql(pg, "BEGIN;\n" + prepare +
                       execute(1, chunks[0], True,
                               True if chunked else None) + "ROLLBACK;\n"))
        start = time.monotonic()
        psql(pg, script)
        took = time.monotonic() - start
        stored = pg.scalar("SELECT count(*) FROM items WHERE source_id = 1")
        if int(stored) != n:
            sys.exit(f"{n} items: {stored} stored")
        return took


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vigie", default=str(REPO / "build" / "vigie"))
    ap.add_argument("--sizes", default="10000,20000,40000,100000")
    ap.add_argument("--chunk", type=int, default=0)
    ap.add_argument("--warm", type=int, default=0)
    ap.add_argument("--explain", action="store_true")
    ap.add_argument("--sql", default=str(REPO / "daemon/service/db/sql/"
                                         "save_fetch.sql"),
                    help="the statement to run (another version's)")
    args = ap.parse_args()
    os.environ["VIGIE"] = args.vigie
    sql = pathlib.Path(args.sql).read_text()
    sql = re.sub(r"--[^\n]*", "", sql)
    for n in map(int, args.sizes.split(",")):
        took = run(args, n, sql)
        print(f"{n:>7} items, chunk {args.chunk or n}, warm {args.warm}: "
              f"{took:6.2f} s  ({took / n * 1e6:.0f} us/item)", flush=True)


if __name__ == "__main__":
    main()
