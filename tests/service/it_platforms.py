"""
it_platforms.py - sources of type = mastodon, bluesky, reddit, youtube, x
and hackernews against one API server on loopback that answers each
platform's endpoints with responses in its documented shape
(tests/fixtures/platforms): the daemon polls them into a real PostgreSQL
with their authors, audience and engagement; Mastodon pages by its Link
header and finds an account's posts through its id; YouTube's videos get
their statistics and their channels' subscribers in the same poll, with
the key in a header and never in a URL or the log; X's spent budget
(x-rate-limit-*) and Bluesky's 429 hold their sources back; a refused key
disables its source; an answer that is not JSON is a failure said.
`vigie inspect` follows the same steps.
"""

import http.server
import json
import os
import pathlib
import tempfile
import threading
import time
import urllib.parse

from harness import FIXTURES, ApiHandler, Postgres, run_test, vigie

BEARER = "x-bearer-0123456789"
YT_KEY = "AIzaSy-test-key-4242"
# Far from the 15-minute interval, so that a wait of either tells which.
RESET = int(time.time()) + 3000


def fixture(name):
    return json.loads((pathlib.Path(FIXTURES) / "platforms" / name)
                      .read_text())


def account_statuses():
    """The account's own statuses: the tag timeline's, made its."""
    posts = fixture("mastodon_tag.json")
    for i, p in enumerate(posts):
        p["id"] = f"2000{i}"
        p["uri"] = f"https://piaille.fr/users/acme/statuses/2000{i}"
        p["url"] = f"https://piaille.fr/@acme/2000{i}"
        p["account"] = fixture("mastodon_lookup.json")
    return posts


class Api(ApiHandler):
    requests = []

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        Api.requests.append((self.path, dict(self.headers)))
        route = {
            "/api/v1/timelines/tag/acme": self.mastodon_tag,
            "/api/v1/accounts/lookup": self.mastodon_lookup,
            "/api/v1/accounts/109302745134960155/statuses":
                self.mastodon_statuses,
            "/xrpc/app.bsky.feed.searchPosts": self.bluesky,
            "/xrpc/app.bsky.feed.getAuthorFeed":
                lambda q: self.answer(429, {"error": "RateLimitExceeded"},
                                      {"Retry-After": "120"}),
            "/search.json": self.reddit,
            "/api/v1/search_by_date": self.hackernews,
            "/2/tweets/search/recent": self.x,
            "/youtube/v3/search": self.youtube,
            "/youtube/v3/videos": self.youtube,
            "/youtube/v3/channels": self.youtube,
            # A poll whose second step fails: the search answers, the
            # videos' statistics do not.
            "/youtube-broken/v3/search": self.youtube,
            "/youtube-broken/v3/videos":
                lambda q: self.answer(500, {"error": {
                    "code": 500, "message": "Backend Error"}}),
        }.get(url.path)
        if route is None:
            return self.answer(404, {"error": "not found"})
        route(q)

    def mastodon_tag(self, q):
        if "max_id" in q:
            return self.answer(200, [])
        port = self.server.server_address[1]
        # Mastodon says when its budget resets as a date: spent, it
        # leaves the next page for then.
        reset = time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                              time.gmtime(RESET))
        self.answer(200, fixture("mastodon_tag.json"), {
            "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset, "Link": (
            f"<http://127.0.0.1:{port}/api/v1/timelines/tag/acme?"
            f"max_id=113555190044719021>; rel=\"next\", "
            f"<http://127.0.0.1:{port}/api/v1/timelines/tag/acme?"
            f"min_id=113555281829470452>; rel=\"prev\"")})

    def mastodon_statuses(self, q):
        """An account's statuses, paged by the Link header."""
        if "max_id" in q:
            return self.answer(200, [])
        port = self.server.server_address[1]
        self.answer(200, account_statuses(), {"Link": (
            f"<http://127.0.0.1:{port}/api/v1/accounts/109302745134960155/"
            f"statuses?max_id=20000>; rel=\"next\"")})

    def mastodon_lookup(self, q):
        if q.get("acct") != ["acme"]:
            return self.answer(404, {"error": "Record not found"})
        self.answer(200, fixture("mastodon_lookup.json"))

    def bluesky(self, q):
        if "cursor" in q:
            return self.answer(200, {"posts": []})
        self.answer(200, fixture("bluesky_search.json"))

    def reddit(self, q):
        if "after" in q:
            return self.answer(200, {"kind": "Listing", "data": {
                "after": None, "children": []}})
        self.answer(200, fixture("reddit_search.json"))

    def hackernews(self, q):
        if "author_broken" in q.get("tags", [""])[0]:
            return self.answer(200, "{\"hits\": [")
        if q.get("page", ["0"]) != ["0"]:
            return self.answer(200, {"hits": [], "page": 1, "nbPages": 3})
        self.answer(200, fixture("hackernews_search.json"))

    def x(self, q):
        if self.headers.get("Authorization") != f"Bearer {BEARER}":
            return self.answer(401, {"title": "Unauthorized", "status": 401})
        # X's budget for the window spent: its own header names.
        self.answer(200, fixture("x_search.json"), {
            "x-rate-limit-limit": "60", "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(RESET)})

    def youtube(self, q):
        if self.headers.get("X-Goog-Api-Key") != YT_KEY:
            return self.answer(403, {"error": {
                "code": 403, "message": "API key not valid.",
                "errors": [{"reason": "forbidden"}]}})
        name = urllib.parse.urlsplit(self.path).path.rsplit("/", 1)[1]
        self.answer(200, fixture(f"youtube_{name}.json"))


def sources(port, tmp):
    api = f"http://127.0.0.1:{port}"
    return f"""
[source "masto-tag"]
type = mastodon
url = {api}
tag = #acme
pages = 2

[source "masto-account"]
type = mastodon
url = {api}/
account = acme
pages = 2

[source "bsky"]
type = bluesky
url = {api}
query = acme
pages = 2

[source "bsky-busy"]
type = bluesky
url = {api}
account = busy.bsky.social

[source "reddit"]
type = reddit
url = {api}
query = acme
pages = 2

[source "hn"]
type = hackernews
url = {api}
query = acme
pages = 2

[source "hn-broken"]
type = hackernews
url = {api}
account = broken

[source "x"]
type = x
url = {api}
query = acme
token_file = {tmp}/x.token

[source "youtube"]
type = youtube
url = {api}/youtube/v3
query = acme
token_file = {tmp}/yt.key

[source "youtube-broken"]
type = youtube
url = {api}/youtube-broken/v3
query = acme
token_file = {tmp}/yt.key

[source "youtube-denied"]
type = youtube
url = {api}/youtube/v3
account = UC0000000000000000000000
token_file = {tmp}/wrong.key
"""


def secret(path, text):
    path.write_text(text + "\n")
    os.chmod(path, 0o600)


def body(t):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-platforms-")
    try:
        with tmp, Postgres() as pg:
            scenario(t, pg, httpd.server_address[1], pathlib.Path(tmp.name))
    finally:
        httpd.shutdown()


def items(pg, source, columns="guid"):
    return pg.query(f"SELECT {columns} FROM items i JOIN sources s "
                    f"ON s.id = i.source_id WHERE s.name = '{source}' "
                    "ORDER BY guid")


def scenario(t, pg, port, tmp):
    secret(tmp / "x.token", BEARER)
    secret(tmp / "yt.key", YT_KEY)
    secret(tmp / "wrong.key", "expired")
    conf = tmp / "vigie.conf"
    conf.write_text(f"[database]\nconninfo = {pg.conninfo}\n"
                    "[daemon]\nlog_level = debug\n"
                    '[watch "acme"]\nquery = acme\n' + sources(port, tmp))
    os.chmod(conf, 0o600)
    t.exited(vigie("check", "-c", conf), "check accepts the platforms")
    t.exited(vigie("migrate", "-c", conf), "migrate")
    p = vigie("run", "-c", conf, "--once", timeout=120)
    t.exited(p, "run --once")
    log = p.stderr

    # Mastodon: the tag timeline and its next page by the Link header.
    cols = ("author, author_url, likes, shares, replies, author_followers, "
            "link")
    t.eq([r for r in items(pg, "masto-tag", cols) if "@" not in r[0]][0],
         ["Claire Dubois", "https://piaille.fr/@claire", "31", "12", "4",
          "2480", "https://piaille.fr/@claire/113555281829470452"],
         "a Mastodon status with its author, audience and counts")
    t.ok(any("/statuses?max_id=20000" in r[0] for r in Api.requests),
         "the account's timeline's next page asked through its Link "
         "header")
    t.ok(not any("/tag/acme?max_id" in r[0] for r in Api.requests),
         "a spent budget asks for no next page")
    wait = float(pg.scalar("SELECT extract(epoch FROM next_poll_at - now())"
                           " FROM sources WHERE name = 'masto-tag'"))
    t.ok(abs(RESET - time.time() - wait) < 60,
         f"Mastodon's spent budget, its reset a date: {wait:.0f} s")
    t.eq(len(items(pg, "masto-account")), 2,
         "an account's statuses found through its looked-up id")

    t.eq(items(pg, "bsky", "author, author_url, likes, shares, replies"),
         [["Julie Martin", "https://bsky.app/profile/julie.bsky.social",
           "40", "25", "7"]],
         "a Bluesky post; one whose handle makes no link left out")
    t.ok(any("cursor=25" in r[0] for r in Api.requests),
         "Bluesky's next page asked by its cursor")

    t.eq(items(pg, "reddit", "guid, author, likes, replies"),
         [["t3_1h6zq9x", None, "12", "3"],
          ["t3_1h6zr2b", "pierre_l", "87", "45"]],
         "Reddit's posts; a deleted author is nobody")
    t.eq(items(pg, "hn", "guid, likes, replies"),
         [["hn:41234567", "231", "58"], ["hn:41234890", None, None]],
         "Hacker News' story and comment")

    t.eq(items(pg, "x", "author, likes, shares, views, author_followers"),
         [["Marc Lefèvre", "980", "180", "54000", "120500"]],
         "a tweet with its author found among the includes")
    wait = float(pg.scalar("SELECT extract(epoch FROM next_poll_at - now())"
                           " FROM sources WHERE name = 'x'"))
    t.ok(abs(RESET - time.time() - wait) < 60,
         f"X's spent budget holds the source until its reset: {wait:.0f} s")

    t.eq(items(pg, "youtube",
               "guid, views, likes, replies, author_followers"),
         [["9bZkp7q19f0", "900", None, "4", None],
          ["dQw4w9WgXcQ", "48210", "1520", "310", "215000"]],
         "YouTube's videos with their statistics and their channel's "
         "subscribers (a hidden count unknown, not 0)")
    paths = [r[0] for r in Api.requests if r[0].startswith("/youtube/")]
    t.ok(sum(x.startswith("/youtube/v3/videos?") for x in paths) >= 1 and
         sum(x.startswith("/youtube/v3/channels?") for x in paths) >= 1,
         f"the videos and channels asked in the same poll: {paths}")
    t.ok(all(YT_KEY not in x for x in paths) and YT_KEY not in log and
         BEARER not in log,
         "the key travels in a header, never in a URL nor the log")

    # The search's items wait for their statistics: with the second
    # step failing, none is stored half-made, and the poll is a failure
    # retried later like any other.
    row = pg.query("SELECT s.enabled, f.outcome, f.error, f.items_new,"
                   " s.next_poll_at > now(), s.failures FROM sources s"
                   " JOIN fetches f ON f.source_id = s.id"
                   " WHERE s.name = 'youtube-broken'")
    t.eq(row, [["t", "failed", "HTTP 500", "0", "t", "1"]],
         "a YouTube poll whose videos step fails is a failure, retried")
    t.eq(items(pg, "youtube-broken"), [],
         "and stores none of the search's items")
    t.ok(any(r[0].startswith("/youtube-broken/v3/videos?")
             for r in Api.requests),
         "the failing step was asked")

    row = pg.query("SELECT s.enabled, f.outcome FROM sources s JOIN "
                   "fetches f ON f.source_id = s.id WHERE s.name = "
                   "'youtube-denied'")
    t.eq(row, [["f", "denied"]], "a refused key disables its source")

    row = pg.query("SELECT f.outcome, extract(epoch FROM s.next_poll_at - "
                   "now())::int FROM sources s JOIN fetches f ON "
                   "f.source_id = s.id WHERE s.name = 'bsky-busy'")
    # Not before its Retry-After; later if failures back it off more.
    t.ok(len(row) == 1 and row[0][0] == "throttled" and
         115 < int(row[0][1]),
         f"a 429 throttles its source for its Retry-After: {row}")

    err = pg.scalar("SELECT f.error FROM fetches f JOIN sources s "
                    "ON s.id = f.source_id WHERE s.name = 'hn-broken'")
    t.ok(err is not None and "not JSON" in err,
         f"an answer that is not JSON is a failure said: {err!r}")

    t.eq(pg.scalar("SELECT count(DISTINCT s.name) FROM mentions m JOIN "
                   "sources s ON s.id = m.source_id"), "7",
         "the posts of every platform are matched like any item")

    p = vigie("inspect", "-c", conf, "youtube", timeout=60)
    t.exited(p, "inspect a YouTube source")
    t.ok("TechLyon" in p.stdout and "2 items" in p.stdout,
         f"inspect follows YouTube's steps: {p.stdout[-300:]!r}")

    # A token others may read is refused at start, like any secret.
    os.chmod(tmp / "x.token", 0o644)
    p = vigie("run", "-c", conf, "--once", timeout=60)
    t.ok(p.returncode != 0 and f"{tmp}/x.token" in p.stderr and
         "readable by others" in p.stderr,
         f"a token file others may read is refused: {p.stderr[-300:]!r}")
    os.chmod(tmp / "x.token", 0o600)

    bad = tmp / "bad.conf"
    bad.write_text('[source "yt"]\ntype = youtube\nquery = acme\n'
                   '[source "m"]\ntype = mastodon\ntag = acme\n')
    feed = tmp / "feed.conf"
    feed.write_text('[source "f"]\nurl = https://a.example/feed\n'
                    'tag = acme\n')
    for f, line, what in (
            (bad, 1, 'source "yt": type = youtube needs token_file'),
            (bad, 4, 'source "m": type = mastodon needs url'),
            (feed, 1, 'source "f": tag, query and account need')):
        os.chmod(f, 0o600)
        p = vigie("check", "-c", f)
        t.ok(p.returncode == 1 and f"{f}:{line}: {what}" in p.stderr,
             f"file:line for {what!r}: {p.stderr!r}")


if __name__ == "__main__":
    run_test("it_platforms", body)
