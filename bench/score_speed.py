#!/usr/bin/env python3
"""Lines per second of `vigie score` against vaderSentiment in Python, side
by side on the same lines, and of French scoring against English.

usage: bench/score_speed.py --vader-py DIR [--vigie PATH] [--before PATH]
                            [--lines N] [--runs R] [--seed S]

The English corpus is bench/score_bench.py's (N lines of one to three
sentences of tests/fixtures/sentiment/en.tsv); the French one is built the
same way from tests/fixtures/sentiment/fr.tsv and fr-social.tsv. Each
scorer is one process reading its corpus on standard input, run R times;
the figures are the median run, process start-up included. vigie runs
with one scorer (--jobs 1) and with its default, one per processor.
DIR is a checkout of https://github.com/cjhutto/vaderSentiment.
--before names another vigie binary (an older release build) scored on
the same lines (English with --lang en; both corpora with the language
detected), for a before/after in the same run.
"""
import argparse
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import score_bench  # noqa: E402

FR_SETS = ("fr.tsv", "fr-social.tsv")


def fr_corpus(path, n, seed):
    pool = []
    for name in FR_SETS:
        with open(os.path.join(ROOT, "tests", "fixtures", "sentiment", name),
                  encoding="utf-8") as f:
            pool += [l.rstrip("\n").split("\t")[1] for l in f
                     if l.strip() and not l.startswith("#")]
    r = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(n):
            k = r.choice((1, 1, 2, 2, 3))
            f.write(" ".join(r.choice(pool) for _ in range(k)) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigie", default=os.path.join(ROOT, "build-bench",
                                                    "vigie"))
    ap.add_argument("--vader-py", required=True)
    ap.add_argument("--before")
    ap.add_argument("--lines", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    work = os.path.join("/tmp", f"score_speed.{os.getpid()}")
    os.makedirs(work)
    en = os.path.join(work, "en.txt")
    fr = os.path.join(work, "fr.txt")
    out = os.path.join(work, "out")
    score_bench.corpus(en, args.lines, args.seed)
    fr_corpus(fr, args.lines, args.seed)
    print(f"corpora: {args.lines} lines each; en {os.path.getsize(en) / 1e6:.1f}"
          f" MB, fr {os.path.getsize(fr) / 1e6:.1f} MB; "
          f"{os.cpu_count()} CPUs, {score_bench.cpu_model()}", flush=True)
    runs = [
        ("vaderSentiment (Python)", [sys.executable,
                                     os.path.join(HERE, "vader_py.py"),
                                     args.vader_py], en),
        ("vigie score --lang en --jobs 1",
         [args.vigie, "score", "--lang", "en", "--jobs", "1"], en),
        ("vigie score --lang en", [args.vigie, "score", "--lang", "en"], en),
        *([("before: vigie score --lang en", [args.before, "score",
                                               "--lang", "en"], en)]
          if args.before else []),
        ("vigie score --lang fr --jobs 1",
         [args.vigie, "score", "--lang", "fr", "--jobs", "1"], fr),
        ("vigie score --lang fr", [args.vigie, "score", "--lang", "fr"], fr),
        ("vigie score --lang fr --jobs 1, English lines",
         [args.vigie, "score", "--lang", "fr", "--jobs", "1"], en),
        ("vigie score (auto) --jobs 1, French lines",
         [args.vigie, "score", "--jobs", "1"], fr),
        ("vigie score (auto) --jobs 1, English lines",
         [args.vigie, "score", "--jobs", "1"], en),
        *([("before: vigie score (auto) --jobs 1, French lines",
            [args.before, "score", "--jobs", "1"], fr),
           ("before: vigie score (auto) --jobs 1, English lines",
            [args.before, "score", "--jobs", "1"], en)]
          if args.before else []),
    ]
    rows = []
    for name, argv, src in runs:
        wall, lo, hi, cpu = score_bench.run_many(name, argv, src, out,
                                                 args.runs)
        rows.append((name, wall, lo, hi, cpu, os.path.getsize(src)))
    base = args.lines / rows[0][1]
    print()
    print(f"| scorer | wall s (median of {args.runs}) | range | CPU s | "
          "lines/s | MB/s | × vaderSentiment (lines/s) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, wall, lo, hi, cpu, size in rows:
        rate = args.lines / wall
        print(f"| {name} | {wall:.3f} | {lo:.3f}-{hi:.3f} | {cpu:.3f} | "
              f"{rate:,.0f} | {size / wall / 1e6:.1f} | "
              f"{rate / base:.1f} |")
    for p in (en, fr, out):
        os.unlink(p)
    os.rmdir(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
