#!/usr/bin/env python3
"""
steady_bench.py - how long a new item waits to be searchable while the
daemon runs under load: the delay docs/SQL.md promises to keep under a
minute, measured rather than argued.

N feeds (bench/feedgen.py) are served by nginx on loopback as in
bench/poll_bench.py, and polled once with `vigie run --once` on a fresh
PostgreSQL cluster, so that the database starts full and searchable. Then
`vigie run` polls them every --interval while the feeds gain new items at
--rate items a minute in all: every second, feeds drawn at random are
rewritten with --burst new items on top (written apart, then renamed, so that
nginx never serves half a file; their ETag changes with them). Every
second the bench asks the database how many items wait for their vector
(staged and not yet merged into items, or stored without their vector,
`items.search IS NULL`) and how long the oldest has waited. After
--warmup seconds it keeps the figures for --minutes: items and mentions
stored a minute, how many items wait, and the longest wait for search
with its median and 95th percentile over the samples. (Detection needs
no such wait: it reads the staged mentions from the save on.)

    python3 bench/steady_bench.py [--vigie build-bench/vigie] [--feeds 2000]
        [--rate 6000] [--burst 5] [--interval 1m] [--minutes 5]
        [--warmup 60]
"""

import argparse
import gzip
import os
import pathlib
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH_DIR = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import feedgen  # noqa: E402
import poll_bench  # noqa: E402
from poll_bench import harness, BenchError  # noqa: E402


class Publisher(threading.Thread):
    """Puts rate new items a minute on top of the feeds, a second's share
    every second, burst at a time on a feed drawn at random."""

    def __init__(self, root, feeds, seed, rate, burst, gzipped):
        super().__init__(daemon=True)
        self.root = pathlib.Path(root)
        self.feeds = feeds
        self.seed = seed
        self.rate = rate
        self.burst = burst
        self.gzipped = gzipped
        self.fresh = [0] * len(feeds)
        self.published = 0
        self.stop = threading.Event()
        self.rng = random.Random(f"steady:{seed}")
        self.error = None

    def publish(self, i):
        self.fresh[i] += self.burst
        name, data, _ = feedgen.feed(self.seed, i, self.fresh[i])
        assert name == self.feeds[i][0]
        for path, body in [(self.root / name, data)] + (
                [(self.root / (name + ".gz"),
                  gzip.compress(data, compresslevel=6, mtime=0))]
                if self.gzipped else []):
            tmp = path.with_name("." + path.name + ".new")
            tmp.write_bytes(body)
            tmp.chmod(0o644)
            os.replace(tmp, path)
        self.published += self.burst

    def run(self):
        owed = 0.0
        next_t = time.monotonic()
        try:
            while not self.stop.is_set():
                owed += self.rate / 60.0
                while owed >= self.burst:
                    self.publish(self.rng.randrange(len(self.feeds)))
                    owed -= self.burst
                next_t += 1.0
                self.stop.wait(max(0.0, next_t - time.monotonic()))
        except Exception as e:  # reported by the main thread
            self.error = e


def stop(daemon):
    """Stops the daemon (in its own session, out of reach of a signal
    that stops us) before its database goes."""
    if daemon.poll() is None:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()


# Items waiting: staged and not yet merged into items (schema 031), or
# stored without their vector (a build before it); either way not yet
# searchable. Stored: merged or staged.
SAMPLE = """
SELECT (SELECT count(*) FROM items WHERE search IS NULL) + {staged_n},
       coalesce(extract(epoch FROM now() - least(
           (SELECT min(first_seen_at) FROM items WHERE search IS NULL),
           {staged_min})), 0),
       (SELECT count(*) FROM items) + {staged_n},
       (SELECT count(*) FROM mentions) + {staged_m}
"""


def sample(pg):
    if pg.scalar("SELECT to_regclass('staged_items') IS NOT NULL") == "t":
        q = SAMPLE.format(
            staged_n="(SELECT count(*) FROM staged_items)",
            staged_min="(SELECT min(first_seen_at) FROM staged_items)",
            staged_m="(SELECT count(*) FROM staged_mentions)")
    else:
        q = SAMPLE.format(staged_n="0", staged_min="NULL", staged_m="0")
    row = pg.query(q)[0]
    return int(row[0]), float(row[1]), int(row[2]), int(row[3])


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vigie", default=str(poll_bench.REPO_DIR /
                                           "build-bench/vigie"))
    ap.add_argument("--feeds", type=int, default=2000)
    ap.add_argument("--rate", type=int, default=6000,
                    help="new items a minute, over all the feeds")
    ap.add_argument("--burst", type=int, default=5,
                    help="new items a feed gains at once")
    ap.add_argument("--interval", default="1m")
    ap.add_argument("--minutes", type=float, default=5)
    ap.add_argument("--warmup", type=float, default=60)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if min(args.feeds, args.rate, args.burst) < 1 or args.minutes <= 0:
        ap.error("--feeds, --rate, --burst and --minutes must be positive")
    os.environ["VIGIE"] = str(pathlib.Path(args.vigie).resolve())

    workdir = pathlib.Path(tempfile.mkdtemp(prefix="vigie-steady-"))
    workdir.chmod(0o755)
    daemon = None
    try:
        feeds = feedgen.write_feeds(workdir / "feeds", args.feeds, args.seed)
        with poll_bench.Nginx(workdir / "feeds", workdir / "nginx",
                              True) as ng, harness.Postgres() as pg:
            conf = workdir / "vigie.conf"
            sources = {f"feed-{i:05d}": ng.url(i, feeds[i][0])
                       for i in range(args.feeds)}
            harness.write_config(conf, pg.conninfo, sources,
                                 log_level="info",
                                 **dict(poll_bench.POLL,
                                        interval=args.interval))
            with open(conf, "a") as f:
                f.write(poll_bench.WATCHES)
            p = harness.vigie("migrate", "-c", conf, timeout=120)
            if p.returncode != 0:
                raise BenchError(f"vigie migrate failed:\n{p.stderr}")
            print(f"machine: {poll_bench.machine()}; {args.feeds} feeds, "
                  f"every {args.interval}, {args.rate} new items a minute",
                  flush=True)
            cold = poll_bench.timed_cycle(args.vigie, conf, workdir, "cold")
            waiting, _, items0, _ = sample(pg)
            if waiting:
                raise BenchError(f"{waiting} items unindexed after --once")
            print(f"cold cycle: {items0} items in {cold[0]:.1f} s",
                  flush=True)

            pub = Publisher(workdir / "feeds", feeds, args.seed, args.rate,
                            args.burst, True)
            log = open(workdir / "daemon.log", "w")
            daemon = subprocess.Popen(
                [args.vigie, "run", "-c", str(conf)],
                env=harness._clean_env(), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
            pub.start()
            t0 = time.monotonic()
            end = t0 + args.warmup + args.minutes * 60
            samples = []
            start = None
            while time.monotonic() < end:
                time.sleep(1.0)
                if daemon.poll() is not None:
                    raise BenchError("the daemon stopped:\n" +
                                     poll_bench.tail(workdir / "daemon.log"))
                if pub.error:
                    raise BenchError(f"publishing: {pub.error}")
                s = sample(pg)
                if time.monotonic() - t0 >= args.warmup:
                    if start is None:
                        start = (time.monotonic(), s, pub.published)
                    samples.append(s)
            pub.stop.set()
            pub.join()
            stop(daemon)
            last = samples[-1]
            minutes = (time.monotonic() - start[0]) / 60
            waits = [s[1] for s in samples]
            print("\n| feeds | interval | published a minute | stored a "
                  "minute | mentions a minute | waiting, median | longest "
                  "wait for search s | median s | 95th percentile s |")
            print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
                  "| ---: |")
            print(f"| {args.feeds} | {args.interval} | "
                  f"{(pub.published - start[2]) / minutes:.0f} | "
                  f"{(last[2] - start[1][2]) / minutes:.0f} | "
                  f"{(last[3] - start[1][3]) / minutes:.0f} | "
                  f"{statistics.median(s[0] for s in samples):.0f} | "
                  f"{max(waits):.1f} | {statistics.median(waits):.1f} | "
                  f"{percentile(waits, 0.95):.1f} |")
            if last[2] == start[1][2]:
                raise BenchError("no new item was stored while measuring")
        return 0
    except (BenchError, harness.TestFailure) as e:
        print(f"ERROR: {e}", file=sys.stderr)
        return 1
    finally:
        if daemon is not None:
            stop(daemon)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
