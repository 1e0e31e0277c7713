"""
score_cli.py - `vigie score` from the command line: the explanation adds
up to the score it explains, parallel scorers print what one prints in
the same order, -c prints the tone toward each watch, emotions and rumour
flags are there, and bad options are refused.
"""

import json
import math
import os
import random
import subprocess
import tempfile

from harness import Checks, finish

VIGIE = os.environ["VIGIE"]
FIXTURES = os.environ["FIXTURES"]
T = Checks("score_cli")


def run(*args, stdin=None):
    return subprocess.run([VIGIE, "score", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def lines(p):
    return [json.loads(l) for l in p.stdout.splitlines()]


def sentences():
    out = []
    for name in ("fr.tsv", "en.tsv", "fr-social.tsv"):
        with open(os.path.join(FIXTURES, "sentiment", name),
                  encoding="utf-8") as f:
            out += [l.rstrip("\n").split("\t")[1] for l in f
                    if l.strip() and not l.startswith("#")]
    return out


# --explain: the contributions and the punctuation make the sum, and the
# sum the compound.
texts = ["Ce n'est pas bon, mais le SAV est vraiment génial !",
         "Génial, encore une panne 🙄", "Espèce de connard",
         "I don't love it, but the staff were GREAT!!", "Zorglub"]
p = run("--explain", "--lang", "fr", *texts[:3])
q = run("--explain", "--lang", "en", *texts[3:])
rows = lines(p) + lines(q)
T.ok(p.returncode == 0 and q.returncode == 0 and len(rows) == len(texts),
     f"--explain runs: {p.stderr!r} {q.stderr!r}")
for text, row in zip(texts, rows):
    ex = row.get("explain", {})
    total = sum(w["score"] for w in ex.get("words", [])) + \
        ex.get("punctuation", 0)
    T.ok(abs(total - ex.get("sum", 1e9)) < 0.01,
         f"{text}: words and punctuation add up to the sum: {row}")
    s = ex.get("sum", 0)
    T.ok(abs(s / math.sqrt(s * s + 15) - row["compound"]) < 0.001,
         f"{text}: the sum gives the compound: {row}")
T.ok(any("negated" in w["rules"] for w in rows[0]["explain"]["words"]),
     f"the negation is named: {rows[0]}")
T.ok(any("irony" in w["rules"] for w in rows[1]["explain"]["words"]),
     f"the irony is named: {rows[1]}")
T.ok([w["word"] for w in rows[2]["explain"]["words"]] == ["(insult)"],
     f"the insult is named: {rows[2]}")
T.ok(rows[4]["explain"]["words"] == [] and rows[4]["compound"] == 0,
     f"an unknown word explains nothing: {rows[4]}")
T.ok("explain" not in lines(run("--lang", "fr", "bon"))[0],
     "no explanation unless asked")

# Emotions and rumours.
row = lines(run("--lang", "fr", "Il paraît qu'Acme ferme, je suis furieux"))[0]
T.ok(row["rumour"] is True and "anger" in row["emotions"],
     f"rumour and anger: {row}")
row = lines(run("--lang", "fr", "Acme ouvre un magasin"))[0]
T.ok(row["rumour"] is False and row["emotions"] == [],
     f"neither: {row}")

# --jobs: the same lines, in the same order, whatever the number of
# scorers; a batch is 8192 lines, so 20000 lines make three.
pool = sentences()
r = random.Random(7)
corpus = "\n".join(r.choice(pool) for _ in range(20000)) + "\n\n"
one = run("--jobs", "1", stdin=corpus)
three = run("--jobs", "3", stdin=corpus)
T.ok(one.returncode == 0 and three.returncode == 0,
     f"--jobs runs: {one.stderr!r} {three.stderr!r}")
T.ok(len(one.stdout.splitlines()) == 20001,
     f"one line out per line in: {len(one.stdout.splitlines())}")
T.ok(one.stdout == three.stdout, "--jobs 3 prints what --jobs 1 prints")

# -c: the tone toward each watch.
with tempfile.TemporaryDirectory() as d:
    conf = os.path.join(d, "vigie.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write('[watch "free"]\nquery = free\n\n'
                '[watch "conso"]\nquery = consommateurs\n')
    p = run("-c", conf, "--lang", "fr",
            "Free condamné à rembourser 20 000 abonnés : « C'est une "
            "victoire pour les consommateurs »")
    row = lines(p)[0] if p.returncode == 0 else {}
    T.ok(row.get("watches") == ["free", "conso"] and
         len(row.get("tones", [])) == 2, f"-c names both: {p.stdout!r} "
         f"{p.stderr!r}")
    if len(row.get("tones", [])) == 2:
        T.ok(row["tones"][0] < -0.05 and row["tones"][1] > 0.05,
             f"negative toward Free, positive toward consumers: {row}")

# Refusals.
for bad in (["--jobs", "0"], ["--jobs", "x"], ["--jobs", "17"],
            ["--explain=1"], ["--lang", "de"]):
    p = run(*bad, "texte")
    T.ok(p.returncode == 2 and "usage" in p.stderr,
         f"{bad} is a usage error: {p.returncode} {p.stderr!r}")
with tempfile.TemporaryDirectory() as d:
    bad = os.path.join(d, "bad.tsv")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("ok\t1\ncolère\temotion:anger,rage\n")
    p = run("--lexicon", bad, "texte")
    T.ok(p.returncode == 1 and f"{bad}:2: unknown emotion \"rage\"" in
         p.stderr, f"a bad emotion is FILE:LINE: {p.stderr!r}")

# The French rules' numbers come from fr-params.tsv, checked line by line.
LEX = os.path.join(os.path.dirname(os.path.dirname(FIXTURES)), "rules",
                   "lexicons")
with tempfile.TemporaryDirectory() as d:
    lex = os.path.join(d, "lexicons")
    os.mkdir(lex)
    for name in os.listdir(LEX):
        if name != "fr-params.tsv":
            os.symlink(os.path.join(LEX, name), os.path.join(lex, name))
    conf = os.path.join(d, "vigie.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(f"[sentiment]\nlexicons = {lex}\n")
    params = os.path.join(lex, "fr-params.tsv")

    def negated(value):
        with open(params, "w", encoding="utf-8") as f:
            f.write(f"# test\nnegation\t{value}\n")
        p = run("-c", conf, "--lang", "fr", "Ce n'est pas bon")
        return lines(p)[0]["compound"] if p.returncode == 0 else None

    weak, strong = negated(-0.2), negated(-1.5)
    T.ok(weak is not None and strong is not None and strong < weak < 0,
         f"the negation's number is read: {weak} {strong}")
    with open(params, "w", encoding="utf-8") as f:
        f.write("negation\t-0.9\nfoo\t1\nintensifier\tx\n"
                "insult\t9\nnegation -0.9\n")
    p = run("-c", conf, "texte")
    for want in (f"{params}:2: unknown parameter \"foo\"",
                 f"{params}:3: value \"x\" is not a number",
                 f"{params}:4: insult 9 outside -4 .. 0",
                 f"{params}:5: expected NAME<TAB>VALUE"):
        T.ok(p.returncode == 1 and want in p.stderr,
             f"{want!r} in {p.stderr!r}")
    os.unlink(params)
    p = run("-c", conf, "texte")
    T.ok(p.returncode == 1 and f"{params}: No such file" in p.stderr,
         f"a missing fr-params.tsv is named: {p.stderr!r}")

finish(T)
