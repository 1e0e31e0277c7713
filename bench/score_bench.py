#!/usr/bin/env python3
"""Throughput and agreement of `vigie score --lang en` against the npm port
of VADER (vader-sentiment, pinned in bench/vader_node/package.json), over
the same English corpus.

usage: bench/score_bench.py [--vigie PATH] [--lines N] [--seed S] [--runs R]
                            [--keep DIR]

The corpus is N lines (100 000 by default), each one to three sentences
drawn from tests/fixtures/sentiment/en.tsv: reviews, complaints, news,
with negation, intensifiers, "but", capitals, punctuation, emoji. The same
seed gives the same corpus. Each scorer is one process reading the corpus
on stdin, run R times (3 by default); the figures are the median run, and
include process start-up (node's included). The npm package is installed
into bench/vader_node at run time (`npm install --no-audit --no-fund`).
"""
import argparse
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NODE_DIR = os.path.join(HERE, "vader_node")
SET = os.path.join(ROOT, "tests", "fixtures", "sentiment", "en.tsv")
REPUTATION = os.path.join(ROOT, "rules", "lexicons", "en-reputation.tsv")
# Both print 4 decimals: a difference of one unit in the last place is
# rounding, anything above it a disagreement.
TOLERANCE = 0.0001 + 1e-9


def sentences():
    out = []
    with open(SET, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            out.append(line.rstrip("\n").split("\t")[1])
    return out


def corpus(path, n, seed):
    r = random.Random(seed)
    pool = sentences()
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(n):
            k = r.choice((1, 1, 2, 2, 3))
            f.write(" ".join(r.choice(pool) for _ in range(k)) + "\n")


def timed(argv, stdin_path, out_path, cwd=None):
    """Wall and CPU (user + system) seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(stdin_path, "rb") as fin, open(out_path, "wb") as fout:
        t0 = time.perf_counter()
        proc = subprocess.run(argv, stdin=fin, stdout=fout,
                              stderr=subprocess.PIPE, cwd=cwd)
        wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"score_bench: {' '.join(argv)} exited with "
                 f"{proc.returncode}: {proc.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def run_many(name, argv, stdin_path, out_path, runs, cwd=None):
    walls, cpus = [], []
    for i in range(runs):
        wall, cpu = timed(argv, stdin_path, out_path, cwd)
        walls.append(wall)
        cpus.append(cpu)
        print(f"  {name} run {i + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU",
              flush=True)
    return statistics.median(walls), min(walls), max(walls), \
        statistics.median(cpus)


def read_vigie(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["compound"] for line in f]


def read_node(path):
    with open(path, encoding="utf-8") as f:
        return [float(line) for line in f]


def reputation_entries():
    """The words and phrases vigie adds to VADER's English lexicon."""
    pats = []
    with open(REPUTATION, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            entry = line.split("\t")[0]
            pats.append(re.compile(r"(?<![\w-])" + re.escape(entry) +
                                   r"(?![\w-])", re.IGNORECASE))
    return pats


def per_sentence(vigie, work):
    """Each sentence of the set alone: which ones the two scorers disagree
    on, and whether vigie's reputation lexicon is involved (a word VADER's
    lexicon lacks or values differently) or the scorers' rules are."""
    src = os.path.join(work, "sentences.txt")
    with open(src, "w", encoding="utf-8") as f:
        f.write("\n".join(sentences()) + "\n")
    ours_out = os.path.join(work, "sentences.vigie")
    theirs_out = os.path.join(work, "sentences.vader")
    timed([vigie, "score", "--lang", "en"], src, ours_out)
    timed(["node", "score.js"], src, theirs_out, cwd=NODE_DIR)
    pats = reputation_entries()
    differ = []
    for text, a, b in zip(sentences(), read_vigie(ours_out),
                          read_node(theirs_out)):
        if abs(a - b) > TOLERANCE:
            differ.append((abs(a - b), a, b, text,
                           any(p.search(text) for p in pats)))
    for p in (src, ours_out, theirs_out):
        os.unlink(p)
    return sorted(differ, reverse=True)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigie", default=os.path.join(ROOT, "build-bench",
                                                    "vigie"))
    ap.add_argument("--lines", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", help="write the corpus and outputs here")
    args = ap.parse_args()
    if not os.access(args.vigie, os.X_OK):
        sys.exit(f"score_bench: {args.vigie} is not executable; build it "
                 "(meson setup build-bench --buildtype=release)")

    print("installing vader-sentiment into bench/vader_node", flush=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"],
                   cwd=NODE_DIR, check=True)
    node_version = subprocess.run(["node", "--version"], capture_output=True,
                                  text=True, check=True).stdout.strip()

    work = args.keep or tempfile.mkdtemp(prefix="score_bench.")
    os.makedirs(work, exist_ok=True)
    src = os.path.join(work, "corpus.txt")
    vigie_out = os.path.join(work, "vigie.jsonl")
    node_out = os.path.join(work, "vader.txt")
    try:
        corpus(src, args.lines, args.seed)
        size = os.path.getsize(src)
        print(f"corpus: {args.lines} lines, {size / 1e6:.1f} MB, "
              f"seed {args.seed}", flush=True)

        v_wall, v_min, v_max, v_cpu = run_many("vigie", [args.vigie, "score", "--lang",
                                           "en"], src, vigie_out, args.runs)
        n_wall, n_min, n_max, n_cpu = run_many("vader-sentiment", ["node", "score.js"],
                                 src, node_out, args.runs, cwd=NODE_DIR)

        ours, theirs = read_vigie(vigie_out), read_node(node_out)
        if len(ours) != args.lines or len(theirs) != args.lines:
            sys.exit(f"score_bench: {args.lines} lines in, vigie wrote "
                     f"{len(ours)}, vader-sentiment {len(theirs)}")
        with open(src, encoding="utf-8") as f:
            texts = f.read().splitlines()
        single = per_sentence(args.vigie, work)
        diffs = sorted(((abs(a - b), i) for i, (a, b) in
                        enumerate(zip(ours, theirs))), reverse=True)
        over = sum(1 for d, _ in diffs if d > TOLERANCE)
        # The corpus repeats sentences: show five different lines.
        worst, seen = [], set()
        for d, i in diffs:
            if d <= TOLERANCE or len(worst) == 5:
                break
            if texts[i] not in seen:
                seen.add(texts[i])
                worst.append((d, i))
    finally:
        if not args.keep:
            for p in (src, vigie_out, node_out):
                if os.path.exists(p):
                    os.unlink(p)
            os.rmdir(work)

    v_rate = args.lines / v_wall * 60
    n_rate = args.lines / n_wall * 60
    print()
    print(f"machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}; "
          f"node {node_version}, vader-sentiment 1.1.3")
    print()
    print(f"| scorer | wall s, median of {args.runs} | wall s, range | "
          "CPU s | lines/minute |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(f"| vigie score --lang en | {v_wall:.2f} | {v_min:.2f}-{v_max:.2f} "
          f"| {v_cpu:.2f} | {v_rate:,.0f} |")
    print(f"| node + vader-sentiment | {n_wall:.2f} | {n_min:.2f}-{n_max:.2f} "
          f"| {n_cpu:.2f} | {n_rate:,.0f} |")
    print()
    print(f"speed ratio (vigie / vader-sentiment, lines per minute): "
          f"{v_rate / n_rate:.2f}; in CPU time: {n_cpu / v_cpu:.2f}")
    print(f"largest |compound difference|: {diffs[0][0]:.4f}")
    print(f"lines differing by more than 0.0001: {over} of {args.lines}")
    for d, i in worst:
        print(f"  {d:.4f}  vigie {ours[i]:+.4f}  vader {theirs[i]:+.4f}  "
              f"{texts[i]}")
    lexicon = sum(1 for d in single if d[4])
    print(f"sentences of en.tsv scored alone: {len(single)} of "
          f"{len(sentences())} differ by more than 0.0001; {lexicon} of "
          f"them contain an entry of en-reputation.tsv, "
          f"{len(single) - lexicon} do not:")
    for d, a, b, text, rep in single:
        print(f"  {d:.4f}  vigie {a:+.4f}  vader {b:+.4f}  "
              f"{'[lexicon] ' if rep else ''}{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
