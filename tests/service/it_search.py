"""
it_search.py - the sources a watch's search key generates, against engines
replayed on loopback ([search] moves each engine's address there): Google
News' and Bing News' RSS searches, Reddit's search, Hacker News' Algolia
search and a Mastodon instance's tag timeline. `vigie check` lists what a watch
generates; the daemon polls them into a real PostgreSQL, each engine asked
for the watch's query in its own syntax, and the watch's matching keeps
what the engine could not filter; a changed query changes the same
sources' requests, a removed engine stops its source. Bing's links go
through its click counter, whose tracking id changes from one answer to
the next: its items are stored under the publisher's address, once.
"""

import http.server
import json
import os
import pathlib
import tempfile
import threading
import urllib.parse

from harness import (FIXTURES, ApiHandler, Postgres, rss_feed, rss_item,
                     run_test, vigie)


def fixture(name):
    return json.loads((pathlib.Path(FIXTURES) / "platforms" / name)
                      .read_text())


NEWS = rss_feed([
    rss_item("gn-1", "Acme : la panne géante se prolonge",
             link="https://www.lemonde.example/acme-panne"),
    # An engine's result the watch itself does not want: an exclusion
    # the engine was asked for, and ignored.
    rss_item("gn-2", "Acme recrute 200 personnes à Lyon",
             link="https://www.lesechos.example/acme-recrute"),
])


# Bing News' RSS as it answers: a News: namespace for the publisher and
# its picture, no guid, and every link through apiclick.aspx, the
# publisher's address percent-encoded (lower-case hexadecimal) among
# tracking parameters that differ on every answer (tid, aid).
BING = """<?xml version="1.0" encoding="utf-8" ?><rss version="2.0" \
xmlns:News="https://www.bing.com:443/news/search?q=acme&amp;format=rss">\
<channel><title>acme - BingNews</title>\
<link>https://www.bing.com:443/news/search?q=acme&amp;format=rss</link>\
<description>Search results</description><image>\
<url>http://www.bing.com/s/a/rsslogo.gif</url><title>acme</title>\
<link>https://www.bing.com:443/news/search?q=acme&amp;format=rss</link>\
</image><copyright>Copyright © 2026 Microsoft.</copyright>
<item><title>Acme : les clients excédés par la panne</title>\
<link>http://www.bing.com/news/apiclick.aspx?ref=FexRss&amp;aid={aid}\
&amp;tid={tid}&amp;url=https%3a%2f%2fwww.lefigaro.example%2feco%2f\
acme-panne%3fid%3d4%26p%3d2&amp;c=1482516263977&amp;mkt=fr-fr</link>\
<description>La panne d&#39;Acme entre dans son troisième jour\
 et les clients s&#39;impatientent.</description>\
<pubDate>Sat, 05 Dec 2026 14:02:00 GMT</pubDate>\
<News:Source>Le Figaro</News:Source>\
<News:Image>http://www.bing.com/th?id=OVFT.x&amp;pid=News</News:Image>\
</item>
<item><title>Acme recrute des techniciens</title>\
<link>http://www.bing.com/news/apiclick.aspx?ref=FexRss&amp;aid={aid}\
&amp;tid={tid}&amp;url=https%3a%2f%2fwww.ouest-france.example%2facme\
&amp;c=9&amp;mkt=fr-fr</link>\
<description>Acme recrute.</description>\
<pubDate>Sat, 05 Dec 2026 09:30:00 GMT</pubDate>\
<News:Source>Ouest-France</News:Source></item>
</channel></rss>"""


class Engines(ApiHandler):
    asked = []

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        Engines.asked.append((url.path, q))
        if url.path == "/rss/search":
            return self.answer(200, NEWS, ctype="application/rss+xml")
        if url.path == "/news/search":
            n = str(len(asked("/news/search")))
            return self.answer(200, BING.format(tid="A1B2" + n, aid=n),
                               ctype="application/rss+xml; charset=utf-8")
        doc = {"/search.json": lambda: fixture("reddit_search.json"),
               "/api/v1/search_by_date":
                   lambda: fixture("hackernews_search.json"),
               "/api/v1/timelines/tag/acme":
                   lambda: fixture("mastodon_tag.json")}.get(url.path)
        if doc is None:
            return self.answer(404, {})
        self.answer(200, doc())


def write_conf(path, pg, api, query, engines):
    path.write_text(f"""[database]
conninfo = {pg.conninfo}
[daemon]
log_level = debug
[search]
mastodon = {api}
google_news_url = {api}/rss/search
bing_news_url = {api}/news/search
reddit_url = {api}
hackernews_url = {api}
[watch "acme"]
query = {query}
lang = fr
search = {engines}
""")
    os.chmod(path, 0o600)


def asked(path):
    return [q for p, q in Engines.asked if p == path]


def body(t):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Engines)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    api = f"http://127.0.0.1:{httpd.server_address[1]}"
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-search-")
    try:
        with tmp, Postgres() as pg:
            scenario(t, pg, api, pathlib.Path(tmp.name))
    finally:
        httpd.shutdown()


def scenario(t, pg, api, tmp):
    conf = tmp / "vigie.conf"
    write_conf(conf, pg, api, '(acme OR "acme corp") NOT recrute',
               "google-news, bing-news, reddit, hackernews, mastodon")
    p = vigie("check", "-c", conf)
    t.exited(p, "check accepts the searches")
    names = sorted(line.split("\t")[0].strip()
                   for line in p.stdout.splitlines()[1:])
    t.eq(names, ["search: acme (bing-news fr)",
                 "search: acme (google-news fr)",
                 "search: acme (hackernews 2)",
                 "search: acme (hackernews)",
                 "search: acme (mastodon 127.0.0.1)",
                 "search: acme (reddit)"],
         "check lists the sources the watch generates")
    t.exited(vigie("migrate", "-c", conf), "migrate")
    t.exited(vigie("run", "-c", conf, "--once", timeout=120), "run --once")

    t.eq(asked("/rss/search")[0].get("q"),
         ['(acme OR "acme corp") -recrute'],
         "Google News asked in its syntax")
    t.eq(asked("/search.json")[0].get("q"),
         ['(acme OR "acme corp") NOT recrute'], "Reddit asked in its syntax")
    t.eq(sorted(q["query"][0] for q in asked("/api/v1/search_by_date")),
         ['"acme corp"', "acme"],
         "Hacker News asked once per alternative (Algolia has no OR)")
    t.eq(asked("/api/v1/timelines/tag/acme")[0].get("any[]"), ["acmecorp"],
         "Mastodon asked for the query's hashtags")

    rows = pg.query("SELECT s.name, count(i.id) FROM sources s LEFT JOIN "
                    "items i ON i.source_id = s.id GROUP BY s.name "
                    "ORDER BY s.name")
    t.eq(rows, [["search: acme (bing-news fr)", "2"],
                ["search: acme (google-news fr)", "2"],
                ["search: acme (hackernews 2)", "2"],
                ["search: acme (hackernews)", "2"],
                ["search: acme (mastodon 127.0.0.1)", "2"],
                ["search: acme (reddit)", "2"]],
         "each generated source polled and its results stored")
    t.eq(pg.query("SELECT i.guid FROM mentions m JOIN items i ON "
                  "i.id = m.item_id JOIN sources s ON s.id = m.source_id "
                  "WHERE s.name = 'search: acme (google-news fr)'"),
         [["gn-1"]], "the watch keeps what the engine did not exclude")

    bing = asked("/news/search")[0]
    t.eq([bing.get(k) for k in ("q", "format", "setlang", "cc")],
         [['(acme OR "acme corp") -recrute'], ["rss"], ["fr"], ["FR"]],
         "Bing News asked in its syntax, for its French edition's RSS")
    t.eq(pg.query("SELECT i.link, to_char(i.published_at AT TIME ZONE "
                  "'UTC', 'YYYY-MM-DD HH24:MI'), m.item_id IS NOT NULL, "
                  "i.relayed_site "
                  "FROM items i JOIN sources s ON s.id = i.source_id "
                  "LEFT JOIN mentions m ON m.item_id = i.id "
                  "WHERE s.name = 'search: acme (bing-news fr)' "
                  "ORDER BY i.link"),
         [["https://www.lefigaro.example/eco/acme-panne?id=4&p=2",
           "2026-12-05 14:02", "t", "lefigaro.example"],
          ["https://www.ouest-france.example/acme", "2026-12-05 09:30",
           "f", "ouest-france.example"]],
         "Bing's items under the publisher's address, dated, matched, "
         "each the publisher's voice")

    # The query changes, an engine goes: the same sources ask anew, the
    # removed one is no longer polled.
    before = pg.scalar("SELECT id FROM sources WHERE "
                       "name = 'search: acme (reddit)'")
    write_conf(conf, pg, api, "acme NOT recrute",
               "google-news, bing-news, reddit")
    n = len(asked("/api/v1/search_by_date"))
    t.exited(vigie("run", "-c", conf, "--once", timeout=120),
             "run --once with the new query")
    row = pg.query("SELECT id, url FROM sources WHERE "
                   "name = 'search: acme (reddit)'")
    t.ok(row and row[0][0] == before and "q=acme+NOT+recrute" in row[0][1],
         f"a changed query changes its source's request: {row}")
    t.eq(asked("/search.json")[-1].get("q"), ["acme NOT recrute"],
         "and the engine is asked the new query")
    t.eq(pg.query("SELECT count(*), count(DISTINCT i.link), "
                  "(SELECT count(*) FROM fetches f "
                  "WHERE f.source_id = s.id) "
                  "FROM sources s JOIN items i ON i.source_id = s.id "
                  "WHERE s.name = 'search: acme (bing-news fr)' "
                  "GROUP BY s.id"),
         [["2", "2", "2"]],
         "Bing polled again with new tracking ids: no item twice")
    t.eq(pg.query("SELECT name FROM sources WHERE NOT in_config "
                  "ORDER BY name"),
         [["search: acme (hackernews 2)"], ["search: acme (hackernews)"],
          ["search: acme (mastodon 127.0.0.1)"]],
         "a removed engine's sources leave the configuration")
    t.eq(len(asked("/api/v1/search_by_date")), n,
         "and are no longer polled")


if __name__ == "__main__":
    run_test("it_search", body)
