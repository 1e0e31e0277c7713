"""
it_spread.py - spreading stories through the daemon, end to end: ten
local sites (HTTP servers on ten loopback addresses, so ten hosts), a
real PostgreSQL and real webhook receivers (tests/sinks.py).

- A burst of one story about Acme across the ten sites (the same link)
  raises one `spread` incident, delivered once to an English and a
  French target, naming the story's first source and link, the sites
  and the mentions so far.
- Another story about Acme on three sites only raises nothing (Acme's
  spread_sites is 5); a story about Globex on the ten sites raises
  nothing either, Globex inheriting [detect]'s spread_sites = 0 (off).
- The story is not raised again while the daemon keeps checking; a
  reload with a short spread_window resolves it (no new mention within
  a window), and an eleventh site taking it up afterwards does not open
  a new incident: one incident per story.
"""

import email.utils
import pathlib
import signal
import tempfile

from harness import (FixtureServer, Postgres, daemon_log, run_test,
                     start_daemon, vigie, wait_until, write_config)
from sinks import WebhookReceiver

SITES = 10
RUMOUR = "https://news.example/acme-ferme-lyon"
SMALL = "https://news.example/acme-grille-pain"
GLOBEX = "https://news.example/globex-rachete-initech"


def item(guid, title, link):
    return (f"<item><guid>{guid}</guid><title>{title}</title>"
            f"<link>{link}</link>"
            f"<pubDate>{email.utils.formatdate(usegmt=True)}</pubDate>"
            "</item>")


def feed(n):
    items = [item(f"rumour-{n}", "Acme va fermer son usine de Lyon, "
                  f"selon une source ({n})", RUMOUR),
             item(f"globex-{n}", f"Globex rach\u00e8te Initech ({n})",
                  GLOBEX)]
    if n < 3:
        items.append(item(f"small-{n}", "Acme lance un nouveau "
                          f"grille-pain ({n})", SMALL))
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
            "<channel><title>f</title><language>fr</language>"
            + "".join(items) + "</channel></rss>")


def config(path, pg, sites, hooks, window):
    write_config(path, pg.conninfo,
                 {f"site{n}": s.url("/dynamic/feed.xml")
                  for n, s in enumerate(sites)}, interval="10s")
    pathlib.Path(path).write_text(pathlib.Path(path).read_text() + f"""
[detect]
bucket = 10s
window = 1m
spread_sites = 0

[watch "Acme"]
query = acme
notify = en, fr
spread_sites = 5
spread_window = {window}

[watch "Globex"]
query = globex
notify = en

[notify "en"]
webhook = {hooks.url("/hook/en")}

[notify "fr"]
webhook = {hooks.url("/hook/fr")}
lang = fr
""")


def spreads(pg):
    return pg.dicts("FROM incidents i JOIN watches w ON w.id = i.watch_id"
                    " WHERE i.kind = 'spread' ORDER BY i.id",
                    "w.name AS watch, i.story_id, i.state, i.severity,"
                    " i.peak_count")


def delivered(hooks, path, state):
    import json
    return [json.loads(r["body"].decode()) for r in
            hooks.received(path, delivered=True)
            if json.loads(r["body"].decode()).get("state") == state]


def checks_after(d, n):
    """Waits for n more checks of the stories than the log shows now."""
    before = daemon_log(d).count("spread: ")
    wait_until(lambda: daemon_log(d).count("spread: ") >= before + n, 60,
               f"{n} more checks of the stories")


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-spread-")
    sites = [FixtureServer(host=f"127.0.0.{n + 1}") for n in range(SITES + 1)]
    with tmp, Postgres() as pg, WebhookReceiver() as hooks:
        for s in sites:
            s.start()
        for n, s in enumerate(sites[:SITES]):
            s.set_feed("feed.xml", feed(n))
        conf = f"{tmp.name}/vigie.conf"
        config(conf, pg, sites[:SITES], hooks, "10m")
        t.exited(vigie("check", "-c", conf), "check")
        t.exited(vigie("migrate", "-c", conf), "migrate")
        d = start_daemon(conf)

        fired = wait_until(lambda: delivered(hooks, "/hook/en", "firing"),
                           120, "the spread's webhook")
        # The French target's too: both written for the same event.
        fr = wait_until(lambda: delivered(hooks, "/hook/fr", "firing"),
                        30, "the spread's French webhook")
        story = pg.scalar("SELECT DISTINCT x.story_id FROM story_mentions"
                          f" x JOIN items i ON i.id = x.item_id"
                          f" WHERE i.link = '{RUMOUR}'")
        first = pg.query("SELECT s.name, i.link FROM items i"
                         " JOIN sources s ON s.id = i.source_id"
                         f" WHERE i.id = {story}")
        rows = spreads(pg)
        t.eq([(r["watch"], r["story_id"], r["state"]) for r in rows],
             [("Acme", story, "firing")],
             "one spread incident: Acme's story on ten sites")
        doc = fired[0]
        t.eq((doc["kind"], doc["watch"], doc["story_id"], doc["lang"]),
             ("spread", "Acme", int(story), "en"),
             "webhook: kind, watch, story, language")
        t.eq((doc["first"]["source"], doc["first"]["link"]),
             tuple(first[0]), "webhook: the story's first source and link")
        t.ok(5 <= doc["sites"] <= SITES and 5 <= doc["window_sites"] <=
             doc["sites"] and doc["mentions"] >= doc["sites"],
             f"webhook: sites {doc['sites']}, within the window "
             f"{doc['window_sites']}, mentions {doc['mentions']}")
        t.ok(len(doc["seen"]) == doc["sites"] and
             all(m["link"] == RUMOUR for m in doc["seen"]),
             f"webhook: where it was taken up: {doc['seen']}")
        # Critical once twice spread_sites took it up within the window.
        critical = doc["window_sites"] >= 10
        t.eq((doc["severity"], doc["subject"]),
             ("critical" if critical else "warning",
              f"[vigie] {'CRITICAL' if critical else 'WARNING'}: story "
              "spreading \u2014 Acme"), "webhook: severity and subject")
        t.eq((fr[0]["event_id"], fr[0]["subject"]),
             (doc["event_id"], f"[vigie] "
              f"{'CRITIQUE' if critical else 'AVERTISSEMENT'} : sujet qui se "
              "propage \u2014 Acme"), "French webhook: same event, in French")

        # The daemon goes on judging the stories, the three-site one and
        # Globex's among them: nothing more.
        checks_after(d, 3)
        t.eq(len(spreads(pg)), 1, "still one spread incident")
        t.eq(len(hooks.received("/hook/en", delivered=True)), 1,
             "one delivery to the English target")
        t.eq(pg.scalar("SELECT count(*) FROM incidents WHERE kind = 'spike'"),
             "0", "no spike: the mentions are not negative")
        t.eq(pg.scalar("SELECT kind || ':' || story_id FROM analytics.incidents"),
             f"spread:{story}", "analytics.incidents shows the spread")

        # A window of one minute: the story, quiet since its burst, ends.
        config(conf, pg, sites[:SITES], hooks, "1m")
        d.send_signal(signal.SIGHUP)
        wait_until(lambda: [r["state"] for r in spreads(pg)] == ["resolved"],
                   120, "the spread resolved once quiet")
        res = wait_until(lambda: delivered(hooks, "/hook/en", "resolved"),
                         30, "the resolution's webhook")
        t.eq((res[0]["kind"], res[0]["story_id"]), ("spread", int(story)),
             "the resolution names the story")

        # An eleventh site takes it up: the same story, no new incident.
        sites[SITES].set_feed("feed.xml", feed(SITES))
        config(conf, pg, sites, hooks, "1m")
        d.send_signal(signal.SIGHUP)
        wait_until(lambda: pg.scalar(
            "SELECT count(*) FROM story_mentions x JOIN items i"
            f" ON i.id = x.item_id WHERE i.link = '{RUMOUR}'") ==
            str(SITES + 1), 60, "the eleventh site's mention in the story")
        checks_after(d, 3)
        t.eq([(r["story_id"], r["state"]) for r in spreads(pg)],
             [(story, "resolved")], "one incident per story, ever")
        t.eq(len(delivered(hooks, "/hook/en", "firing")), 1,
             "the story is not announced again")
        d.terminate()
        t.eq(d.wait(timeout=30), 0, "SIGTERM: exit 0")
        for s in sites:
            s.stop()


run_test("it_spread", body)
