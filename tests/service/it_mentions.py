"""
it_mentions.py - watches through the daemon: items matched and scored on
ingest, one mention per (item, watch), language filters, and the history
matched again when a watch is added or its query changes; each mention's
tone toward its watch apart from the document's, its emotions and rumour
flag, on ingest and by a backfill alike.
"""

import pathlib
import tempfile

from harness import FixtureServer, Postgres, run_test, vigie, write_config

FEED_FR = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Forum conso</title>
<link>https://conso.example/</link><language>fr</language>
<item><guid>fr-1</guid><title>Acme : une vraie arnaque, je suis très déçu</title>
<link>https://conso.example/1</link>
<description>Commande jamais livrée, service client injoignable.</description></item>
<item><guid>fr-2</guid><title>Les patins Acme sont vraiment géniaux</title>
<link>https://conso.example/2</link>
<description>Livraison rapide, produit conforme, je recommande !</description></item>
<item><guid>fr-3</guid><title>Globex ouvre une usine à Lyon</title>
<link>https://conso.example/3</link>
<description>L'usine emploiera 200 personnes.</description></item>
<item><guid>fr-4</guid><title>Recette de la tarte aux pommes</title>
<link>https://conso.example/4</link>
<description>Rien à voir avec les marques.</description></item>
</channel></rss>
"""

FEED_EN = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Reviews</title>
<link>https://reviews.example/</link><language>en</language>
<item><guid>en-1</guid><title>Acme rocket skates are a total scam</title>
<link>https://reviews.example/1</link>
<description>Broke after two days. Terrible support, no refund.</description></item>
<item><guid>en-2</guid><title>Globex outage hits thousands of customers</title>
<link>https://reviews.example/2</link>
<description>The service was down for six hours.</description></item>
</channel></rss>
"""

# Anger, a rumour, and a document that praises a show in Lyon but names
# Acme in its one harsh sentence.
JUDGED = """<item><guid>fr-6</guid><title>Je suis furieux contre Acme, quel scandale</title>
<link>https://conso.example/6</link>
<description>Commande perdue et aucune réponse.</description></item>
<item><guid>fr-7</guid><title>Il paraît que Acme va fermer</title>
<link>https://conso.example/7</link>
<description>Partagez avant suppression.</description></item>
<item><guid>fr-8</guid><title>Une journée magnifique au salon de Lyon</title>
<link>https://conso.example/8</link>
<description>Des stands superbes, un accueil formidable, tout était parfait.
Seul Acme nous a déçus, quelle honte.</description></item>
"""

WATCHES = {
    "Acme": 'query = acme\ntags = brand\ncompare = market',
    "Acme FR": 'query = acme\nlang = fr\ntags = brand',
    "Globex": 'query = globex\ntags = competitor\ncompare = market',
}


def config(path, pg, srv, watches):
    write_config(path, pg.conninfo, {
        "fr": srv.url("/dynamic/fr.xml"),
        "en": {"url": srv.url("/dynamic/en.xml"), "lang": "en"},
    })
    text = pathlib.Path(path).read_text()
    for name, body in watches.items():
        text += f'\n[watch "{name}"]\n{body}\n'
    pathlib.Path(path).write_text(text)


def mentions(pg):
    rows = pg.query(
        "SELECT w.name, i.guid, m.label, m.lang, array_to_string(m.terms, ',')"
        "  FROM mentions m JOIN watches w ON w.id = m.watch_id"
        "  JOIN items i ON i.id = m.item_id ORDER BY 1, 2")
    return [tuple(r) for r in rows]


def judged(pg, watch):
    """(guid, mention label, sentiment, emotions, rumour) of watch's
    mentions of the judged items."""
    rows = pg.query(
        "SELECT i.guid, m.label, m.sentiment, array_to_string(m.emotions,"
        " ','), m.rumour FROM mentions m JOIN watches w ON w.id = m.watch_id"
        "  JOIN items i ON i.id = m.item_id AND i.first_seen_at ="
        "  m.first_seen_at"
        f" WHERE w.name = '{watch}' AND i.guid IN ('fr-6', 'fr-7', 'fr-8')"
        " ORDER BY 1")
    return [tuple(r) for r in rows]


def check_judgement(t, pg, conf, srv, watches):
    """Tone toward each watch, emotions and rumours, stored on ingest and
    by a backfill."""
    srv.set_feed("fr.xml", FEED_FR.replace("</channel>",
                                           JUDGED + "</channel>"))
    t.exited(vigie("run", "-c", conf, "--once"), "run with judged items")
    acme = judged(pg, "Acme")
    t.eq([r[0] for r in acme], ["fr-6", "fr-7", "fr-8"], "Acme's mentions")
    by = {r[0]: r for r in acme}
    t.ok("anger" in by["fr-6"][3].split(","),
         f"'furieux, quel scandale' is anger: {by['fr-6']}")
    t.eq(by["fr-6"][4], "f", "an angry complaint is no rumour")
    t.eq(by["fr-7"][4], "t", f"'il paraît que' is a rumour: {by['fr-7']}")
    t.eq(by["fr-8"][1], "negative",
         f"the tone toward Acme is its sentence's: {by['fr-8']}")
    items = {r[0]: r[1:] for r in pg.query(
        "SELECT guid, label, array_to_string(emotions, ','), rumour"
        " FROM items WHERE guid IN ('fr-6', 'fr-7', 'fr-8')")}
    t.eq(items["fr-8"][0], "positive", "the document's tone is its own")
    t.eq([r[:2] for r in judged(pg, "Lyon")], [("fr-8", "positive")],
         "the tone toward Lyon is that of the sentences naming it")
    t.ok("anger" in items["fr-6"][1].split(","),
         f"the document's emotions: {items['fr-6']}")
    t.eq(items["fr-7"][2], "t", "the document's rumour flag")
    t.eq(pg.query("SELECT watch, title FROM analytics.rumours"
                  " ORDER BY 1, 2"),
         [["Acme", "Il paraît que Acme va fermer"]], "analytics.rumours")
    t.ok(pg.scalar("SELECT count(*) FROM analytics.negative_mentions"
                   " WHERE watch = 'Acme' AND 'anger' = ANY (emotions)")
         != "0", "negative mentions in anger")

    # A new watch on the same name: the backfill stores the same verdicts.
    watches = dict(watches, **{"Acme bis": "query = acme"})
    config(conf, pg, srv, watches)
    t.exited(vigie("run", "-c", conf, "--once"), "run with Acme bis")
    t.eq(judged(pg, "Acme bis"), acme,
         "backfilled mentions carry the same tone, emotions and rumour")


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-mentions-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        conf = f"{tmp.name}/vigie.conf"
        srv.set_feed("fr.xml", FEED_FR)
        srv.set_feed("en.xml", FEED_EN)
        config(conf, pg, srv, WATCHES)
        t.exited(vigie("migrate", "-c", conf), "migrate")
        t.exited(vigie("run", "-c", conf, "--once"), "first run")

        got = mentions(pg)
        names = sorted({(w, g) for w, g, *_ in got})
        t.eq(names, [("Acme", "en-1"), ("Acme", "fr-1"), ("Acme", "fr-2"),
                     ("Acme FR", "fr-1"), ("Acme FR", "fr-2"),
                     ("Globex", "en-2"), ("Globex", "fr-3")],
             "mentions after the first run")
        tone = {(w, g): label for w, g, label, _, _ in got}
        t.eq(tone.get(("Acme", "fr-1")), "negative", "French complaint tone")
        t.eq(tone.get(("Acme", "fr-2")), "positive", "French praise tone")
        t.eq(tone.get(("Acme", "en-1")), "negative", "English complaint tone")
        langs = {(w, g): lang for w, g, _, lang, _ in got}
        t.eq(langs.get(("Acme", "fr-1")), "fr", "mention language (fr)")
        t.eq(langs.get(("Acme", "en-1")), "en", "mention language (en)")
        t.eq({r[4] for r in got if r[0] == "Acme"}, {"acme"}, "terms")
        t.eq(pg.scalar("SELECT count(*) FROM items WHERE label IS NULL"),
             "0", "every item carries its tone, mention or not")
        t.eq(pg.scalar("SELECT tone_lang FROM items WHERE guid = 'en-2'"),
             "en", "the tone's language")

        # Share of voice: the brand against its competitor, not against
        # its own sub-watch, which is compared with nothing.
        t.eq(pg.query("SELECT compare_group, watch, sum(mentions)"
                      "  FROM analytics.share_of_voice GROUP BY 1, 2"
                      " ORDER BY 1, 2"),
             [["market", "Acme", "3"], ["market", "Globex", "2"]],
             "share of voice among the watches compared")

        # Nothing new: a second run adds nothing and duplicates nothing.
        t.exited(vigie("run", "-c", conf, "--once"), "second run")
        t.eq(mentions(pg), got, "mentions unchanged by a second run")

        # A new watch: the stored history is matched again for it alone.
        watches = dict(WATCHES, Lyon='query = lyon OR usine*')
        config(conf, pg, srv, watches)
        p = vigie("run", "-c", conf, "--once")
        t.exited(p, "run with a new watch")
        t.ok("backfill" in p.stderr, "the backfill is logged")
        after = mentions(pg)
        t.eq([r for r in after if r[0] == "Lyon"],
             [("Lyon", "fr-3", "neutral", "fr", "lyon,usine*")],
             "the new watch's history")
        t.eq([r for r in after if r[0] != "Lyon"], got,
             "the other watches' mentions are untouched")
        t.eq(pg.scalar("SELECT count(*) FROM watches WHERE backfill_needed"),
             "0", "backfill marks cleared")

        # A changed query replaces that watch's recent mentions. Its
        # lower-case "or" is searched as a word, as written, and the
        # daemon says it is probably a mistake.
        watches["Globex"] = ("query = globex AND (outage OR panne OR "
                             "(zzz or yyy))")
        config(conf, pg, srv, watches)
        p = vigie("run", "-c", conf, "--once")
        t.exited(p, "run with a new query")
        t.ok("warning: lower-case 'or' is searched as a word" in p.stderr,
             f"the daemon warns of a lower-case operator: {p.stderr}")
        t.eq([r[1] for r in mentions(pg) if r[0] == "Globex"], ["en-2"],
             "Globex's mentions follow its new query")

        # A removed watch keeps its history but is no longer configured.
        del watches["Acme FR"]
        config(conf, pg, srv, watches)
        t.exited(vigie("run", "-c", conf, "--once"), "run without Acme FR")
        t.eq(pg.scalar("SELECT in_config FROM watches WHERE name = 'Acme FR'"),
             "f", "a removed watch is marked")
        t.eq(len([r for r in mentions(pg) if r[0] == "Acme FR"]), 2,
             "a removed watch keeps its mentions")

        # New items are matched as they arrive, with the new watches.
        srv.set_feed("fr.xml", FEED_FR.replace(
            "</channel>", "<item><guid>fr-5</guid><title>Panne géante chez "
            "Globex, usine de Lyon à l'arrêt</title></item></channel>"))
        t.exited(vigie("run", "-c", conf, "--once"), "run with a new item")
        t.eq(sorted(r[0] for r in mentions(pg) if r[1] == "fr-5"),
             ["Globex", "Lyon"], "a new item's mentions")

        check_judgement(t, pg, conf, srv, watches)


run_test("it_mentions", body)
