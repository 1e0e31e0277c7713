"""
it_relayed.py - stories seen through one source that relays many sites
(an alert feed, a news search), end to end: a local HTTP server serving a
Google Alerts Atom feed, a Google News RSS search and a site's own feed,
the daemon, and a real PostgreSQL.

- The alert's items lead through google.com/url to six papers' copies of
  one wire story (the same text): each item is its paper's
  (items.relayed_site), they make one story, and it spreads: one `spread`
  incident counting six sites, though all came through one source.
- Google News names each article's publisher in <source url>: five
  publishers' copies of another story, through one search, make one
  story and spread too (spread_sites = 5).
- A site's own feed carrying six copies of one text (boilerplate) is one
  voice: its items make no story and raise nothing.
- The stories view counts each relayed story's papers as its sites;
  `vigie inspect` shows each alert item's article as its "via", and the
  spreads' webhooks name each copy's paper (`via`).
- The counts by source keep each paper apart (analytics.source_volume's
  `via`); the report's sources name them, and its mentions name the
  publisher after the source.
"""

import email.utils
import json
import tempfile
import urllib.parse

from harness import (FixtureServer, Postgres, run_test, start_daemon, vigie,
                     wait_until, write_config)
from sinks import WebhookReceiver

PAPERS = ["lemonde.fr", "lefigaro.fr", "liberation.fr", "ouest-france.fr",
          "leparisien.fr", "20minutes.fr"]
WIRE = ("Acme va fermer son usine de Lyon d'ici la fin de l'ann\u00e9e, "
        "selon un document interne consult\u00e9 par l'AFP. Les trois cents "
        "salari\u00e9s du site ont \u00e9t\u00e9 convoqu\u00e9s jeudi par la "
        "direction, qui n'a pas souhait\u00e9 commenter ces informations.")
OTHER = ("Acme rappelle des milliers de grille-pain vendus en France "
         "apr\u00e8s plusieurs d\u00e9parts de feu signal\u00e9s par des "
         "clients. Le fabricant propose un remboursement int\u00e9gral et "
         "invite ses clients \u00e0 cesser tout usage imm\u00e9diatement.")
BOILER = ("Acme : retrouvez toutes nos offres de la semaine dans nos "
          "magasins et sur notre site, livraison offerte d\u00e8s cinquante "
          "euros d'achat, retour gratuit sous trente jours.")
NOW = email.utils.formatdate(usegmt=True)
ISO = email.utils.parsedate_to_datetime(NOW).strftime("%Y-%m-%dT%H:%M:%SZ")


def alert_feed():
    entries = []
    for n, paper in enumerate(PAPERS):
        article = f"https://www.{paper}/economie/acme-usine-lyon-{n}"
        link = ("https://www.google.com/url?rct=j&sa=t&url="
                + urllib.parse.quote(article, safe="") + "&ct=ga&usg=AOv")
        entries.append(
            f"<entry><id>tag:google.com,2013:googlealerts/feed:{n}</id>"
            "<title type=\"html\">&lt;b&gt;Acme&lt;/b&gt; va fermer son "
            "usine de Lyon</title>"
            f"<link href=\"{link.replace('&', '&amp;')}\"/>"
            f"<published>{ISO}</published><updated>{ISO}</updated>"
            f"<content type=\"html\">{WIRE}</content></entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<feed xmlns="http://www.w3.org/2005/Atom">'
            "<id>tag:google.com,2005:reference:alerts</id>"
            "<title>Google Alert - Acme</title>" + "".join(entries)
            + "</feed>")


def news_feed():
    items = []
    for n, paper in enumerate(PAPERS[:5]):
        items.append(
            f"<item><title>Acme rappelle ses grille-pain - {paper}</title>"
            f"<link>https://news.google.com/rss/articles/CBMi{n}x?oc=5</link>"
            f'<guid isPermaLink="false">CBMi{n}x</guid>'
            f"<pubDate>{NOW}</pubDate><description>{OTHER}</description>"
            f'<source url="https://www.{paper}">{paper}</source></item>')
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
            "<channel><title>Acme - Google Actualit\u00e9s</title>"
            "<language>fr</language>" + "".join(items)
            + "</channel></rss>")


def own_feed():
    items = [f"<item><guid>promo-{n}</guid><title>Les offres Acme</title>"
             f"<link>https://shop.example/offres/{n}</link>"
             f"<pubDate>{NOW}</pubDate><description>{BOILER}</description>"
             "</item>" for n in range(6)]
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
            "<channel><title>Shop</title><language>fr</language>"
            + "".join(items) + "</channel></rss>")


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-relayed-")
    server = FixtureServer()
    with tmp, Postgres() as pg, WebhookReceiver() as hooks:
        server.start()
        server.set_feed("alerts.xml", alert_feed())
        server.set_feed("news.xml", news_feed())
        server.set_feed("shop.xml", own_feed())
        conf = f"{tmp.name}/vigie.conf"
        write_config(conf, pg.conninfo, {
            "alert": server.url("/dynamic/alerts.xml"),
            "news": server.url("/dynamic/news.xml"),
            "shop": server.url("/dynamic/shop.xml")}, interval="10s")
        with open(conf, "a") as f:
            f.write("\n[detect]\nbucket = 10s\nwindow = 1m\n\n"
                    '[watch "Acme"]\nquery = acme\nspread_sites = 5\n'
                    "spread_window = 10m\nnotify = en\n\n"
                    f'[notify "en"]\nwebhook = {hooks.url("/hook")}\n')
        t.exited(vigie("check", "-c", conf), "check")
        p = vigie("inspect", "-c", conf, "alert")
        t.exited(p, "inspect the alert")
        t.eq([l.split()[1] for l in p.stdout.splitlines()
              if l.strip().startswith("via ")],
             [f"https://www.{paper}/economie/acme-usine-lyon-{n}"
              for n, paper in enumerate(PAPERS)],
             "inspect shows each alert item's publisher")
        t.exited(vigie("migrate", "-c", conf), "migrate")
        d = start_daemon(conf)

        def relayed(source):
            return pg.query(
                "SELECT i.relayed_site FROM items i JOIN sources s"
                f" ON s.id = i.source_id WHERE s.name = '{source}'"
                " ORDER BY i.relayed_site")

        wait_until(lambda: len(relayed("alert")) == 6 and
                   len(relayed("news")) == 5 and len(relayed("shop")) == 6,
                   60, "the three sources' items stored")
        t.eq([r[0] for r in relayed("alert")], sorted(PAPERS),
             "alert: each item is its paper's (the redirect unwrapped)")
        t.eq([r[0] for r in relayed("news")], sorted(PAPERS[:5]),
             "Google News: each item is its <source url>'s")
        t.eq([r[0] for r in relayed("shop")], [None] * 6,
             "a site's own items relay nothing")

        spreads = wait_until(lambda: len(pg.query(
            "SELECT 1 FROM incidents WHERE kind = 'spread'")) == 2 and
            pg.dicts("FROM incidents i JOIN items f ON f.id = i.story_id"
                     " JOIN sources s ON s.id = f.source_id"
                     " WHERE i.kind = 'spread' ORDER BY s.name",
                     "s.name AS source, i.story_id, i.peak_count"),
            120, "the two relayed stories spreading")
        t.eq([(r["source"], int(r["peak_count"])) for r in spreads],
             [("alert", 6), ("news", 5)],
             "one spread per relayed story, every paper a voice")
        for r in spreads:
            t.eq(pg.scalar("SELECT count(*) FROM items i JOIN sources s"
                           " ON s.id = i.source_id WHERE s.name ="
                           f" '{r['source']}' AND coalesce(i.story_id, i.id)"
                           f" = {r['story_id']}"),
                 "6" if r["source"] == "alert" else "5",
                 f"{r['source']}: all its copies in one story")
        t.eq(pg.scalar("SELECT count(*) FROM items i JOIN sources s"
                       " ON s.id = i.source_id WHERE s.name = 'shop'"
                       " AND i.story_id IS NOT NULL"), "0",
             "the site's own copies of one text make no story")
        t.eq(pg.query("SELECT sites, sources, items FROM stories"
                      " WHERE items > 1 ORDER BY sites DESC"),
             [["6", "1", "6"], ["5", "1", "5"]],
             "the stories view counts each relayed story's papers")
        # As the dashboard lists mentions, then a watch's stories.
        t.eq(pg.query("SELECT DISTINCT coalesce(via, site) FROM"
                      " analytics.mentions WHERE source = 'alert'"
                      " ORDER BY 1"), [[p] for p in sorted(PAPERS)],
             "analytics.mentions: each alert mention's publisher (via)")
        t.eq(pg.query("SELECT count(DISTINCT site), count(*)"
                      " FROM analytics.story_mentions WHERE watch = 'Acme'"
                      " GROUP BY story_id ORDER BY 1 DESC"),
             [["6", "6"], ["5", "5"]],
             "analytics.story_mentions: each copy on its paper's site")
        # Which sites speak: the counts by source keep each paper apart
        # (schema 030), as do the report's sources.
        t.eq(pg.query("SELECT via, sum(mentions) FROM analytics.source_volume"
                      " WHERE source = 'alert' GROUP BY 1 ORDER BY 1"),
             [[p, "1"] for p in sorted(PAPERS)],
             "analytics.source_volume: the alert's mentions by paper")
        t.eq(pg.query("SELECT DISTINCT via FROM analytics.source_volume"
                      " WHERE source = 'shop'"), [[None]],
             "a site's own mentions relay nothing")
        p = vigie("report", "-c", conf, "--from", "-1d", "--to", "now",
                  "--format", "md")
        t.exited(p, "report")
        named = {paper for paper in PAPERS if f"| alert | {paper} |" in p.stdout}
        t.ok(len(named) == 4 and "| alert | google.com |" not in p.stdout,
             "the report's five sources: the shop and four of the alert's"
             " papers:\n" + p.stdout)
        t.ok("\u2014 news (lemonde.fr) (" in p.stdout,
             "the report's most negative mentions name the publisher after"
             " the source")
        # The alerts name each copy's paper after the source.
        def spread_hooks():
            sent = [json.loads(r["body"].decode())
                    for r in hooks.received("/hook", delivered=True)]
            sent = [j for j in sent if j.get("kind") == "spread"]
            return sent if len(sent) == 2 else None

        sent = wait_until(spread_hooks, 60, "the two spreads' webhooks")
        t.eq(sorted(sorted(m["via"] for m in j["seen"]) for j in sent),
             sorted([sorted(PAPERS[:5]), sorted(PAPERS)]),
             "webhooks: each place it was taken up names its paper (via)")
        d.terminate()
        t.eq(d.wait(timeout=30), 0, "SIGTERM: exit 0")
        server.stop()


run_test("it_relayed", body)
