#!/usr/bin/env python3
"""Parsing speed of `vigie parse` against python3-feedparser and
`xmllint --noout`, each in one process over the same files.

usage: bench/parse_speed.py [--vigie PATH] [--feeds N] [--seed S]
                            [--runs R] [--keep DIR]

The corpus is bench/feedgen.py's (RSS 2.0 and Atom, 20 to 50 items of
HTML text each, identical for a given seed). Reported, best of R runs:
items per second of vigie and of feedparser, and megabytes per second of
vigie and of xmllint, which only checks well-formedness and so bounds
what any libxml2-based reader can do. Goals: vigie at least 30 times
feedparser's items/s and at least half of xmllint's MB/s; the exit status
is 1 when a goal is missed.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import feedparser
except ImportError:
    if os.path.exists("/usr/bin/python3") and sys.executable != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    sys.exit("parse_speed: python3-feedparser is not installed")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import feedgen  # noqa: E402


def write_corpus(directory, n, seed):
    paths, items, size = [], 0, 0
    for i in range(n):
        name, data, count = feedgen.feed(seed, i)
        path = os.path.join(directory, name)
        with open(path, "wb") as f:
            f.write(data)
        paths.append(path)
        items += count
        size += len(data)
    return paths, items, size


def best(runs, fn):
    """(fastest seconds, result) of runs calls of fn."""
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def run_vigie(vigie, paths):
    p = subprocess.run([vigie, "parse", *paths], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=True)
    return p.stdout.count(b"\n")


def run_feedparser(paths):
    return sum(len(feedparser.parse(p).entries) for p in paths)


def run_xmllint(paths):
    subprocess.run(["xmllint", "--noout", *paths], check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigie", default="build-bench/vigie")
    ap.add_argument("--feeds", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", help="write the corpus here and keep it")
    a = ap.parse_args()
    if shutil.which("xmllint") is None:
        sys.exit("parse_speed: xmllint is not installed (libxml2-utils)")

    directory = a.keep or tempfile.mkdtemp(prefix="parse-speed-")
    os.makedirs(directory, exist_ok=True)
    try:
        paths, items, size = write_corpus(directory, a.feeds, a.seed)
        mb = size / 1e6
        print(f"corpus: {len(paths)} feeds, {items} items, {mb:.1f} MB "
              f"(seed {a.seed}); best of {a.runs} runs")
        t_v, n_v = best(a.runs, lambda: run_vigie(a.vigie, paths))
        t_f, n_f = best(a.runs, lambda: run_feedparser(paths))
        t_x, _ = best(a.runs, lambda: run_xmllint(paths))
    finally:
        if not a.keep:
            shutil.rmtree(directory)
    if n_v != items or n_f != items:
        sys.exit(f"parse_speed: items read: vigie {n_v}, feedparser {n_f}, "
                 f"written {items}")

    print(f"{'parser':<12} {'s':>8} {'items/s':>10} {'MB/s':>8}")
    for name, t in (("vigie", t_v), ("feedparser", t_f), ("xmllint", t_x)):
        print(f"{name:<12} {t:8.2f} {items / t:10.0f} {mb / t:8.1f}")
    speedup = t_f / t_v
    share = t_x / t_v
    print(f"vigie / feedparser, items/s: {speedup:.1f}x (goal 30x)")
    print(f"vigie / xmllint, MB/s: {share:.2f} (goal 0.5)")
    sys.exit(0 if speedup >= 30 and share >= 0.5 else 1)


main()
