#!/usr/bin/env python3
"""Throughput of `vigie parse` against python3-feedparser on a generated
corpus: 240 feeds (RSS 2.0, Atom, RDF, JSON Feed; 10 to 100 items each,
HTML content), identical for a given seed.

usage: bench/parse_bench.py [--vigie PATH] [--feeds N] [--seed S] [--keep DIR]

vigie runs one process per file, as a reader of its output would; the time
includes process start-up. feedparser runs in this interpreter. feedparser
6.0 cannot read JSON Feed, so the comparison row covers the XML feeds only.
"""
import argparse
import email.utils
import json
import os
import random
import subprocess
import sys
import tempfile
import time

try:
    import feedparser
except ImportError:
    if os.path.exists("/usr/bin/python3") and sys.executable != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    sys.exit("parse_bench: python3-feedparser is not installed")

WORDS = ("le la les un une des et est dans pour avec sur the of and to in is "
         "for on with that this from city council market report weather "
         "police school river festival budget vote mayor club team season "
         "company launch product review customer service price quality "
         "déjà été très où ça naïve café crème résumé").split()
ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def esc(s):
    return "".join(ESC.get(c, c) for c in s)


def sentence(r, lo=6, hi=18):
    w = [r.choice(WORDS) for _ in range(r.randint(lo, hi))]
    return " ".join(w).capitalize() + r.choice([".", ".", "!", "?", "…"])


def html_body(r):
    parts = []
    for _ in range(r.randint(2, 8)):
        s = sentence(r, 20, 60)
        if r.random() < 0.5:
            s += f' <a href="/tag/{r.choice(WORDS)}">{r.choice(WORDS)}</a>'
        if r.random() < 0.3:
            s += " &amp; <em>plus</em>&nbsp;&eacute;t&eacute;"
        parts.append(f"<p>{s}</p>")
    if r.random() < 0.3:
        parts.append("<ul>" + "".join(f"<li>{sentence(r, 3, 6)}</li>"
                                      for _ in range(3)) + "</ul>")
    if r.random() < 0.2:
        parts.append("<script>track(1);</script>")
    return "\n".join(parts)


def when(r):
    return 1600000000 + r.randint(0, 100000000)


def rss(r, n, site):
    items = []
    for i in range(n):
        t = when(r)
        items.append(f"""<item>
<title>{esc(sentence(r))}</title>
<link>{site}/{i}/{r.choice(WORDS)}</link>
<guid isPermaLink="false">{site}/?p={i}</guid>
<dc:creator><![CDATA[{r.choice(WORDS).title()} {r.choice(WORDS).title()}]]></dc:creator>
<pubDate>{email.utils.formatdate(t, usegmt=r.random() < 0.5)}</pubDate>
<description><![CDATA[{sentence(r, 20, 40)}]]></description>
<content:encoded><![CDATA[{html_body(r)}]]></content:encoded>
</item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>{esc(sentence(r, 2, 4))}</title><link>{site}/</link>
<description>{esc(sentence(r))}</description><language>fr</language>
{"".join(items)}
</channel></rss>
"""


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def atom(r, n, site):
    entries = []
    for i in range(n):
        t = when(r)
        entries.append(f"""<entry>
<id>tag:{site[8:]},2024:{i}</id>
<title type="html">{esc(sentence(r))}</title>
<link rel="alternate" type="text/html" href="{i}.html"/>
<published>{iso(t)}</published><updated>{iso(t + 3600)}</updated>
<author><name>{r.choice(WORDS).title()}</name></author>
<summary>{esc(sentence(r, 20, 40))}</summary>
<content type="html">{esc(html_body(r))}</content>
</entry>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{site}/posts/" xml:lang="en">
<title>{esc(sentence(r, 2, 4))}</title><id>{site}/</id>
<updated>{iso(when(r))}</updated><link href="{site}/"/>
{"".join(entries)}
</feed>
"""


def rdf(r, n, site):
    items = []
    for i in range(n):
        items.append(f"""<item rdf:about="{site}/story/{i}">
<title>{esc(sentence(r))}</title><link>{site}/story/{i}?from=rss</link>
<description>{esc(html_body(r))}</description>
<dc:creator>{r.choice(WORDS)}</dc:creator><dc:date>{iso(when(r))}</dc:date>
</item>""")
    return f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="{site}/"><title>{esc(sentence(r, 2, 4))}</title><link>{site}/</link><description>x</description></channel>
{"".join(items)}
</rdf:RDF>
"""


def jsonfeed(r, n, site):
    items = [{"id": f"{site}/{i}", "url": f"{site}/{i}",
              "title": sentence(r), "content_html": html_body(r),
              "date_published": iso(when(r)),
              "authors": [{"name": r.choice(WORDS).title()}]}
             for i in range(n)]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1",
                       "title": sentence(r, 2, 4), "home_page_url": site,
                       "items": items}, ensure_ascii=False, indent=1)


def generate(dirname, count, seed):
    r = random.Random(seed)
    kinds = [("rss", rss, "xml"), ("atom", atom, "xml"), ("rdf", rdf, "xml"),
             ("json", jsonfeed, "json")]
    files = []
    for i in range(count):
        kind, fn, ext = kinds[i % len(kinds)]
        site = f"https://site{i}.example"
        text = fn(r, r.randint(10, 100), site)
        path = os.path.join(dirname, f"{i:03d}-{kind}.{ext}")
        # The RDF feeds declare ISO-8859-1: write them so.
        enc = "iso-8859-1" if kind == "rdf" else "utf-8"
        with open(path, "wb") as f:
            f.write(text.encode(enc, errors="xmlcharrefreplace"))
        files.append(path)
    return files


def run_vigie(vigie, files):
    items = 0
    t0 = time.perf_counter()
    for path in files:
        p = subprocess.run([vigie, "parse", path], capture_output=True)
        if p.returncode != 0:
            sys.exit(f"vigie failed on {path}: {p.stderr.decode()}")
        items += p.stdout.count(b"\n")
    return items, time.perf_counter() - t0


def run_feedparser(files):
    items = 0
    t0 = time.perf_counter()
    for path in files:
        items += len(feedparser.parse(path).entries)
    return items, time.perf_counter() - t0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigie", default=os.path.join(here, "..", "build",
                                                    "vigie"))
    ap.add_argument("--feeds", type=int, default=240)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", help="write the corpus here and keep it")
    a = ap.parse_args()
    if a.feeds < 4:
        sys.exit("parse_bench: need at least 4 feeds")

    with tempfile.TemporaryDirectory() as tmp:
        d = a.keep or tmp
        os.makedirs(d, exist_ok=True)
        files = generate(d, a.feeds, a.seed)
        xml = [f for f in files if f.endswith(".xml")]
        size_all = sum(os.path.getsize(f) for f in files)
        size_xml = sum(os.path.getsize(f) for f in xml)

        rows = []
        n, t = run_vigie(a.vigie, files)
        rows.append(("vigie, all feeds", len(files), n, size_all, t))
        vn, vt = run_vigie(a.vigie, xml)
        rows.append(("vigie, XML feeds", len(xml), vn, size_xml, vt))
        fn, ft = run_feedparser(xml)
        rows.append(("feedparser, XML feeds", len(xml), fn, size_xml, ft))
        # What one process costs before any parsing: an empty feed.
        empty = os.path.join(d, "empty.xml")
        with open(empty, "w") as f:
            f.write("<rss><channel/></rss>")
        _, st = run_vigie(a.vigie, [empty] * len(xml))

    print(f"corpus: {len(files)} feeds, {size_all / 1e6:.1f} MB, seed "
          f"{a.seed}")
    print(f"{'parser':<24}{'feeds':>6}{'items':>8}{'MB':>7}{'s':>8}"
          f"{'items/s':>10}{'MB/s':>8}")
    for name, nf, ni, size, secs in rows:
        print(f"{name:<24}{nf:>6}{ni:>8}{size / 1e6:>7.1f}{secs:>8.2f}"
              f"{ni / secs:>10.0f}{size / 1e6 / secs:>8.2f}")
    print(f"speed-up of vigie over feedparser (XML feeds): {ft / vt:.1f}x")
    print(f"of vigie's {vt:.2f} s, {st:.2f} s is process start-up "
          f"({len(xml)} runs on an empty feed); without it: "
          f"{size_xml / 1e6 / max(vt - st, 1e-9):.1f} MB/s, "
          f"{ft / max(vt - st, 1e-9):.1f}x feedparser")
    if vn != fn:
        print(f"note: item counts differ (vigie {vn}, feedparser {fn})")


main()
