#!/usr/bin/env python3
"""
running_cold.py - a running daemon's cold start: `vigie run` (not
`--once`) over N feeds of bench/feedgen.py on a fresh PostgreSQL
cluster, timed from its start until every item is stored and merged,
searchable (none staged, as many items as the feeds hold), with the
longest wait for search the daemon logged. `--once` merges its backlog
before it exits; a running daemon merges it while it goes on, as after a
restart, a new batch of sources or an outage. Several builds run in
turn, each on a cluster of its own, --runs times.

    python3 bench/running_cold.py [--feeds 2000] [--runs 2]
        BINARY [BINARY...]

The feeds, nginx and PostgreSQL are bench/poll_bench.py's; everything
started here is stopped on exit.
"""

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import poll_bench  # noqa: E402
from poll_bench import feedgen, harness  # noqa: E402

# The daemon's line when a backlog is merged (poll_bench.py reads it too).
WAITED = poll_bench.WAITED_LINE


def cold_start(vigie, nginx, feeds, n, workdir):
    """Seconds from the start until every item is searchable, and the
    longest waits the daemon logged meanwhile."""
    total = sum(f[2] for f in feeds[:n])
    os.environ["VIGIE"] = vigie
    with poll_bench.Postgres() as pg:
        conf = workdir / "running.conf"
        sources = {f"feed-{i:05d}": nginx.url(i, feeds[i][0])
                   for i in range(n)}
        harness.write_config(conf, pg.conninfo, sources, log_level="info",
                             **poll_bench.POLL)
        with open(conf, "a") as f:
            f.write(poll_bench.WATCHES)
        poll_bench.migrate(conf)
        log = workdir / "running.log"
        t0 = time.monotonic()
        with open(log, "w") as out:
            proc = subprocess.Popen([vigie, "run", "-c", str(conf)],
                                    stdout=out, stderr=subprocess.STDOUT)
        try:
            while time.monotonic() - t0 < 900:
                text = log.read_text(errors="replace")
                if (WAITED.search(text) and pg.scalar(
                        "SELECT (SELECT count(*) FROM staged_items) = 0"
                        f" AND (SELECT count(*) FROM items) = {total}")
                        == "t"):
                    return time.monotonic() - t0, WAITED.findall(text)
                time.sleep(0.5)
            raise SystemExit(f"{vigie}: not all searchable after 900 s")
        finally:
            proc.terminate()
            proc.wait(timeout=60)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("vigie", nargs="+")
    ap.add_argument("--feeds", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="vigie-running-"))
    workdir.chmod(0o755)  # nginx's workers read the feeds as nobody
    try:
        feeds = feedgen.write_feeds(workdir / "feeds", args.feeds,
                                    args.seed, gzipped=True)
        print(f"machine: {poll_bench.machine()}; {args.feeds} feeds,"
              f" {sum(f[2] for f in feeds)} items", flush=True)
        with poll_bench.Nginx(workdir / "feeds", workdir / "nginx",
                              True) as ng:
            for _ in range(args.runs):
                for vigie in args.vigie:
                    vigie = str(pathlib.Path(vigie).resolve())
                    secs, waits = cold_start(vigie, ng, feeds, args.feeds,
                                             workdir)
                    print(f"{vigie}: every item searchable {secs:.1f} s"
                          f" after the start; the longest waits logged:"
                          f" {', '.join(waits)} s", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
