"""
it_json_source.py - a source of type = json against an API server on
loopback that wants a bearer token and a header of its own, answers a
Reddit-shaped listing in two pages, and refuses a wrong token with 401:
the posts are stored with their counts and their author's audience, the
token is sent but never logged, a spent rate limit holds the source back
until the API's reset, a refused token disables its source with an alert
until the configuration is read again, and a missing token file
or a source without its items path is said clearly.
"""

import http.server
import os
import pathlib
import tempfile
import threading

from harness import ApiHandler, Postgres, run_test, vigie

TOKEN = "s3cret-t0ken-4242"


def listing(posts, after=None):
    return {"kind": "Listing", "data": {
        "after": after,
        "next": f"/api/search?page={after}" if after else None,
        "children": [{"kind": "t3", "data": p} for p in posts]}}


PAGES = {
    None: listing([
        {"id": "a1", "title": "Acme m'a remboursé en deux jours, bravo",
         "selftext": "Service client au top.", "author": "lucie",
         "permalink": "/r/france/comments/a1/", "created_utc": 1796457600,
         "ups": 152, "num_comments": 38, "author_followers": 1200,
         "author_profile": "/user/lucie"},
        {"id": "a2", "title": "Acme : colis perdu, aucune réponse",
         "selftext": "Arnaque.", "author": "marc",
         "permalink": "/r/france/comments/a2/", "created_utc": 1796457700,
         "ups": "7", "num_comments": 2}], after="2"),
    "2": listing([
        {"id": "a3", "title": "Acme ouvre à Lyon", "author": "nina",
         "permalink": "/r/lyon/comments/a3/", "created_utc": 1796457800,
         "ups": 3}]),
}


class Api(ApiHandler):
    seen = []

    def do_GET(self):
        if self.path.startswith("/api/v1/timelines/tag/acme"):
            return self.mastodon()
        if self.path.startswith("/api/cursor"):
            return self.cursor()
        Api.seen.append(dict(self.headers))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.answer(401, {"error": "unauthorized"})
        if self.headers.get("X-Client") != "vigie-test":
            return self.answer(400, {"error": "no client header"})
        page = self.path.split("page=")[1] if "page=" in self.path else None
        # Reddit's way of saying its budget is spent until a reset.
        spent = {"X-RateLimit-Remaining": "0.0",
                 "X-RateLimit-Reset": "600"} if "spent" in self.path else {}
        self.answer(200, listing([]) if spent else
                    PAGES.get(page, listing([])), spent)

    def mastodon(self):
        """A tag timeline paged by its Link header, as Mastodon's is."""
        older = "max_id=" in self.path
        posts = [{"id": "7" if older else "9",
                  "created_at": "2026-12-05T09:00:00.000Z",
                  "url": f"https://piaille.example/@marc/{7 if older else 9}",
                  "content": "<p>#Acme encore en panne</p>",
                  "account": {"display_name": "Marc",
                              "url": "https://piaille.example/@marc",
                              "followers_count": 2301}}]
        port = self.server.server_address[1]
        link = {} if older else {"Link": (
            f"<http://127.0.0.1:{port}/api/v1/timelines/tag/acme?"
            f"max_id=8>; rel=\"next\", <http://127.0.0.1:{port}/api/v1/"
            f"timelines/tag/acme?min_id=9>; rel=\"prev\"")}
        self.answer(200, posts, link)

    def cursor(self):
        """A listing paged by a cursor, as Reddit's: after=ID."""
        after = "after=c1" in self.path
        doc = listing([{"id": "c2" if after else "c1",
                        "title": f"Acme cursor {'two' if after else 'one'}",
                        "created_utc": 1796457600}])
        doc["data"]["after"] = None if after else "c1"
        self.answer(200, doc)


SOURCE = """
[source "{name}"]
type = json
url = http://127.0.0.1:{port}/api/search?q=acme
items = data.children
id = data.id
title = data.title
text = data.selftext
author = data.author
link = data.permalink
date = data.created_utc
likes = data.ups
replies = data.num_comments
followers = data.author_followers
profile = data.author_profile
next = data.next
pages = 2
header = X-Client: vigie-test
token_file = {token}
"""


MASTODON = """
[source "mastodon"]
type = json
url = http://127.0.0.1:{port}/api/v1/timelines/tag/acme
items = .
id = id
link = url
text = content
author = account.display_name
profile = account.url
date = created_at
followers = account.followers_count
next = link
pages = 2
"""


CURSOR = """
[source "cursor"]
type = json
url = http://127.0.0.1:{port}/api/cursor?q=acme&limit=1
items = data.children
id = data.id
title = data.title
date = data.created_utc
next = data.after
next_param = after
pages = 3
"""


def body(t):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-json-")
    try:
        with tmp, Postgres() as pg:
            scenario(t, pg, port, pathlib.Path(tmp.name))
    finally:
        httpd.shutdown()


def scenario(t, pg, port, tmp):
    token = tmp / "token"
    token.write_text(TOKEN + "\n")
    os.chmod(token, 0o600)
    wrong = tmp / "wrong"
    wrong.write_text("expired\n")
    os.chmod(wrong, 0o600)
    conf = tmp / "vigie.conf"
    conf.write_text(f"[database]\nconninfo = {pg.conninfo}\n"
                    "[daemon]\nlog_level = debug\n"
                    '[watch "acme"]\nquery = acme\n'
                    + SOURCE.format(name="reddit", port=port, token=token)
                    + SOURCE.format(name="lost", port=port,
                                    token=tmp / "missing")
                    + SOURCE.format(name="refused", port=port,
                                    token=wrong)
                    + MASTODON.format(port=port)
                    + CURSOR.format(port=port)
                    + SOURCE.format(name="spent", port=port, token=token)
                    .replace("q=acme", "q=acme&spent=1")
                    .replace("pages = 2", "pages = 1\ninterval = 10s"))
    os.chmod(conf, 0o600)
    t.exited(vigie("check", "-c", conf), "check accepts the json sources")
    t.exited(vigie("migrate", "-c", conf), "migrate")
    p = vigie("run", "-c", conf, "--once", timeout=120)
    t.exited(p, "run --once")
    t.ok(TOKEN not in p.stderr, "the token is never logged")

    rows = pg.query(
        "SELECT guid, title, author, likes, replies, author_followers, "
        "link FROM items i JOIN sources s ON s.id = i.source_id "
        "WHERE s.name = 'reddit' ORDER BY guid")
    t.eq([r[0] for r in rows], ["a1", "a2", "a3"],
         "both pages' posts stored")
    t.eq(rows[0][3:6], ["152", "38", "1200"],
         "likes, replies and the author's audience stored")
    t.eq(rows[1][3:6], ["7", "2", None], "a count given as text is read; "
         "one not given is NULL")
    t.eq(rows[0][6], f"http://127.0.0.1:{port}/r/france/comments/a1/",
         "a relative permalink made absolute")
    inf = pg.query("SELECT author, profile, followers, reach FROM "
                   "analytics.influencers WHERE author = 'lucie'")
    t.eq(inf, [["lucie", f"http://127.0.0.1:{port}/user/lucie", "1200",
                str(1200 + 152 + 38)]],
         "the author ranked in analytics.influencers by their reach")
    t.eq(pg.scalar("SELECT count(*) FROM mentions m JOIN sources s "
                   "ON s.id = m.source_id WHERE s.name = 'reddit'"), "3",
         "the posts are matched like any item")
    auth = [h.get("Authorization") for h in Api.seen]
    t.ok(auth.count(f"Bearer {TOKEN}") == 3 and
         set(auth) == {f"Bearer {TOKEN}", "Bearer expired"},
         f"every request carried its source's token: {auth}")

    err = pg.scalar("SELECT f.error FROM fetches f JOIN sources s "
                    "ON s.id = f.source_id WHERE s.name = 'lost'")
    t.ok(err is not None and "token_file" in err and "missing" in err,
         f"a missing token file is said: {err!r}")

    t.eq(pg.query("SELECT guid FROM items i JOIN sources s ON s.id = "
                  "i.source_id WHERE s.name = 'mastodon' ORDER BY guid"),
         [["7"], ["9"]], "a timeline paged by its Link header: both pages")

    t.eq(pg.query("SELECT guid FROM items i JOIN sources s ON s.id = "
                  "i.source_id WHERE s.name = 'cursor' ORDER BY guid"),
         [["c1"], ["c2"]], "a listing paged by a cursor: both pages, and "
         "no third once the cursor is null")

    # A spent budget: left alone until the API's reset, not the
    # source's 10-second interval.
    wait = float(pg.scalar("SELECT extract(epoch FROM next_poll_at - now())"
                           " FROM sources WHERE name = 'spent'"))
    t.ok(500 < wait <= 600, f"next poll when the budget resets: {wait:.0f} s")

    # Refused credentials: the source is disabled at once, said, and
    # an alert raised; a run after the token is fixed polls it again.
    row = pg.query("SELECT s.enabled, s.disabled_reason, f.outcome "
                   "FROM sources s JOIN fetches f ON f.source_id = s.id "
                   "WHERE s.name = 'refused'")
    t.eq([r[0] for r in row], ["f"], "a 401 disables the source")
    t.ok(row and "refused the credentials" in (row[0][1] or "") and
         row[0][2] == "denied",
         f"with the reason, as outcome 'denied': {row}")
    t.eq(pg.scalar("SELECT count(*) FROM incidents i JOIN sources s "
                   "ON s.id = i.source_id WHERE s.name = 'refused'"), "1",
         "a source-health incident at once")
    wrong.write_text(TOKEN + "\n")
    t.exited(vigie("run", "-c", conf, "--once", timeout=120),
             "run --once after the token is fixed")
    t.eq(pg.scalar("SELECT enabled FROM sources WHERE name = 'refused'"),
         "t", "the configuration read again enables it")
    t.eq(pg.scalar("SELECT count(*) FROM items i JOIN sources s "
                   "ON s.id = i.source_id WHERE s.name = 'refused'"), "3",
         "and its posts are stored")
    # The same posts through two sources of one site: lucie, known by her
    # profile, is one author; marc and nina by their names; Marc on
    # Mastodon by his.
    t.eq(pg.query("SELECT platform, key, handle, followers FROM authors "
                  "ORDER BY platform, key"),
         [["127.0.0.1", "127.0.0.1/user/lucie", "lucie", "1200"],
          ["127.0.0.1", "marc", None, None],
          ["127.0.0.1", "nina", None, None],
          ["piaille.example", "piaille.example/@marc", "@marc", "2301"]],
         "one author per profile (else name) and site across its sources")
    seen = ("(SELECT i.first_seen_at FROM items i JOIN sources s ON s.id = "
            "i.source_id WHERE s.name = '{}' AND i.guid = 'a1')")
    t.eq(pg.query("SELECT first_seen = " + seen.format("reddit") +
                  ", last_seen = " + seen.format("reddit") +
                  ", " + seen.format("refused") + " - last_seen"
                  " BETWEEN interval '0' AND interval '1 minute'"
                  " FROM authors WHERE handle = 'lucie'"),
         [["t", "t", "t"]],
         "lucie first seen with the first source's post; the second's, "
         "within the minute, leaves last_seen (kept to the minute)")
    t.eq(pg.query("SELECT count(DISTINCT i.author_id), count(*) FROM items i "
                  "JOIN sources s ON s.id = i.source_id "
                  "WHERE s.name IN ('reddit', 'refused') AND guid = 'a1'"),
         [["1", "2"]], "lucie's two copies of a1 point at her one row")
    t.eq(pg.query("SELECT mentions, reach FROM analytics.influencers "
                  "WHERE author = 'lucie'"),
         [["2", str(1200 + 2 * (152 + 38))]],
         "analytics.influencers counts her posts from both sources once "
         "and her audience once")

    bad = tmp / "bad.conf"
    bad.write_text('[source "x"]\ntype = json\nurl = https://a.example/\n'
                   '[source "y"]\nurl = https://b.example/\n'
                   "items = data\n")
    os.chmod(bad, 0o600)
    p = vigie("check", "-c", bad)
    t.exited(p, "check refuses a json source without items", want=1)
    t.ok(f"{bad}:1: source \"x\": a json source needs items" in p.stderr,
         f"file:line for a missing items path: {p.stderr!r}")
    t.ok(f"{bad}:4: source \"y\": items, id, counts" in p.stderr,
         f"file:line for json keys on a feed: {p.stderr!r}")


if __name__ == "__main__":
    run_test("it_json_source", body)
