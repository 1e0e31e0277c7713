#!/usr/bin/env python3
"""Compares `vigie parse` with python3-feedparser, item by item, on every
well-formed feed fixture: count, link, title text, id and dates.

Skipped, by rule:
  hostile-*      attacks (XXE, entity bombs): there the point is what vigie
                 refuses to do, which tests/core/test_feed.c checks;
  *.html         not feeds;
  *.json         feedparser 6.0 (Debian 12) does not read JSON Feed;
  ill-formed XML feedparser flags it "bozo" with anything but a charset
                 complaint, and two recovering parsers need not agree on
                 what a broken document meant.

Deliberate divergences, normalised below:
  title    feedparser keeps an HTML title's markup and entities; vigie
           stores plain text. feedparser's title is reduced to text with
           the standard library's HTML parser before comparing.
  dates    feedparser files RSS 1.0's dc:date under "updated"; vigie
           takes dc:date as the publication date (it is the only date such
           items carry). For RSS, feedparser copies the publication date
           into "updated", so "updated" is compared for Atom only.
"""
import glob
import json
import os
import subprocess
import sys
from feedref import epoch, html_text, rfc3339_epoch

try:
    import feedparser
except ImportError:
    # pyenv and virtualenvs hide the Debian package; the system interpreter
    # has it.
    if os.path.exists("/usr/bin/python3") and sys.executable != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    sys.exit("feed_oracle: python3-feedparser is not installed")

VIGIE = os.environ["VIGIE"]
FEEDS = os.path.join(os.environ["FIXTURES"], "feeds")


def skipped(name, parsed):
    if name.startswith("hostile-"):
        return "hostile"
    if name.endswith(".html"):
        return "not a feed"
    if name.endswith(".json"):
        return "JSON Feed unsupported by feedparser 6.0"
    if parsed.bozo and not isinstance(parsed.bozo_exception,
                                      (feedparser.CharacterEncodingOverride,
                                       feedparser.NonXMLContentType)):
        return f"ill-formed ({type(parsed.bozo_exception).__name__})"
    return None


def main():
    failures = []
    compared = 0
    for path in sorted(glob.glob(os.path.join(FEEDS, "*"))):
        name = os.path.basename(path)
        fp = feedparser.parse(path)
        why = skipped(name, fp)
        if why:
            print(f"skip {name}: {why}")
            continue
        p = subprocess.run([VIGIE, "parse", path], capture_output=True,
                           timeout=60)
        if p.returncode != 0:
            failures.append(f"{name}: vigie exit {p.returncode}: "
                            f"{p.stderr.decode(errors='replace').strip()}")
            continue
        ours = [json.loads(l) for l in p.stdout.decode().splitlines()]
        theirs = fp.entries
        if len(ours) != len(theirs):
            failures.append(f"{name}: {len(ours)} items, feedparser "
                            f"{len(theirs)}")
            continue
        atom = fp.version.startswith("atom")
        rdf = fp.version in ("rss090", "rss10")
        for i, (o, t) in enumerate(zip(ours, theirs)):
            pub = t.get("published_parsed")
            if pub is None and rdf:
                pub = t.get("updated_parsed")
            fields = [
                ("link", o["link"], t.get("link")),
                ("title", o["title"], html_text(t.get("title"))),
                ("id", o["id"], t.get("id")),
                ("published", rfc3339_epoch(o["published"]), epoch(pub)),
            ]
            if atom:
                fields.append(("updated", rfc3339_epoch(o["updated"]),
                               epoch(t.get("updated_parsed"))))
            for field, a, b in fields:
                if a != b:
                    failures.append(f"{name} item {i} {field}: vigie {a!r}, "
                                    f"feedparser {b!r}")
        compared += 1
        print(f"ok   {name}: {len(ours)} items agree")
    if compared == 0:
        failures.append("no fixture was compared")
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    sys.exit(1 if failures else 0)


main()
