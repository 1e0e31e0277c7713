"""
watch_cli.py - watches from the command line: `vigie check` reports a bad
query as FILE:LINE: column N: message and refuses the file, and
`vigie score -c FILE` names the watches and terms each text matches.
"""

import json
import re
import os
import subprocess
import tempfile

from harness import REPO_DIR, Checks, finish

VIGIE = os.environ["VIGIE"]
T = Checks("watch_cli")


def run(*args, stdin=None):
    return subprocess.run([VIGIE, *args], input=stdin, capture_output=True,
                          text=True, timeout=60)


def expect(cond, what):
    T.ok(cond, what)


CONF = """\
[database]
conninfo = dbname=none

[watch "Acme"]
query = (acme OR "acme corp") AND NOT "acme road runner"
tags = brand

[watch "Globex"]
query = globex* NEAR/3 (panne OR outage)
lang = fr, en
tags = competitor

[watch "Arnaque"]
query = acme AND (arnaque* OR escroquerie OR scam)
"""

BAD = """\
[watch "A"]
query = (acme OR globex

[watch "B"]
query = title:acme AND foo:bar

[watch "C"]
query = /acme(/
"""

with tempfile.TemporaryDirectory() as tmp:
    good = os.path.join(tmp, "good.conf")
    bad = os.path.join(tmp, "bad.conf")
    with open(good, "w") as f:
        f.write(CONF)
    with open(bad, "w") as f:
        f.write(BAD)

    p = run("check", "-c", good)
    expect(p.returncode == 0, f"check good: exit {p.returncode}: {p.stderr}")
    expect(p.stdout == f"{good}: ok, 0 sources, 3 watches\n",
           f"check good: stdout {p.stdout!r}")

    p = run("check", "-c", bad)
    expect(p.returncode == 1, f"check bad: exit {p.returncode}")
    lines = p.stderr.splitlines()
    expect(len(lines) == 3, f"check bad: want 3 problems, got {lines}")
    want_prefix = [f"{bad}:2: column 9: ", f"{bad}:5: column ",
                   f"{bad}:8: column "]
    for line, prefix in zip(lines, want_prefix):
        expect(line.startswith(prefix), f"check bad: {line!r} does not "
               f"start with {prefix!r}")
    expect("foo" in lines[1] if len(lines) > 1 else False,
           f"unknown field not named: {lines[1:2]}")
    # PCRE2's own message for the unbalanced regex.
    expect("parenthes" in lines[2] if len(lines) > 2 else False,
           f"regex error lacks PCRE2's message: {lines[2:3]}")

    # The daemon refuses the same file, with the same messages.
    p = run("run", "-c", bad, "--once")
    expect(p.returncode == 1 and p.stderr.splitlines() == lines,
           f"run bad: exit {p.returncode}, stderr {p.stderr!r}")

    texts = [
        "Acme Corp annonce une arnaque géante, je suis déçu",
        "The acme road runner cartoon is great",
        "Grosse panne chez Globex ce matin",
        "Globex shares rose today",
        "nothing to see here",
    ]
    p = run("score", "-c", good, *texts)
    expect(p.returncode == 0, f"score -c: exit {p.returncode}: {p.stderr}")
    rows = [json.loads(l) for l in p.stdout.splitlines()]
    expect(len(rows) == len(texts), f"score -c: {len(rows)} rows")
    if len(rows) == len(texts):
        expect(rows[0]["watches"] == ["Acme", "Arnaque"],
               f"row 0 watches: {rows[0]}")
        expect("arnaque*" in rows[0]["terms"], f"row 0 terms: {rows[0]}")
        expect(rows[0]["label"] == "negative", f"row 0 tone: {rows[0]}")
        expect(rows[1]["watches"] == [], f"exclusion: {rows[1]}")
        expect(rows[2]["watches"] == ["Globex"], f"NEAR: {rows[2]}")
        expect(rows[3]["watches"] == [], f"NEAR without panne: {rows[3]}")
        expect(rows[4]["watches"] == [] and rows[4]["terms"] == [],
               f"no match: {rows[4]}")
        for r in rows:
            for key in ("compound", "label", "lang", "abusive"):
                expect(key in r, f"missing {key}: {r}")

    # Without -c there are no watches to name.
    p = run("score", "Acme")
    expect(p.returncode == 0 and "watches" not in json.loads(p.stdout),
           f"score without -c: {p.stdout!r}")

# Every example of docs/QUERIES.md is a configuration vigie accepts, and
# the French one matches as documented.
blocks = re.findall(r"```ini\n(.*?)```",
                    (REPO_DIR / "docs" / "QUERIES.md").read_text(), re.S)
expect(len(blocks) >= 1, "no ini example found in docs/QUERIES.md")
with tempfile.TemporaryDirectory() as tmp:
    examples = os.path.join(tmp, "examples.conf")
    with open(examples, "w") as f:
        f.write("[database]\nconninfo = dbname=none\n\n" + "\n".join(blocks))
    p = run("check", "-c", examples)
    expect(p.returncode == 0,
           f"docs/QUERIES.md examples: exit {p.returncode}: {p.stderr}")
    p = run("score", "-c", examples, "--lang", "fr",
            "Le service client de Free ne répond pas",
            "Promo Free : le service client offert")
    rows = [json.loads(l) for l in p.stdout.splitlines()]
    expect(len(rows) == 2 and "free-sav" in rows[0]["watches"] and
           "free-sav" not in rows[1]["watches"],
           f"the French example: {p.stdout!r} {p.stderr!r}")

finish(T)
