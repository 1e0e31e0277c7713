#!/usr/bin/env python3
"""Differential test of `vigie parse` against python3-feedparser.

Both parsers read every XML feed fixture (tests/fixtures/feeds, hostile
ones included; JSON Feed and the HTML page are left out, feedparser 6.0
reads neither) and generated variants
of the odd but real feeds that once disagreed: RSS 2.0 in a default
namespace, Dublin Core and DCMI terms, Atom links without href or only an
enclosure, ids and guids that are the only link, bare `&` in URLs,
upper-case hexadecimal character references, base64 Atom content, escaped
markup in HTML titles, Media RSS and iTunes fallbacks, several authors,
namespace names spelt in other capitals or other places.
The variants come from a seeded generator, so every run sees the same
documents.

Six fields per item are compared: id, link, title, author, published,
updated. Normalised before comparing:
  title     feedparser keeps an HTML title's markup; it is reduced to text
            with the standard library's HTML parser (vigie stores text).
  text      white space folded.
  author    feedparser's "author" without the e-mail it adds in brackets
            to the name of its author_detail.
  link      white space stripped, empty as none, an http(s) URL without a
            path given "/" (vigie resolves every link).
  dates     epoch seconds. feedparser copies an RSS pubDate into "updated"
            and files dc:date under "updated"; its stored "updated" (not
            the copy) is read, and for RSS and RDF an "updated" without
            "published" counts as the publication date when vigie has no
            "updated" (dc:date is the only date such items carry).
  items     a document where the two disagree on the number of items
            counts every field of the longer list as a difference.

Given directories, it compares every *.xml file under them instead (a
corpus of real feeds, or feedparser's own test documents), without the
KNOWN list.

Known, justified differences are listed in KNOWN with their reason; they
still count as differences. The test fails when fewer than 97% of the
fields agree, when vigie crashes (signal) or takes more than 20 s on a
file, or when a KNOWN entry no longer happens (it would hide a fix).
"""
import datetime
import fnmatch
import glob
import json
import os
import random
import subprocess
import sys
import tempfile
import urllib.parse
from feedref import epoch, fold, html_text, rfc3339_epoch

try:
    import feedparser
except ImportError:
    if os.path.exists("/usr/bin/python3") and sys.executable != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    sys.exit("feed_diff: python3-feedparser is not installed")

VIGIE = os.environ["VIGIE"]
FEEDS = os.path.join(os.environ["FIXTURES"], "feeds")
FIELDS = ["id", "link", "title", "author", "published", "updated"]
THRESHOLD = 0.97
TIMEOUT = 20

# (file name pattern, item index, field, why the difference is kept).
KNOWN = [
    ("atom-xmlbase.xml", 0, "author", "RFC 4287 4.1.2: an entry without "
     "author takes the feed's; feedparser leaves it without"),
    ("atom-xmlbase.xml", 2, "author", "idem"),
    ("atom-xmlbase.xml", 3, "author", "idem"),
    ("blogger-atom.xml", 1, "author", "idem"),
    ("hostile-billion-laughs.xml", 0, "link", "libxml2 stops at its entity "
     "amplification check; the bytes after the bomb are lost"),
    ("hostile-billion-laughs.xml", 0, "title", "entities that expand to "
     "references are never expanded; feedparser keeps '&lol9;' as text"),
    ("hostile-xxe.xml", 0, "title", "external entities contribute "
     "nothing; feedparser keeps '&xxe;' as text"),
    ("dublin_core-*.xml", 0, "published", "feedparser files dc:date under "
     "'updated', where a later dcterms:modified replaces it"),
    ("atom_links-*.xml", 1, "link", "no alternate link, an id that is not "
     "a web address: vigie takes the enclosure, feedparser the id"),
]


def link(url):
    """A link as both parsers mean it: without surrounding white space,
    none when empty, and an http(s) URL without a path ending in "/"
    (RFC 3986 6.2.3; vigie resolves every link, feedparser only relative
    ones)."""
    url = (url or "").strip()
    if not url:
        return None
    try:
        p = urllib.parse.urlsplit(url)
    except ValueError:  # no URL at all ("http://x[y/")
        return url
    if p.scheme in ("http", "https") and p.netloc and not p.path:
        url = urllib.parse.urlunsplit(p._replace(path="/"))
    return url


def reference(path):
    """feedparser's fields, normalised."""
    fp = feedparser.parse(path)
    atom = fp.get("version", "").startswith("atom")
    out = []
    for e in fp.entries:
        td = e.get("title_detail") or {}
        title = e.get("title")
        title = (fold(title) if td.get("type") == "text/plain"
                 else html_text(title))
        # dict.get: FeedParserDict answers "updated" with "published".
        pub = epoch(dict.get(e, "published_parsed"))
        upd = epoch(dict.get(e, "updated_parsed"))
        # Its "author" adds the e-mail to the name ("Jo (jo@x.org)"):
        # the name is what both parsers mean by the author.
        who, d = e.get("author"), e.get("author_detail") or {}
        if d.get("name") and who == f"{d['name']} ({d.get('email')})":
            who = d["name"]
        out.append({"id": fold(e.get("id")), "link": link(e.get("link")),
                    "title": title, "author": fold(who),
                    "published": pub, "updated": upd, "_atom": atom})
    return out


def ours(paths):
    """vigie's items per file, from one process for all of them."""
    p = subprocess.run([VIGIE, "parse", *paths], capture_output=True,
                       timeout=TIMEOUT * len(paths))
    if p.returncode < 0:
        raise RuntimeError(f"vigie killed by signal {-p.returncode}")
    by_file = {path: [] for path in paths}
    for line in p.stdout.decode().splitlines():
        o = json.loads(line)
        o["published"] = rfc3339_epoch(o["published"])
        o["updated"] = rfc3339_epoch(o["updated"])
        o["title"] = fold(o["title"])
        o["link"] = link(o["link"])
        o["author"] = fold(o["author"])
        by_file[o["file"] if len(paths) > 1 else paths[0]].append(o)
    return by_file


def known(name, k, field):
    for entry in KNOWN:
        if fnmatch.fnmatch(name, entry[0]) and entry[1:3] == (k, field):
            return entry
    return None


def align_dates(o, t):
    if not t["_atom"] and t["published"] is None and o["updated"] is None:
        t["published"], t["updated"] = t["updated"], None


# --- Generated variants ---------------------------------------------------

WORDS = ("service rapide livraison retard produit cassé remboursement "
         "excellent accueil déçu qualité prix commande colis support "
         "avis client boutique magasin conseil").split()
NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "media": "http://search.yahoo.com/mrss/",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
XMLNS = " ".join(f'xmlns:{p}="{u}"' for p, u in NS.items())


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def words(self, n=4):
        return " ".join(self.r.choice(WORDS) for _ in range(n)).capitalize()

    def name(self):
        return self.r.choice(["Claire Martin", "Paul Durand", "Ana Ruiz",
                              "Jo Lee", "Marc Petit"])

    def date(self):
        t = 1_600_000_000 + self.r.randrange(100_000_000)
        return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)

    def rfc822(self):
        return self.date().strftime("%a, %d %b %Y %H:%M:%S +0000")

    def w3c(self):
        return self.date().strftime("%Y-%m-%dT%H:%M:%SZ")

    def url(self, i):
        return f"https://shop{self.r.randrange(9)}.example/p/{i}"


def rss(items, root_attrs=""):
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            f'{XMLNS} {root_attrs}><channel><title>Avis</title>'
            f'<link>https://shop.example/</link>'
            f'<description>d</description>{"".join(items)}</channel></rss>\n')


def atom(entries):
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f'<feed xmlns="http://www.w3.org/2005/Atom" {XMLNS}>'
            '<title>Avis</title><id>urn:feed</id>'
            '<updated>2024-01-01T00:00:00Z</updated>'
            f'{"".join(entries)}</feed>\n')


def v_default_ns(g, i):
    return rss([f'<item><title>{g.words()}</title><link>{g.url(i)}</link>'
                f'<guid isPermaLink="false">id-{i}</guid>'
                f'<author>{g.name()}</author><pubDate>{g.rfc822()}</pubDate>'
                f'<description>{g.words(9)}</description></item>'
                for i in range(3)],
               'xmlns="http://backend.userland.com/rss2"')


def v_dublin_core(g, i):
    items = []
    for k in range(4):
        date = [f"<dc:date>{g.w3c()}</dc:date>",
                f"<dcterms:issued>{g.w3c()}</dcterms:issued>"][k % 2]
        who = [f"<dc:author>{g.name()}</dc:author>",
               f"<dc:creator>{g.name()}</dc:creator>"][k // 2]
        mod = (f"<dcterms:modified>{g.w3c()}</dcterms:modified>"
               if k != 2 else "")
        items.append(f'<item><dc:title>{g.words()}</dc:title>'
                     f'<link>{g.url(k)}</link><guid>{g.url(k)}#{i}</guid>'
                     f'{date}{who}{mod}</item>')
    return rss(items)


def v_atom_links(g, i):
    u = [g.url(k) for k in range(4)]
    return atom([
        f'<entry><id>urn:e:{i}:0</id><title>{g.words()}</title>'
        f'<link>{u[0]}</link><updated>{g.w3c()}</updated></entry>',
        f'<entry><id>urn:e:{i}:1</id><title>{g.words()}</title>'
        f'<link rel="enclosure" href="{u[1]}.mp3" type="audio/mpeg"/>'
        f'<updated>{g.w3c()}</updated></entry>',
        f'<entry><id>{u[2]}</id><title>{g.words()}</title>'
        f'<published>{g.w3c()}</published><updated>{g.w3c()}</updated>'
        '</entry>',
        f'<entry><id>tag:shop.example,2024:{i}</id><title>{g.words()}'
        f'</title><link href="{u[3]}"/><updated>{g.w3c()}</updated>'
        f'<author><name>{g.name()}</name></author></entry>'])


def v_guid_link(g, i):
    return rss([f'<item><title>{g.words()}</title>'
                f'<guid isPermaLink="true">{g.url(k)}</guid>'
                f'<pubDate>{g.rfc822()}</pubDate></item>' for k in range(2)]
               + [f'<item><title>{g.words()}</title><guid>{g.url(9)}</guid>'
                  '</item>'])


def v_escapes(g, i):
    u = g.url(i)
    a, b = g.r.randrange(100), g.r.randrange(100)
    w = g.words(2)
    return atom([
        f'<entry><id>urn:x:{i}:0</id><title>Caf&#X{0xE9:X}; {w}</title>'
        f'<link href="{u}?a={a}&b={b}"/><updated>{g.w3c()}</updated>'
        '</entry>',
        f'<entry><id>urn:x:{i}:1</id><title type="html">'
        f'&amp;lt;b&amp;gt; {w} &amp;amp; co</title>'
        f'<link href="{u}?q={a}"/><updated>{g.w3c()}</updated>'
        f'<content type="text" mode="base64">aGVsbG8gd29ybGQ=</content>'
        '</entry>']) if i % 2 else rss([
            f'<item><title>{w} &#X{0x2019:X};s</title>'
            f'<link>{u}?a={a}&b={b}&amp;c=1</link>'
            f'<pubDate>{g.rfc822()}</pubDate></item>'])


def v_media(g, i):
    return rss([
        f'<item><media:title>{g.words()}</media:title><link>{g.url(0)}'
        f'</link><media:description>{g.words(8)}</media:description>'
        f'<itunes:author>{g.name()}</itunes:author>'
        f'<pubDate>{g.rfc822()}</pubDate></item>',
        f'<item><title>{g.words()}</title><link>{g.url(1)}</link>'
        f'<dc:creator>{g.name()}</dc:creator>'
        f'<dc:creator>{g.name()}</dc:creator></item>',
    ])


def v_atom_authors(g, i):
    return atom([
        f'<entry><id>urn:a:{i}</id><title>{g.words()}</title>'
        f'<link href="{g.url(i)}"/><updated>{g.w3c()}</updated>'
        f'<author><name>{g.name()}</name></author>'
        f'<author><name>{g.name()}</name></author></entry>'])


def v_ns_spelling(g, i):
    """Namespace names as feeds spell them: iTunes' in the capitals many
    podcasts use, RSS 2.0 in the Harvard default namespace."""
    if i % 2:
        return rss([f'<item><title>{g.words()}</title><link>{g.url(k)}'
                    f'</link><pubDate>{g.rfc822()}</pubDate></item>'
                    for k in range(2)],
                   'xmlns="http://blogs.law.harvard.edu/tech/rss"')
    items = "".join(
        f'<item><title>{g.words()}</title><link>{g.url(k)}</link>'
        f'<itunes:author>{g.name()}</itunes:author>'
        f'<pubDate>{g.rfc822()}</pubDate></item>' for k in range(2))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd">'
            f'<channel><title>Podcast</title>{items}</channel></rss>\n')


VARIANTS = [v_default_ns, v_dublin_core, v_atom_links, v_guid_link,
            v_escapes, v_media, v_atom_authors, v_ns_spelling]
PER_VARIANT = 6


def generate(dirname):
    g = Gen(20240605)
    paths = []
    for v in VARIANTS:
        for i in range(PER_VARIANT):
            path = os.path.join(dirname, f"{v.__name__[2:]}-{i}.xml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(v(g, i))
            paths.append(path)
    return paths


def main(dirs):
    with tempfile.TemporaryDirectory() as tmp:
        if dirs:
            paths = sorted(p for d in dirs for p in glob.glob(
                os.path.join(d, "**", "*.xml"), recursive=True))
        else:
            paths = sorted(p for p in glob.glob(os.path.join(FEEDS, "*"))
                           if not p.endswith((".json", ".html")))
            paths += generate(tmp)
        failures = []
        # Each file alone first: a crash or hang names its file.
        for path in paths:
            try:
                p = subprocess.run([VIGIE, "parse", path],
                                   capture_output=True, timeout=TIMEOUT)
                if p.returncode < 0:
                    failures.append(f"{path}: signal {-p.returncode}")
            except subprocess.TimeoutExpired:
                failures.append(f"{path}: no answer in {TIMEOUT} s")
        mine = ours(paths)
        total = equal = 0
        seen_known = set()
        for path in paths:
            name = os.path.basename(path)
            try:
                theirs = reference(path)
            except Exception as e:  # feedparser's own failures
                print(f"skip {path}: feedparser fails: {e}")
                continue
            if dirs:
                name = os.path.relpath(path, os.path.commonpath(dirs))
            o_items = mine[path]
            n = max(len(o_items), len(theirs))
            if len(o_items) != len(theirs):
                print(f"diff {name}: {len(o_items)} items, feedparser "
                      f"{len(theirs)}")
            for k in range(n):
                if k >= len(o_items) or k >= len(theirs):
                    total += len(FIELDS)
                    continue
                o, t = o_items[k], theirs[k]
                align_dates(o, t)
                for field in FIELDS:
                    total += 1
                    if o[field] == t[field]:
                        equal += 1
                        continue
                    why = known(name, k, field)
                    if why is not None:
                        seen_known.add(why)
                    print(f"diff {name} item {k} {field}: vigie "
                          f"{o[field]!r}, feedparser {t[field]!r}"
                          + (f" (known: {why[3]})" if why else ""))
        for key in set(KNOWN) - seen_known if not dirs else ():
            failures.append(f"known difference no longer seen: {key}")
        share = equal / total if total else 0
        print(f"feed_diff: {len(paths)} files, {equal}/{total} fields "
              f"equal ({100 * share:.1f}%)")
        if share < THRESHOLD:
            failures.append(f"agreement {100 * share:.1f}% below "
                            f"{100 * THRESHOLD:.0f}%")
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    sys.exit(1 if failures else 0)


main(sys.argv[1:])
