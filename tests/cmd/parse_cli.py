#!/usr/bin/env python3
"""vigie parse: exact JSON lines for a few fixtures, stdin, --base, exit
codes and messages."""
import json
import os
import subprocess
import tempfile

from harness import Checks, finish

VIGIE = os.environ["VIGIE"]
FEEDS = os.path.join(os.environ["FIXTURES"], "feeds")
KEYS = ["id", "link", "title", "author", "published", "updated", "summary",
        "content", "lang"]
T = Checks("parse_cli")


def run(*args, stdin=None):
    p = subprocess.run([VIGIE, "parse", *args], input=stdin,
                       capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def check(cond, what):
    T.ok(cond, what)


def lines_of(out):
    return [json.loads(line) for line in out.splitlines()]


def expect_items(name, want, *extra):
    rc, out, err = run(*extra, os.path.join(FEEDS, name))
    check(rc == 0, f"{name}: exit {rc}, stderr {err!r}")
    check(err == "", f"{name}: unexpected stderr {err!r}")
    raw = out.splitlines()
    for line in raw:
        keys = list(json.loads(line).keys())
        check(keys == KEYS, f"{name}: keys {keys}")
        check(": " not in line[:10] and "\n" not in line,
              f"{name}: output not compact: {line[:40]!r}")
    got = lines_of(out)
    check(len(got) == len(want), f"{name}: {len(got)} items, want {len(want)}")
    for i, (g, w) in enumerate(zip(got, want)):
        check(g == w, f"{name} item {i}:\n  got  {g}\n  want {w}")


expect_items("wordpress-rss2.xml", [
    {"id": "https://atelier-lumiere.example/?p=412",
     "link": "https://atelier-lumiere.example/2024/05/nouvelle-collection/",
     "title": "Nouvelle collection \u2013 printemps",
     "author": "Claire Martin",
     "published": "2024-05-06T08:12:44Z", "updated": None,
     "summary": "Nos lampes en laiton arrivent\u2026 D\u00e9couvrez la gamme [\u2026]",
     "content": "Nos lampes en laiton arrivent. D\u00e9couvrez la gamme : la boutique.",
     "lang": "fr-FR"},
    {"id": "https://atelier-lumiere.example/?p=398",
     "link": "https://atelier-lumiere.example/2024/04/horaires/",
     "title": "Horaires d\u2019\u00e9t\u00e9", "author": "Paul Durand",
     "published": "2024-04-30T15:05:00Z", "updated": None,
     "summary": "L\u2019atelier ferme \u00e0 18h.",
     "content": "Horaires Lundi\u2013vendredi 10h\u201318h", "lang": "fr-FR"},
])

expect_items("atom-xhtml.xml", [
    {"id": "tag:xhtml.example,2024:1", "link": "http://xhtml.example/1",
     "title": "Escaped markup & entities", "author": "X. Writer",
     "published": None, "updated": "2024-02-01T00:00:00Z",
     "summary": "Plain <not a tag> text",
     "content": "First paragraph. Second strong one. item other",
     "lang": None},
    {"id": "tag:xhtml.example,2024:2", "link": "http://xhtml.example/2",
     "title": "Prefixed xhtml title", "author": None, "published": None,
     "updated": "2024-02-02T00:00:00Z", "summary": None, "content": None,
     "lang": None},
])

expect_items("jsonfeed-1.1.json", [
    {"id": "https://bikes.example.net/posts/tubeless",
     "link": "https://bikes.example.net/posts/tubeless",
     "title": "Going tubeless", "author": "Ana Ruiz",
     "published": "2024-04-01T07:00:00Z", "updated": "2024-04-02T10:00:00Z",
     "summary": "Fewer flats.",
     "content": "Fewer flats, lower pressure & more grip.", "lang": "es"},
    {"id": "1042", "link": "https://mirror.example/posts/chains",
     "title": "Chain wear", "author": "Workshop Team",
     "published": "2024-03-15T18:30:00Z", "updated": None, "summary": None,
     "content": "Measure it every 500 km. Replace at 0.5%.", "lang": "en"},
    {"id": "note-7", "link": None, "title": None, "author": "Workshop Team",
     "published": None, "updated": None, "summary": None,
     "content": "Closed on Monday.", "lang": "en"},
], "--base", "https://mirror.example/feed.json")

# --base against RSS relative links, and the = form.
doc = (b"<rss><channel><item><title>t</title><link>../a/b?c=1</link>"
       b"</item></channel></rss>")
for args in (["--base", "http://h.example/x/y/feed"],
             ["--base=http://h.example/x/y/feed"]):
    rc, out, err = run(*args, "-", stdin=doc)
    check(rc == 0, f"{args}: exit {rc} {err!r}")
    got = lines_of(out)
    check(len(got) == 1 and got[0]["link"] == "http://h.example/x/a/b?c=1",
          f"{args}: link {got}")

# Without --base a relative link stays as written.
rc, out, err = run("-", stdin=doc)
check(rc == 0 and lines_of(out)[0]["link"] == "../a/b?c=1",
      f"no base: {out!r} {err!r}")

# stdin with -, and a document with no items is still a success.
rc, out, err = run("-", stdin=b"<rss version='2.0'><channel><title>x</title>"
                             b"</channel></rss>")
check(rc == 0 and out == "" and err == "", f"empty feed: {rc} {out!r} {err!r}")

# Documents it cannot read: exit 1, "vigie: FILE: reason".
def expect_fail(args, stdin, reason):
    rc, out, err = run(*args, stdin=stdin)
    check(rc == 1, f"{args}: exit {rc}, want 1")
    check(out == "", f"{args}: stdout {out!r}")
    name = args[-1]
    check(err.startswith(f"vigie: {name}: ") and reason in err
          and err.endswith("\n") and err.count("\n") == 1,
          f"{args}: stderr {err!r}, want 'vigie: {name}: ...{reason}'")


expect_fail([os.path.join(FEEDS, "not-a-feed.html")], None,
            "not a feed (HTML page)")
expect_fail([os.path.join(FEEDS, "does-not-exist.xml")], None,
            "No such file or directory")
expect_fail(["-"], b"", "empty document")
expect_fail(["-"], b"   \n", "empty document")
expect_fail(["-"], b"\x00\x01\x02garbage\xff", "neither XML nor JSON")
expect_fail(["-"], b"<opml><body/></opml>", "not a feed (root element <opml>)")
expect_fail(["-"], b"{\"version\":1}", "not a feed (JSON without items)")
expect_fail(["-"], b"{\"items\": [", "not JSON")
expect_fail([FEEDS], None, "")  # a directory cannot be read as a file

# Larger than 64 MiB: refused with a clear message.
big = b"<rss><channel>" + b" " * (64 << 20) + b"</channel></rss>"
expect_fail(["-"], big, "larger than 64 MiB")

# Usage errors: exit 2 and a usage line.
for args in ([], ["--base"], ["--bogus", "x"], ["--base", "http://x/"]):
    rc, out, err = run(*args)
    check(rc == 2 and "usage: vigie parse" in err and out == "",
          f"usage {args}: exit {rc} {err!r}")

# Many files in one process: each line names its file, in the order given;
# a file that cannot be read is reported, the others are still read, and
# the exit status is 1.
one = os.path.join(FEEDS, "wordpress-rss2.xml")
two = os.path.join(FEEDS, "atom-xhtml.xml")
rc, out, err = run(one, two)
alone = lines_of(run(one)[1]) + lines_of(run(two)[1])
got = lines_of(out)
check(rc == 0 and err == "", f"two files: exit {rc} {err!r}")
check([list(g.keys()) for g in got] == [["file"] + KEYS] * len(got),
      f"two files: keys {[list(g.keys()) for g in got][:1]}")
check([g.pop("file") for g in got] ==
      [one] * len(lines_of(run(one)[1])) + [two] * len(lines_of(run(two)[1])),
      "two files: file keys in order")
check(got == alone, "two files: items as when read alone")
missing = os.path.join(FEEDS, "does-not-exist.xml")
rc, out, err = run(missing, one)
check(rc == 1 and err.startswith(f"vigie: {missing}: ")
      and len(lines_of(out)) == len(lines_of(run(one)[1])),
      f"a missing file among two: exit {rc} {err!r}")

# Strings escaped as JSON wants: quotes, backslashes, control characters.
rc, out, err = run("-", stdin=b"<rss><channel><item><guid>a\"b\\c\td\ne"
                              b"f</guid></item></channel></rss>")
check(rc == 0 and '"id":"a\\"b\\\\c\\td\\nef"' in out
      and lines_of(out)[0]["id"] == "a\"b\\c\td\nef",
      f"escapes: {out!r}")

# A path that is not UTF-8 is shown with U+FFFD.
with tempfile.TemporaryDirectory() as tmp:
    odd = os.path.join(os.fsencode(tmp), b"caf\xe9.xml")
    with open(odd, "wb") as f:
        f.write(b"<rss><channel><item><title>t</title></item></channel></rss>")
    p = subprocess.run([VIGIE, "parse", odd, odd], capture_output=True,
                       timeout=60)
    got = lines_of(p.stdout.decode("utf-8"))
    check(p.returncode == 0 and len(got) == 2 and
          got[0]["file"] == os.path.join(tmp, "caf\ufffd.xml"),
          f"non-UTF-8 path: {p.returncode} {got}")

# The XXE fixture must not leak the file, and must still yield its items.
rc, out, err = run(os.path.join(FEEDS, "hostile-xxe.xml"))
check(rc == 0 and "root:" not in out and len(lines_of(out)) == 2,
      f"xxe: {rc} {out!r}")

finish(T)
