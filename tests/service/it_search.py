"""
it_search.py - the sources a watch's search key generates, against engines
replayed on loopback ([search] moves each engine's address there): Google
News' RSS search, Reddit's search, Hacker News' Algolia search and a
Mastodon instance's tag timeline. `vigie check` lists what a watch
generates; the daemon polls them into a real PostgreSQL, each engine asked
for the watch's query in its own syntax, and the watch's matching keeps
what the engine could not filter; a changed query changes the same
sources' requests, a removed engine stops its source.
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


class Engines(ApiHandler):
    asked = []

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        Engines.asked.append((url.path, q))
        if url.path == "/rss/search":
            return self.answer(200, NEWS, ctype="application/rss+xml")
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
               "google-news, reddit, hackernews, mastodon")
    p = vigie("check", "-c", conf)
    t.exited(p, "check accepts the searches")
    names = sorted(line.split("\t")[0].strip()
                   for line in p.stdout.splitlines()[1:])
    t.eq(names, ["search: acme (google-news fr)",
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
    t.eq(rows, [["search: acme (google-news fr)", "2"],
                ["search: acme (hackernews 2)", "2"],
                ["search: acme (hackernews)", "2"],
                ["search: acme (mastodon 127.0.0.1)", "2"],
                ["search: acme (reddit)", "2"]],
         "each generated source polled and its results stored")
    t.eq(pg.query("SELECT i.guid FROM mentions m JOIN items i ON "
                  "i.id = m.item_id JOIN sources s ON s.id = m.source_id "
                  "WHERE s.name = 'search: acme (google-news fr)'"),
         [["gn-1"]], "the watch keeps what the engine did not exclude")

    # The query changes, an engine goes: the same sources ask anew, the
    # removed one is no longer polled.
    before = pg.scalar("SELECT id FROM sources WHERE "
                       "name = 'search: acme (reddit)'")
    write_conf(conf, pg, api, "acme NOT recrute", "google-news, reddit")
    n = len(asked("/api/v1/search_by_date"))
    t.exited(vigie("run", "-c", conf, "--once", timeout=120),
             "run --once with the new query")
    row = pg.query("SELECT id, url FROM sources WHERE "
                   "name = 'search: acme (reddit)'")
    t.ok(row and row[0][0] == before and "q=acme+NOT+recrute" in row[0][1],
         f"a changed query changes its source's request: {row}")
    t.eq(asked("/search.json")[-1].get("q"), ["acme NOT recrute"],
         "and the engine is asked the new query")
    t.eq(pg.query("SELECT name FROM sources WHERE NOT in_config "
                  "ORDER BY name"),
         [["search: acme (hackernews 2)"], ["search: acme (hackernews)"],
          ["search: acme (mastodon 127.0.0.1)"]],
         "a removed engine's sources leave the configuration")
    t.eq(len(asked("/api/v1/search_by_date")), n,
         "and are no longer polled")


if __name__ == "__main__":
    run_test("it_search", body)
