#!/usr/bin/env python3
"""Differential test of `vigie score --lang en` against NLTK's VADER.

Every sentence of fixtures/sentiment/en-oracle.txt is scored by both, with
the same lexicon (rules/lexicons/en.tsv and en-reputation.tsv, converted
back to VADER's format), and the compound scores must agree to 4 decimals.

NLTK 3.8 departs from the reference (vaderSentiment 3.3.2), which vigie
follows. A sentence where NLTK is known to differ carries, after a tab,
"nltk: REASON"; there the scores must differ (so that a stale annotation
is noticed) and the reason is printed. Every other mismatch is a failure.

Before that, the command line itself: exit statuses, stdin, --band.

Exit status: 0 success, 1 failures, 77 (skipped) without NLTK.
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    from nltk.sentiment.vader import SentimentIntensityAnalyzer
except ImportError:
    # Debian's python3-nltk, when python3 is not Debian's own.
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        from nltk.sentiment.vader import SentimentIntensityAnalyzer
    except ImportError:
        print("SKIP: NLTK is not installed (Debian: python3-nltk)")
        sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
LEXICONS = os.path.join(os.path.dirname(TESTS), "rules", "lexicons")
VIGIE = os.environ.get("VIGIE", "vigie")
FIXTURES = os.environ.get("FIXTURES", os.path.join(TESTS, "fixtures"))


def vader_lexicon(out):
    """Writes en.tsv then en-reputation.tsv (later entries win, single
    words only: NLTK has no phrases) in VADER's four-column format."""
    entries = {}
    for name in ("en.tsv", "en-reputation.tsv"):
        with open(os.path.join(LEXICONS, name), encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                word, val = line.split("\t")
                if " " not in word:
                    entries[word] = val
    # NLTK splits the file on "\n" and wants a tab on every line, the
    # last one included: no trailing newline.
    out.write("\n".join(f"{w}\t{v}\t0\t[]" for w, v in entries.items()))


def check_cli():
    """The command line around the scores: exit statuses, stdin, JSON."""
    problems = []

    def run(args, stdin=None):
        return subprocess.run([VIGIE, "score"] + args, input=stdin,
                              capture_output=True, text=True, check=False)

    for bad in (["--lang", "de"], ["--band", "2"], ["--bogus"], ["--lang"]):
        r = run(bad + ["good"])
        if r.returncode != 2 or "usage" not in r.stderr:
            problems.append(f"{bad}: exit {r.returncode}, want 2 and usage")
    r = run(["--lexicon", os.path.join(FIXTURES, "sentiment", "bad.tsv"), "x"])
    if r.returncode != 1 or "bad.tsv:3: expected" not in r.stderr:
        problems.append(f"bad lexicon: exit {r.returncode}, {r.stderr!r}")
    r = run([], "good\n\nC'est nul\r\n")
    rows = [json.loads(l) for l in r.stdout.splitlines()]
    if r.returncode != 0 or len(rows) != 3:
        problems.append(f"stdin: exit {r.returncode}, {len(rows)} rows")
    elif [x["label"] for x in rows] != ["positive", "neutral", "negative"] \
            or rows[2]["lang"] != "fr":
        problems.append(f"stdin: unexpected {rows}")
    r = run(["--band", "0.5", "good", "you idiot"])
    rows = [json.loads(l) for l in r.stdout.splitlines()]
    if len(rows) != 2 or rows[0]["label"] != "neutral" \
            or rows[0]["compound"] != 0.4404 or not rows[1]["abusive"]:
        problems.append(f"arguments: unexpected {r.stdout!r}")
    for p in problems:
        print("CLI:", p)
    return len(problems)


def main():
    if check_cli():
        return 1
    cases = []
    path = os.path.join(FIXTURES, "sentiment", "en-oracle.txt")
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            text, _, note = line.partition("\t")
            reason = note[len("nltk:"):].strip() if note.startswith("nltk:") else None
            if note and reason is None:
                print(f"{path}:{n}: bad annotation {note!r}")
                return 1
            cases.append((n, text, reason))
    if not cases:
        print(f"FAIL: {path} holds no sentence: nothing was compared")
        return 1

    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8",
                                     delete=False) as lex:
        vader_lexicon(lex)
    try:
        sia = SentimentIntensityAnalyzer(lexicon_file="file:" + lex.name)
    finally:
        os.unlink(lex.name)

    proc = subprocess.run([VIGIE, "score", "--lang", "en"],
                          input="\n".join(t for _, t, _ in cases) + "\n",
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"vigie score exited {proc.returncode}: {proc.stderr}")
        return 1
    rows = [json.loads(l) for l in proc.stdout.splitlines()]
    if len(rows) != len(cases):
        print(f"{len(cases)} sentences in, {len(rows)} lines out")
        return 1

    failures = deviations = 0
    for (n, text, reason), row in zip(cases, rows):
        ours = f"{row['compound']:.4f}"
        theirs = f"{sia.polarity_scores(text)['compound']:.4f}"
        if set(row) != {"compound", "label", "lang", "abusive", "pos", "neu",
                        "neg", "emotions", "rumour"}:
            print(f"line {n}: unexpected keys {sorted(row)}")
            failures += 1
        if ours == theirs and reason is None:
            continue
        if ours != theirs and reason is not None:
            deviations += 1
            print(f"line {n}: NLTK deviates ({reason}): vigie {ours}, "
                  f"NLTK {theirs}: {text}")
            continue
        failures += 1
        if reason is None:
            print(f"line {n}: MISMATCH vigie {ours}, NLTK {theirs}: {text}")
        else:
            print(f"line {n}: annotated as an NLTK deviation but both give "
                  f"{ours}: {text}")
    print(f"{len(cases)} sentences, {len(cases) - failures - deviations} "
          f"equal, {deviations} known NLTK deviations, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
