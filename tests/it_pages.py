"""
it_pages.py - sources without a clean feed, through the daemon: forum
pages read by a preset and followed page by page, a page configured where
a feed was expected and its feed found, robots.txt obeyed, hostile pages,
alert feeds' redirect links, the same story on several sites, and the
`inspect` and `discover` commands.
"""

import datetime
import pathlib
import tempfile

from harness import (FIXTURES, FixtureServer, Postgres, run_test, vigie,
                     write_config)

PAGES = FIXTURES / "pages"
AGENT = "VigieTest/2.0 (+https://vigie.example/bot)"

# The phpBB topic of the fixtures, page 1 at /site/forum/ and a second
# page whose "next" leads to a third that does not exist.
TOPIC = "/site/forum/viewtopic.php?t=4521"
TOPIC_P2 = TOPIC + "&start=10"
TOPIC_P3 = TOPIC + "&start=20"

# Only our agent may read the site, and not /site/private/.
ROBOTS = """User-agent: *
Disallow: /

User-agent: VigieTest
Disallow: /site/private/
Allow: /
"""


def page_two():
    text = (PAGES / "phpbb-topic-p2.html").read_text()
    here = '<li class="active"><span>3</span></li>'
    if here not in text:
        raise AssertionError("phpbb-topic-p2.html changed: no active page")
    return text.replace(here, here + '\n<li class="arrow next"><a class='
                        '"button" href="./viewtopic.php?t=4521&amp;start=20" '
                        'rel="next" role="button">Next</a></li>')


class Env:
    """One database and one server for every part; each part writes the
    configuration of its own sources and runs vigie on it."""

    def __init__(self, tmp, pg, srv):
        self.tmp = pathlib.Path(tmp)
        self.pg = pg
        self.srv = srv
        self.migrated = False

    def config(self, name, sources, watches=None, **poll):
        path = self.tmp / f"{name}.conf"
        poll.setdefault("user_agent", AGENT)
        write_config(path, self.pg.conninfo, sources, **poll)
        if watches:
            with open(path, "a") as f:
                for wname, query in watches.items():
                    f.write(f'\n[watch "{wname}"]\nquery = {query}\n')
        return path

    def once(self, t, conf, what, timeout=60):
        if not self.migrated:
            t.exited(vigie("migrate", "-c", conf), "migrate")
            self.migrated = True
        p = vigie("run", "-c", conf, "--once", timeout=timeout)
        t.exited(p, what)
        return p

    def source(self, name):
        rows = self.pg.dicts(
            f"FROM sources WHERE name = '{name}'",
            "id, url, feed_url, family, failures, last_status, last_error, "
            "extract(epoch FROM next_poll_at - now())::int AS due_in")
        return rows[0] if rows else {}

    def fetches(self, name):
        return self.pg.dicts(
            f"FROM fetches f JOIN sources s ON s.id = f.source_id "
            f"WHERE s.name = '{name}' ORDER BY f.id",
            "f.outcome, f.http_status, f.error, f.items_new, f.final_url")

    def items(self, name):
        cols = ["id", "guid", "link", "title", "author", "content",
                "summary", "published", "story_id", "simhash"]
        rows = self.pg.query(
            "SELECT i.id, i.guid, i.link, i.title, i.author, i.content, "
            "i.summary, to_char(i.published_at AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI'), i.story_id, i.simhash "
            "FROM items i JOIN sources s ON s.id = i.source_id "
            f"WHERE s.name = '{name}' ORDER BY i.id")
        return [dict(zip(cols, r)) for r in rows]

    def due_now(self, *names):
        quoted = ", ".join(f"'{n}'" for n in names)
        self.pg.query("UPDATE sources SET next_poll_at = now() "
                      f"WHERE name IN ({quoted})")


def phpbb_pages(t, env):
    srv = env.srv
    srv.set_robots(ROBOTS)
    srv.set_page(TOPIC, (PAGES / "phpbb-topic.html").read_bytes())
    srv.set_page(TOPIC_P2, page_two())
    conf = env.config("phpbb", {"forum": {
        "url": srv.url(TOPIC), "type": "html", "preset": "phpbb",
        "pages": 3}}, min_delay="0s")
    env.once(t, conf, "phpBB: first run")

    items = env.items("forum")
    base = srv.url("/site/forum/")
    t.eq([i["author"] for i in items],
         ["marc_lyon", "Modo_Sandrine", "julie.b", "dave_k"],
         "phpBB: authors of pages 1 and 2, in order")
    t.eq([i["published"] for i in items],
         ["2025-01-12T13:05", "2025-01-12T15:40", "2025-01-13T08:12",
          "2025-02-03T21:15"], "phpBB: dates")
    t.ok(all((i["link"] or "").startswith(base + "viewtopic.php?p=")
             for i in items),
         f"phpBB: links absolute, under {base}: "
         f"{[i['link'] for i in items]}")
    t.eq(items[0]["title"] if items else None,
         "Box en panne depuis la mise à jour", "phpBB: first title")
    first = (items[0]["content"] or items[0]["summary"] or "") if items \
        else ""
    t.ok("redémarre toutes les heures" in first and "Fibre" not in first,
         f"phpBB: text with entities decoded, signature left out: "
         f"{first!r}")
    quoted = (items[1]["content"] or items[1]["summary"] or "") \
        if len(items) > 1 else ""
    t.ok("ma box" not in quoted,
         f"phpBB: a quoted post is not the reply's text: {quoted!r}")

    got = env.fetches("forum")
    t.eq([(f["outcome"], f["http_status"]) for f in got],
         [("ok", "200"), ("ok", "200"), ("failed", "404")],
         "phpBB: three pages tried, the third missing")
    t.eq([f["items_new"] for f in got], ["3", "1", "0"],
         "phpBB: new items per page")
    t.eq(srv.hits(TOPIC_P3), 1, "phpBB: the missing page asked once")

    # All known on page 1: the walk stops there.
    env.due_now("forum")
    env.once(t, conf, "phpBB: second run")
    t.eq(srv.hits(TOPIC), 2, "phpBB: page 1 fetched again")
    t.eq(srv.hits(TOPIC_P2), 1, "phpBB: page 2 not fetched again")
    t.eq(len(env.items("forum")), 4, "phpBB: nothing added or lost")
    got = env.fetches("forum")
    t.eq([(f["outcome"], f["items_new"]) for f in got[3:]], [("ok", "0")],
         "phpBB: the second run's one fetch")
    t.eq(env.source("forum").get("failures"), "0",
         "phpBB: a good page 1 clears the failure")


def run(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-pages-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        env = Env(tmp.name, pg, srv)
        for part in PARTS:
            part(t, env)


PARTS = [phpbb_pages]

run_test("it_pages", run)
