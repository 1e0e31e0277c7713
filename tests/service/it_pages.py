"""
it_pages.py - sources without a clean feed, through the daemon: forum
pages read by a preset and followed page by page, a page configured where
a feed was expected and its feed found, robots.txt obeyed, hostile pages,
alert feeds' redirect links, the same story on several sites, the
source's lease kept while its pages are walked, and the `inspect` and
`discover` commands.
"""

import pathlib
import tempfile
import time

from harness import (FIXTURES, FixtureServer, Postgres, TestFailure,
                     daemon_log, run_test, start_daemon, vigie, wait_until,
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
        try:
            p = vigie("run", "-c", conf, "--once", timeout=timeout)
        except TestFailure as e:
            # A hang fails this part; the others still run.
            t.ok(False, f"{what}: {e}")
            return None
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


def phpbb_pages(t, env):
    srv = env.srv
    srv.set_robots(ROBOTS)
    srv.set_page(TOPIC, (PAGES / "phpbb-topic.html").read_bytes())
    srv.set_page(TOPIC_P2, page_two())
    # No spacing here: the default min_delay is spacing()'s subject.
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
    t.ok(items and all((i["link"] or "").startswith(
        base + "viewtopic.php?p=") for i in items),
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

    # All known on page 1: the walk stops there. (--once polls every
    # source, due or not.)
    env.once(t, conf, "phpBB: second run")
    t.eq(srv.hits(TOPIC), 2, "phpBB: page 1 fetched again")
    t.eq(srv.hits(TOPIC_P2), 1, "phpBB: page 2 not fetched again")
    t.eq(len(env.items("forum")), 4, "phpBB: nothing added or lost")
    got = env.fetches("forum")
    t.eq([(f["outcome"], f["items_new"]) for f in got[3:]], [("ok", "0")],
         "phpBB: the second run's one fetch")
    t.eq(env.source("forum").get("failures"), "0",
         "phpBB: a good page 1 clears the failure")


BLOG_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Gadget Watch</title>
<link>https://gadgetwatch.example/</link>
<item><guid isPermaLink="false">https://gadgetwatch.example/?p=1204</guid>
<title>Acme X200 review: the update fiasco</title>
<link>https://gadgetwatch.example/2025/01/12/acme-x200-review-update-fiasco/</link>
<description>Acme's latest firmware bricked thousands of X200 routers.</description>
</item>
<item><guid isPermaLink="false">https://gadgetwatch.example/?p=1198</guid>
<title>Acme recalls 40,000 chargers</title>
<link>https://gadgetwatch.example/2025/01/10/acme-recalls-chargers/</link>
<description>The company says the USB-C chargers can overheat.</description>
</item>
</channel></rss>
"""


def autodiscovery(t, env):
    srv = env.srv
    feed = srv.url("/site/blog/feed/")
    home = (PAGES / "wordpress-home.html").read_text()
    declared = 'href="https://gadgetwatch.example/feed/"'
    t.ok(declared in home, "wordpress-home.html declares its feed")
    srv.set_page("/site/blog/", home.replace(declared, f'href="{feed}"'))
    srv.set_page("/site/blog/feed/", BLOG_FEED, "application/rss+xml")
    srv.set_page("/site/plain/", "<!doctype html><html><head><title>Mairie"
                 "</title></head><body><p>Horaires d'ouverture.</p>"
                 "</body></html>")
    conf = env.config("blog", {"gadgets": srv.url("/site/blog/"),
                               "plain": srv.url("/site/plain/")})
    env.once(t, conf, "autodiscovery: first run")

    t.eq([i["title"] for i in env.items("gadgets")],
         ["Acme X200 review: the update fiasco",
          "Acme recalls 40,000 chargers"], "autodiscovery: the feed's items")
    t.eq(env.source("gadgets").get("feed_url"), feed,
         "autodiscovery: sources.feed_url")
    t.eq([f["outcome"] for f in env.fetches("gadgets")], ["ok"],
         "autodiscovery: one poll, page and feed")
    t.eq((srv.hits("/site/blog/"), srv.hits("/site/blog/feed/")), (1, 1),
         "autodiscovery: page then feed, in the same poll")
    plain = env.fetches("plain")
    t.eq([f["outcome"] for f in plain], ["failed"],
         "a page without a feed: outcome")
    t.ok(plain and "type = html" in (plain[0]["error"] or ""),
         f"a page without a feed: the error says what to do: {plain}")
    t.eq(env.items("plain"), [], "a page without a feed: no items")
    t.eq(env.source("plain").get("feed_url"), None,
         "a page without a feed: no feed recorded for it")

    # From then on the feed is polled in the page's place.
    env.once(t, conf, "autodiscovery: second run")
    t.eq((srv.hits("/site/blog/"), srv.hits("/site/blog/feed/")), (1, 2),
         "autodiscovery: the second poll goes to the feed directly")
    t.eq(len(env.items("gadgets")), 2, "autodiscovery: nothing duplicated")
    t.eq(srv.hits("/site/plain/"), 2,
         "a page without a feed: its page is read again, not a guess")

    p = vigie("discover", srv.url("/site/blog/"))
    t.exited(p, "discover on the WordPress page")
    lines = p.stdout.splitlines()
    t.eq(lines[0] if lines else None,
         f"rss\t{feed}\tGadget Watch \u00bb Feed\t2 items",
         "discover: the declared feed first, checked")
    p = vigie("discover", feed)
    t.exited(p, "discover on a feed")
    t.eq(p.stdout, f"feed\t{feed}\t\t2 items\n", "discover: a feed itself")
    # Nothing declared: only the site-wide conventions, as guesses, and
    # only those that answer as feeds (none here).
    p = vigie("discover", srv.url("/site/plain/"))
    types = {line.split("\t")[0] for line in p.stdout.splitlines()}
    t.ok(types <= {"guess"},
         f"discover: a page declaring nothing gets guesses only:\n"
         f"{p.stdout}")


def robots(t, env):
    srv = env.srv
    srv.set_robots(ROBOTS)
    topic = (PAGES / "phpbb-topic.html").read_bytes()
    srv.set_page("/site/private/viewtopic.php?t=9", topic)
    srv.set_page("/site/open/viewtopic.php?t=9", topic)
    html = {"type": "html", "preset": "phpbb"}
    sources = {
        "private": dict(html, url=srv.url("/site/private/viewtopic.php?t=9")),
        "open": dict(html, url=srv.url("/site/open/viewtopic.php?t=9")),
    }
    seen = len(srv.requests)
    conf = env.config("robots", sources, min_delay="0s")
    env.once(t, conf, "robots: run")

    got = env.fetches("private")
    t.eq([(f["outcome"], f["error"]) for f in got],
         [("throttled",
           "disallowed by 127.0.0.1's robots.txt for our User-Agent")],
         "robots: a disallowed page")
    due = int(env.source("private").get("due_in") or 0)
    t.ok(23 * 3600 <= due <= 25 * 3600,
         f"robots: asked again about a day later ({due} s)")
    t.eq(srv.hits("/site/private/viewtopic.php"), 0,
         "robots: the disallowed page is never requested")
    t.eq([f["outcome"] for f in env.fetches("open")], ["ok"],
         "robots: an allowed page is fetched")
    t.eq(len(env.items("open")), 3, "robots: the allowed page's items")
    with srv.lock:
        run = srv.requests[seen:]
    asked = [r for r in run if r["route"] == "/robots.txt"]
    t.eq(len(asked), 1, "robots: robots.txt asked once for the site")
    t.eq([r["headers"].get("user-agent") for r in asked], [AGENT],
         "robots: robots.txt asked with the configured User-Agent")
    first_page = next((i for i, r in enumerate(run)
                       if r["route"].startswith("/site/")), None)
    t.ok(asked and first_page is not None and run.index(asked[0]) <
         first_page, "robots: robots.txt read before any page")

    # The daemon, once it has been told no, leaves the page alone for a
    # day while it goes on claiming what is due, every second.
    env.pg.query("UPDATE sources SET next_poll_at = now() "
                 "WHERE name IN ('private', 'open')")
    proc = start_daemon(conf)
    try:
        wait_until(lambda: len(env.fetches("private")) >= 2 and
                   len(env.fetches("open")) >= 2, 30, "a poll of each")
        time.sleep(3)
    except TestFailure as e:
        t.ok(False, f"robots: daemon: {e}\n{daemon_log(proc)}")
    proc.terminate()
    proc.wait(timeout=30)
    proc.cleanup()
    t.eq([f["outcome"] for f in env.fetches("private")],
         ["throttled", "throttled"], "robots: no retry in a loop")
    t.eq(srv.hits("/site/private/viewtopic.php"), 0,
         "robots: the daemon never requests the disallowed page")

    # Obeying it is a choice of the configuration.
    conf = env.config("robots-off", sources, min_delay="0s", robots="no")
    env.once(t, conf, "robots = no: run")
    t.eq(srv.hits("/site/private/viewtopic.php"), 1,
         "robots = no: the page is fetched")
    t.eq(env.fetches("private")[-1]["outcome"], "ok",
         "robots = no: outcome")


# Plain rules for pages no preset knows.
POST_RULES = {"type": "html", "item": "//div[@class='post']",
              "title": ".//h3/a", "link": ".//h3/a/@href",
              "text": ".//div[@class='content']"}


def hostile(t, env):
    srv = env.srv
    srv.set_robots(None)
    post = ('<div class="post"><h3><a href="/p/{0}">Post {0}</a></h3>'
            '<div class="content">' + "bla " * 250 + '</div></div>\n')
    srv.set_page("/site/huge/", "<html><body>" +
                 "".join(post.format(n) for n in range(3000)) +
                 "</body></html>")
    conf = env.config("hostile", {
        "cp1252": dict(POST_RULES, url=srv.url("/pages/windows-1252.html")),
        "malformed": dict(POST_RULES, url=srv.url("/pages/malformed.html")),
        "huge": dict(POST_RULES, url=srv.url("/site/huge/")),
        "loop": dict(POST_RULES, url=srv.url("/redirect-loop")),
    }, min_delay="0s", max_body="1M")
    env.once(t, conf, "hostile pages: run")

    got = env.fetches("cp1252")
    t.eq([f["outcome"] for f in got], ["ok"], "windows-1252: outcome")
    items = env.items("cp1252")
    t.eq([i["title"] for i in items], ["Problème de facturation"],
         "windows-1252 without charset: title decoded")
    text = (items[0]["content"] or items[0]["summary"] or "") if items \
        else ""
    t.eq(text, "Facturé deux fois € 12,50 – c’est inadmissible.",
         "windows-1252 without charset: €, – and ’ decoded")

    t.eq([f["outcome"] for f in env.fetches("malformed")], ["ok"],
         "malformed HTML: outcome")
    items = env.items("malformed")
    t.ok(len(items) >= 2, f"malformed HTML: posts found ({len(items)})")
    t.ok(not any((i["link"] or "").lower().startswith("javascript:")
                 for i in items),
         f"malformed HTML: no javascript: link kept "
         f"{[i['link'] for i in items]}")
    t.ok(not any("alert(" in (i["content"] or i["summary"] or "")
                 for i in items), "malformed HTML: no script in the text")

    got = env.fetches("huge")
    t.eq([f["outcome"] for f in got], ["failed"], "enormous page: outcome")
    t.ok(got and "max_body" in (got[0]["error"] or ""),
         f"enormous page: the cap is named: {got}")
    t.eq(env.items("huge"), [], "enormous page: no items")

    got = env.fetches("loop")
    t.eq([f["outcome"] for f in got], ["failed"], "redirect loop: outcome")
    t.ok(got and "redirect" in (got[0]["error"] or ""),
         f"redirect loop: the error says so: {got}")


def alert_feed(t, env):
    srv = env.srv
    conf = env.config("alerts", {"alerts": srv.url(
        "/feeds/google-alerts.xml")})
    env.once(t, conf, "alert feed: run")
    items = env.items("alerts")
    t.eq([i["link"] for i in items],
         ["https://www.lesnumeriques.example/box/"
          "acme-x200-mise-a-jour-n231774.html",
          "https://actu.example/tech/acme-rappel-chargeurs?id=88&page=2",
          "https://forum.conso.example/t/hotline-acme/4521"],
         "alert feed: the articles' own links")
    t.eq([i["guid"] for i in items],
         ["tag:google.com,2013:googlealerts/feed:10523718396021145382",
          "tag:google.com,2013:googlealerts/feed:2894561807324409176",
          "tag:google.com,2013:googlealerts/feed:7712093845520167733"],
         "alert feed: guids unchanged")


ARTICLE = ("Le fabricant Acme rappelle quarante mille chargeurs USB-C vendus "
           "en France entre mars et novembre, après plusieurs cas de "
           "surchauffe signalés par des clients. Les modèles concernés "
           "portent un numéro de lot commençant par AC24 et ont été "
           "distribués en grande surface comme en ligne. L'entreprise "
           "propose un remplacement gratuit dans tous ses points de vente "
           "et demande aux propriétaires de cesser immédiatement "
           "d'utiliser ces appareils. Aucun blessé n'a été signalé à ce "
           "jour, selon un porte-parole du groupe interrogé mardi.")
STORY_LINK = "https://news.example/2025/01/acme-rappel?id=7"


def rss(items):
    body = "".join(f"<item><guid>{g}</guid><title>{ti}</title>"
                   f"<link>{li.replace('&', '&amp;')}</link>"
                   f"<description>{d}</description></item>\n"
                   for g, ti, li, d in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
            f"<channel><title>t</title>\n{body}</channel></rss>\n")


def duplicates(t, env):
    srv = env.srv
    srv.set_feed("wire.xml", rss([
        ("w-1", "Acme rappelle 40 000 chargeurs", STORY_LINK, ARTICLE),
        ("w-2", "Globex ouvre une usine", "https://news.example/globex",
         "Une usine de plus à Lyon, deux cents emplois annoncés."),
    ]))
    srv.set_feed("mirror.xml", rss([
        ("m-1", "Rappel massif chez Acme",
         STORY_LINK + "&utm_source=twitter&utm_medium=social",
         "Lire l'article de nos confrères."),
    ]))
    srv.set_feed("copy.xml", rss([
        ("c-1", "Acme rappelle 40 000 chargeurs",
         "https://copies.example/acme-chargeurs",
         ARTICLE.replace("mardi", "lundi")),
    ]))
    # Another host name for the same server: another site.
    other = srv.url("/dynamic/").replace("127.0.0.1", "localhost")
    wire = {"wire": srv.url("/dynamic/wire.xml")}
    env.once(t, env.config("story-1", wire), "stories: first source")
    env.once(t, env.config("story-2", dict(
        wire, mirror=other + "mirror.xml", copy=other + "copy.xml")),
        "stories: the other sources")

    first = env.items("wire")
    root = first[0]["id"] if first else None
    t.eq(first[0]["story_id"] if first else "missing", None,
         "stories: the first item starts its story")
    t.eq([i["story_id"] for i in env.items("mirror")], [root],
         "stories: the same link with utm_* joins the first")
    t.eq([i["story_id"] for i in env.items("copy")], [root],
         "stories: a near-identical text elsewhere joins the first")
    t.eq(env.pg.scalar(
        "SELECT count(DISTINCT url_norm) FROM items WHERE guid IN "
        "('w-1', 'm-1')"), "1", "stories: one normalised link")
    t.eq(env.source("mirror").get("family"), "localhost",
         "stories: a source's site")
    row = env.pg.query(f"SELECT title, items, sites, sources FROM stories "
                       f"WHERE story_id = {root or 0}")
    t.eq(row, [["Acme rappelle 40 000 chargeurs", "3", "2", "3"]],
         "stories view: items, sites, sources")
    other_story = first[1]["id"] if len(first) > 1 else 0
    t.eq(env.pg.query(f"SELECT items, sites FROM stories "
                      f"WHERE story_id = {other_story}"), [["1", "1"]],
         "stories view: a story told once")


def inspect(t, env):
    srv = env.srv
    srv.set_robots(None)
    html = {"type": "html", "preset": "phpbb"}
    conf = env.config("inspect", {
        "forum": dict(html, url=srv.url(TOPIC), pages=3),
        "noauthor": dict(html, url=srv.url(TOPIC),
                         author=".//span[@class='nobody']"),
        "nothing": dict(html, url=srv.url(TOPIC), item="//article"),
        "missing-page": dict(html, url=srv.url("/site/none/")),
    }, watches={"Box": "box"})

    p = vigie("inspect", "-c", conf, "forum")
    t.exited(p, "inspect forum")
    out = p.stdout
    for want in ("page 1: 3 items\n", "page 2: 1 items\n",
                 "- Box en panne depuis la mise à jour\n",
                 "  author   marc_lyon\n", "  author   dave_k\n",
                 "  date     2025-01-12T13:05:00Z\n",
                 f"  link     {srv.url('/site/forum/viewtopic.php?p=98001')}",
                 "  watch    Box: box\n", "  tone     "):
        t.ok(want in out, f"inspect forum prints {want!r}:\n{out}")
    t.eq(out.splitlines()[-1] if out else None, "4 items",
         "inspect forum: the total")
    t.ok("rule matched nothing" not in out,
         "inspect forum: no warning when every rule matches")

    p = vigie("inspect", "-c", conf, "noauthor")
    t.exited(p, "inspect noauthor")
    t.ok("the author rule matched nothing in 3 items\n" in p.stdout,
         f"inspect: a rule that matches nothing is named:\n{p.stdout}")
    t.ok("  author " not in p.stdout, "inspect noauthor: no author shown")

    p = vigie("inspect", "-c", conf, "nothing")
    t.exited(p, "inspect nothing")
    t.ok("the item rule matched nothing on this page\n" in p.stdout,
         f"inspect: an item rule that matches nothing:\n{p.stdout}")
    t.eq(p.stdout.splitlines()[-1] if p.stdout else None, "0 items",
         "inspect nothing: the total")

    p = vigie("inspect", "-c", conf, "missing-page")
    t.exited(p, "inspect: the first fetch fails", want=1)
    t.ok("404" in p.stderr, f"inspect: the failure is said: {p.stderr}")
    p = vigie("inspect", "-c", conf, "nosuch")
    t.exited(p, "inspect: an unknown source", want=1)
    t.ok('no source "nosuch"' in p.stderr,
         f"inspect: an unknown source is named: {p.stderr}")


def spacing(t, env):
    # The default min_delay (1 s) between page 1 and page 2 of one host.
    srv = env.srv
    srv.set_robots(None)
    srv.set_page("/site/spaced/viewtopic.php?t=4521",
                 (PAGES / "phpbb-topic.html").read_bytes())
    srv.set_page("/site/spaced/viewtopic.php?t=4521&start=10", page_two())
    seen = len(srv.requests)
    conf = env.config("spacing", {"spaced": {
        "url": srv.url("/site/spaced/viewtopic.php?t=4521"), "type": "html",
        "preset": "phpbb", "pages": 2}})
    env.once(t, conf, "min_delay: run with pages = 2", timeout=30)
    t.eq([f["outcome"] for f in env.fetches("spaced")], ["ok", "ok"],
         "min_delay: both pages fetched")
    with srv.lock:
        times = [r["time"] for r in srv.requests[seen:]
                 if r["route"] == "/site/spaced/viewtopic.php"]
    t.ok(len(times) == 2 and times[1] - times[0] >= 1.0,
         f"min_delay: a second between two pages of one host ({times})")


def lease_kept(t, env):
    # While page 2 is fetched (slowly), nobody else may poll the source:
    # the daemon keeps its lease from page 1's save to the last page's.
    srv = env.srv
    srv.set_robots(None)
    base = "/site/slow/viewtopic.php?t=4521"
    srv.set_page(base, (PAGES / "phpbb-topic.html").read_bytes().replace(
        b"start=10", b"start=10&amp;delay=3"))
    srv.set_page(base + "&start=10&delay=3", page_two())
    conf = env.config("lease", {"slow": {
        "url": srv.url(base), "type": "html", "preset": "phpbb",
        "pages": 2}}, min_delay="0s")
    d = start_daemon(conf, "--once")
    try:
        wait_until(lambda: len(env.fetches("slow")) >= 1, 30,
                   "page 1 stored")
        t.eq(env.pg.scalar("SELECT lease_owner IS NOT NULL AND lease_until"
                           " > now() FROM sources WHERE name = 'slow'"),
             "t", "lease: kept while page 2 is fetched")
        t.eq(d.wait(timeout=60), 0, "lease: the run ends well")
    finally:
        d.cleanup()
    t.eq([f["outcome"] for f in env.fetches("slow")], ["ok", "ok"],
         "lease: both pages stored")
    t.eq(env.pg.scalar("SELECT lease_owner IS NULL AND lease_until IS NULL"
                       " FROM sources WHERE name = 'slow'"),
         "t", "lease: given back after the last page")


def run(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-pages-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        env = Env(tmp.name, pg, srv)
        for part in PARTS:
            part(t, env)


PARTS = [phpbb_pages, autodiscovery, robots, hostile, alert_feed,
         duplicates, inspect, spacing, lease_kept]

run_test("it_pages", run)
