"""
feedgen.py - deterministic feeds for the benchmarks: RSS 2.0 and Atom 1.0
documents of 20 to 50 items with HTML descriptions, 20 to 60 KB each, the
way news and blog sites publish them.

Feed number i depends only on the seed and on i, so a run with 500 feeds
serves exactly the first 500 feeds of a run with 2000, and two runs with
the same seed serve the same bytes. Every item has an identity of its own
(guid, atom:id, or its link when there is no guid), unique across all
feeds, so the number of items a store should hold is known exactly.

Usable alone: python3 bench/feedgen.py DIR N [SEED]
"""

import datetime
import gzip
import pathlib
import random
import sys
from xml.sax.saxutils import escape, quoteattr

MIN_ITEMS, MAX_ITEMS = 20, 50

# Plain vocabulary of the press and of brand monitoring, with a few
# accented words so that the text is UTF-8 and not just ASCII.
WORDS = """
the a of and to in for on with by from at as about after before over under
company brand customers report market shares board chief executive said
announced quarter results growth revenue losses profit outlook analysts
investors regulators complaint lawsuit court ruling recall product launch
service outage users network data breach privacy security researchers
statement spokesperson interview press conference strike union workers
factory plant supply chain prices inflation energy climate emissions
government minister parliament vote election campaign city region country
europe france germany spain italy london paris berlin madrid rome brussels
social media video post viral criticism boycott praise review rating stars
shop store online delivery delay refund support team apology response
weekend monday tuesday wednesday thursday friday morning evening night
new old first last major minor local national international global
according sources familiar matter confirmed denied expected reportedly
could would should might will may must today yesterday tomorrow week month
year decade percent million billion euros dollars deal merger acquisition
partnership contract agreement talks negotiations offer bid stake fund
café société marché économie été réseau numérique sécurité données
""".split()

AUTHORS = ["Claire Martin", "Jonas Weber", "Ana García", "Luca Bianchi",
           "Sophie Dubois", "Tom Evans", "Marta Nowak", "Hélène Roux",
           "Pieter de Vries", "Ingrid Larsen", "Newsroom", "Staff writer"]

CATEGORIES = ["Business", "Technology", "Economy", "Politics", "Consumer",
              "Energy", "Media", "Retail", "Transport", "Health"]

# Fixed, so that the documents do not depend on the day they are made.
EPOCH = datetime.datetime(2024, 3, 15, 18, 0, tzinfo=datetime.timezone.utc)


# Item numbers of the items published after the first version of a feed.
FRESH_NO = 1_000_000


def _words(rng, lo, hi):
    return " ".join(rng.choices(WORDS, k=rng.randint(lo, hi)))


def _sentence(rng):
    s = _words(rng, 8, 20)
    return s[0].upper() + s[1:] + rng.choice([".", ".", ".", "!", "?"])


def _paragraph(rng, site):
    parts = []
    for _ in range(rng.randint(2, 3)):
        s = _sentence(rng)
        r = rng.random()
        if r < 0.25:
            w = rng.choice(WORDS)
            s = s.replace(f" {w} ", f' <a href="https://{site}/tag/{w}">'
                          f"{w}</a> ", 1)
        elif r < 0.45:
            w = rng.choice(WORDS)
            s = s.replace(f" {w} ", f" <strong>{w}</strong> ", 1)
        elif r < 0.55:
            w = rng.choice(WORDS)
            s = s.replace(f" {w} ", f" <em>{w}</em> ", 1)
        parts.append(s)
    return "<p>" + " ".join(parts) + "</p>"


def _html(rng, site, path):
    blocks = []
    if rng.random() < 0.4:
        blocks.append(f'<p><img src="https://{site}/img/{path}.jpg" '
                      f'alt="{_words(rng, 2, 5)}" width="640" '
                      f'height="360"></p>')
    for _ in range(rng.randint(1, 3)):
        blocks.append(_paragraph(rng, site))
    if rng.random() < 0.3:
        blocks.append("<ul>" + "".join(
            f"<li>{_words(rng, 3, 8)}</li>"
            for _ in range(rng.randint(2, 4))) + "</ul>")
    blocks.append(f'<p><a href="https://{site}/{path}">Read more</a></p>')
    return "\n".join(blocks)


def _item(rng, feed_no, item_no, when, site):
    path = f"{when:%Y/%m/%d}/story-{feed_no}-{item_no}"
    title = _sentence(rng).rstrip(".!?")
    return {
        "title": title[:120],
        "link": f"https://{site}/{path}",
        "id": f"urn:bench:{feed_no}:{item_no}",
        "when": when,
        "author": rng.choice(AUTHORS),
        "category": rng.choice(CATEGORIES),
        "html": _html(rng, site, path),
    }


def _rss(cdata, feed_no, site, items):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
           ' xmlns:atom="http://www.w3.org/2005/Atom">',
           "<channel>",
           f"<title>{escape(site)} - latest news</title>",
           f"<link>https://{site}/</link>",
           f"<description>Feed {feed_no} of the benchmark</description>",
           "<language>en</language>",
           "<lastBuildDate>"
           f"{items[0]['when']:%a, %d %b %Y %H:%M:%S +0000}</lastBuildDate>",
           "<ttl>15</ttl>"]
    for it in items:
        out.append("<item>")
        out.append(f"<title>{escape(it['title'])}</title>")
        out.append(f"<link>{escape(it['link'])}</link>")
        # Some publishers give no guid: the link is then the identity.
        r = it["draw"]
        if r < 0.6:
            out.append(f'<guid isPermaLink="false">{it["id"]}</guid>')
        elif r < 0.9:
            out.append(f"<guid>{escape(it['link'])}</guid>")
        out.append(f"<pubDate>{it['when']:%a, %d %b %Y %H:%M:%S +0000}"
                   "</pubDate>")
        out.append(f"<dc:creator>{escape(it['author'])}</dc:creator>")
        out.append(f"<category>{it['category']}</category>")
        if cdata:
            out.append(f"<description><![CDATA[{it['html']}]]>"
                       "</description>")
        else:
            out.append(f"<description>{escape(it['html'])}</description>")
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def _atom(feed_no, site, items):
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
           f"<title>{escape(site)}</title>",
           f'<link rel="alternate" href="https://{site}/"/>',
           f"<id>urn:bench:{feed_no}</id>",
           f"<updated>{items[0]['when']:%Y-%m-%dT%H:%M:%SZ}</updated>"]
    for it in items:
        out.append("<entry>")
        out.append(f'<title type="html">{escape(it["title"])}</title>')
        out.append(f"<link rel=\"alternate\" href={quoteattr(it['link'])}/>")
        out.append(f"<id>{it['id']}</id>")
        out.append(f"<published>{it['when']:%Y-%m-%dT%H:%M:%SZ}</published>")
        out.append(f"<updated>{it['when']:%Y-%m-%dT%H:%M:%SZ}</updated>")
        out.append(f"<author><name>{escape(it['author'])}</name></author>")
        out.append(f'<category term="{it["category"]}"/>')
        if it["draw"] < 0.5:
            out.append(f'<summary type="html">{escape(it["html"])}'
                       "</summary>")
        else:
            first = it["html"].split("\n", 1)[0]
            out.append(f'<summary type="html">{escape(first)}</summary>')
            out.append(f'<content type="html">{escape(it["html"])}'
                       "</content>")
        out.append("</entry>")
    out += ["</feed>", ""]
    return "\n".join(out)


def feed(seed, feed_no, fresh=0):
    """(file name, document bytes, number of items) of feed feed_no; with
    fresh, after that many new items were published on top of it (the
    oldest leaving the feed as they come, as a feed keeps its length).
    Each new item is the same whenever it is drawn."""
    rng = random.Random(f"vigie-bench:{seed}:{feed_no}")
    site = f"news{feed_no}.example"
    when = EPOCH - datetime.timedelta(minutes=rng.randint(0, 600))
    items = []
    for item_no in range(rng.randint(MIN_ITEMS, MAX_ITEMS)):
        items.append(_item(rng, feed_no, item_no, when, site))
        when -= datetime.timedelta(minutes=rng.randint(5, 240))
    atom = rng.random() < 0.3
    cdata = not atom and rng.random() < 0.5
    # What each item's markup varies by (an RSS guid's form, Atom content
    # or summary) is drawn with the item, so that items published on top
    # leave those below as they were: their identity included.
    for it in items:
        it["draw"] = rng.random()
    newest = []
    for j in range(max(0, fresh - len(items)), fresh):
        own = random.Random(f"vigie-bench:{seed}:{feed_no}:new:{j}")
        newest.append(_item(own, feed_no, FRESH_NO + j,
                            EPOCH + datetime.timedelta(minutes=j + 1), site))
        newest[-1]["draw"] = own.random()
    items = (newest[::-1] + items)[:len(items)]
    if atom:
        return (f"feed-{feed_no:05d}.atom",
                _atom(feed_no, site, items).encode(), len(items))
    return (f"feed-{feed_no:05d}.xml",
            _rss(cdata, feed_no, site, items).encode(), len(items))


def write_feeds(directory, n, seed, gzipped=True):
    """Writes feeds 0 .. n-1 into directory (with a .gz twin of each when
    gzipped, for a server that sends precompressed files). Returns a list
    of (file name, size in bytes, number of items), in feed order."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(n):
        name, data, nitems = feed(seed, i)
        (directory / name).write_bytes(data)
        if gzipped:
            (directory / (name + ".gz")).write_bytes(
                gzip.compress(data, compresslevel=6, mtime=0))
        made.append((name, len(data), nitems))
    return made


def main():
    if len(sys.argv) not in (3, 4) or not sys.argv[2].isdigit():
        sys.exit("usage: feedgen.py DIR N [SEED]")
    seed = int(sys.argv[3]) if len(sys.argv) == 4 else 1
    made = write_feeds(sys.argv[1], int(sys.argv[2]), seed)
    sizes = sorted(m[1] for m in made)
    print(f"{len(made)} feeds, {sum(m[2] for m in made)} items, "
          f"{sizes[0]} to {sizes[-1]} bytes (median {sizes[len(sizes) // 2]})")


if __name__ == "__main__":
    main()
