"""
it_dashboard.py - the dashboard in a real browser (Debian's Chromium,
headless) against a database the daemon filled: every page loads without
a console message, its numbers are the analytics views' answers for the
same filters, filters, pagination and CSV exports work, hostile titles do
nothing, and with logins: sign-in with a PostgreSQL role, sign-out, CSRF
refusal, an editor's correction and an analyst's refused one. Screenshots
of every page are left in $ARTEFACTS.
"""

import concurrent.futures
import csv
import http.client
import os
import pathlib
import re
import socket
import subprocess
import tempfile
import time
import urllib.parse

from browser import Browser
from harness import (FixtureServer, Postgres, daemon_log, rss_feed, rss_item,
                     run_test, start_daemon, vigie, wait_until, write_config)

# Markup as a feed's text (which the parser strips) and, escaped twice,
# as text that must stay text.
HOSTILE = ('&lt;img src=x onerror="window.pwned=1"&gt;'
           '&amp;lt;script&amp;gt;window.pwned=2&amp;lt;/script&amp;gt;'
           '&amp;lt;img src=x onerror="window.pwned=4"&amp;gt; Acme nul')


ITEMS = [
    rss_item("a1", "Acme est une arnaque, remboursez-nous").replace(
        "</item>", "<author>lea@example.org (L\u00e9a)</author></item>"),
    rss_item("a2", "Acme : service client de connards, bande d'abrutis"),
    rss_item("a3", "J'adore Acme, livraison parfaite et produit superbe"
             ).replace("</item>", "<author>max@example.org (Max)</author>"
                       "</item>"),
    rss_item("a4", HOSTILE, "javascript:window.pwned=3"),
    rss_item("a5", "=HYPERLINK(&quot;http://evil.example&quot;) Acme horrible",
         "data:text/html,x"),
    rss_item("g1", "Globex est génial, bravo"),
] + [rss_item(f"n{i}", f"Acme, nouvelle du jour numéro {i}") for i in range(60)]

CONFIG = """
[watch "Acme"]
query = acme
tags = brand
compare = market

[watch "Globex"]
query = globex
tags = competitor
compare = market
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dashboard(conf, port, *extra):
    proc = subprocess.Popen(
        [os.environ["VIGIE"], "dashboard", "-c", conf, "--listen",
         f"127.0.0.1:{port}", *extra],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("vigie dashboard: http://"):
        proc.kill()
        raise AssertionError(f"dashboard did not start: {line!r} "
                             f"{proc.stderr.read()}")
    return proc


def request(port, method, path, body=None, cookie=None):
    """One request as a script would send it: status, headers, body."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {}
    if body is not None:
        body = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = cookie
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read().decode("utf-8", "replace")
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def hold_watches(pg, seconds):
    """A transaction holding the table every page reads, for seconds:
    the dashboard's queries wait behind it. Returns the psql process once
    the lock is taken."""
    p = subprocess.Popen(
        ["psql", "-X", "-q", "-d", pg.conninfo, "-c",
         "BEGIN; LOCK TABLE watches IN ACCESS EXCLUSIVE MODE;"
         f" SELECT pg_sleep({seconds}); COMMIT;"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    wait_until(lambda: pg.scalar(
        "SELECT count(*) FROM pg_locks l JOIN pg_class c"
        " ON c.oid = l.relation WHERE c.relname = 'watches'"
        " AND l.mode = 'AccessExclusiveLock' AND l.granted") == "1",
        30, "the lock on watches")
    return p


def at_once(port, n, cookie=None):
    """n requests of /mentions sent together: their statuses, sorted."""
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        return sorted(pool.map(
            lambda _: request(port, "GET", "/mentions", cookie=cookie)[0],
            range(n)))


def cells(b, column):
    """The texts of a column of the page's first table, by heading."""
    return b.eval(f"""(() => {{
        const t = document.querySelector('main table');
        if (!t) return [];
        const heads = [...t.querySelectorAll('thead th')]
            .map(th => th.textContent);
        const i = heads.indexOf({column!r});
        return [...t.querySelectorAll('tbody tr')]
            .map(tr => tr.children[i].textContent);
    }})()""")


def body(t):
    art = pathlib.Path(os.environ.get("ARTEFACTS", tempfile.gettempdir()))
    art.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-dashboard-")
    with tmp, Postgres() as pg, FixtureServer() as srv, Browser() as b:
        srv.set_feed("forum.xml", rss_feed(ITEMS))
        conf = f"{tmp.name}/vigie.conf"
        write_config(conf, pg.conninfo,
                     {"forum": srv.url("/dynamic/forum.xml")})
        base_conf = pathlib.Path(conf).read_text() + CONFIG
        pathlib.Path(conf).write_text(base_conf)
        t.exited(vigie("migrate", "-c", conf), "migrate")
        t.exited(vigie("run", "-c", conf, "--once"), "run --once")
        pg.query("""
            INSERT INTO incidents (kind, watch_id, state, severity, reason,
                                   opened_at, peak_count)
            SELECT 'spike', id, 'firing', 'critical', 'poisson',
                   now() - interval '2 hours', 9
              FROM watches WHERE name = 'Acme';
            INSERT INTO incident_events (event_id, incident_id, state, at,
                                         window_count, window_total,
                                         expected, ratio, p_value)
            SELECT gen_random_uuid(), id, 'firing', opened_at, 9, 12, 1.5,
                   6, 0.0001 FROM incidents;
            INSERT INTO outbox (event_id, target, channel, destination,
                                content_type, body, delivered_at)
            SELECT event_id, 'ops', 'email', 'secret@example.org',
                   'text/plain', 'x', now() FROM incident_events""")
        views = {
            "mentions": int(pg.scalar(
                "SELECT sum(mentions) FROM analytics.mention_volume"
                " WHERE watch = 'Acme' AND day >= current_date - 29")),
            "negative": int(pg.scalar(
                "SELECT count(*) FROM analytics.mentions WHERE watch = 'Acme'"
                " AND label = 'negative' AND day >= current_date - 29")),
        }

        # --- the local user, read-only, on a loopback address ---
        port = free_port()
        dash = start_dashboard(conf, port)
        url = f"http://127.0.0.1:{port}"
        pages = {"overview": "/", "watch": "/watch?w=Acme",
                 "mentions": "/mentions", "incidents": "/incidents",
                 "sources": "/sources", "moderation": "/moderation"}
        for name, path in pages.items():
            b.messages.clear()
            status = b.goto(url + path)
            t.eq(status, 200, f"{name}: 200")
            t.eq(b.messages, [], f"{name}: no console message")
            t.ok(b.eval("document.querySelector('h1') !== null"),
                 f"{name}: a heading")
            b.screenshot(art / f"dashboard-{name}.png")
        t.eq(b.eval("window.pwned === undefined"), True,
             "hostile titles ran nothing")

        b.goto(url + "/")
        row = b.eval("""[...document.querySelectorAll('main tbody tr')]
            .map(tr => [...tr.children].map(td => td.textContent))
            .find(r => r[0] === 'Acme')""")
        t.eq(row[1] if row else None, str(views["mentions"]),
             "overview: Acme's mentions as analytics.mention_volume says")
        t.ok(b.eval("document.querySelector('main svg.spark') !== null"),
             "overview: a sparkline")
        t.eq(b.eval("document.querySelector('main tbody tr td').textContent"),
             "Acme", "overview: the watch with an open incident first")

        b.goto(url + "/watch?w=Acme")
        share = cells(b, "Part de voix")
        want = pg.query(
            "SELECT watch, round(sum(mentions) / sum(sum(mentions)) OVER ()"
            " * 100, 1) FROM analytics.share_of_voice"
            " WHERE compare_group = 'market' AND day >= current_date - 29"
            " GROUP BY watch ORDER BY sum(mentions) DESC, watch")
        t.eq(share, [f"{w[1].replace('.', ',')}\u00a0%" for w in want],
             "watch: share of voice as analytics.share_of_voice says")
        t.ok(b.eval("document.querySelector('svg.chart title')"
                    ".textContent.startsWith('Mentions par jour')"),
             "watch: an SVG chart with its title")
        t.ok(b.eval("document.querySelector('svg.chart g.mark') !== null"),
             "watch: the open incident on the time line")
        b.submit("document.querySelector('svg.chart a:last-of-type')"
                 ".dispatchEvent(new MouseEvent('click', {bubbles: true}))")
        t.ok(b.eval("document.querySelector('svg.chart title')"
                    ".textContent.startsWith('Mentions par heure')"),
             "watch: a day's bar leads to that day, hour by hour")
        t.eq(b.eval("document.querySelector('.figures strong')"
                    ".textContent"),
             pg.scalar("SELECT sum(mentions) FROM analytics.mention_volume"
                       " WHERE watch = 'Acme' AND day = current_date"),
             "watch: the day's mentions as analytics.mention_volume says")
        b.screenshot(art / "dashboard-watch-day.png")

        # Mentions: filters, pagination, links.
        b.goto(url + "/mentions?watch=Acme&tone=negative")
        t.eq(len(cells(b, "Titre")), views["negative"],
             "mentions: filtered by watch and tone, as analytics.mentions")
        t.eq(b.eval("document.querySelectorAll('main a[href^=\"javascript:\"],"
                    " main a[href^=\"data:\"]').length"), 0,
             "mentions: no javascript: or data: link")
        t.eq(b.eval("document.querySelectorAll('script').length"), 1,
             "mentions: no script but the dashboard's own")
        t.ok(b.eval("[...document.querySelectorAll('main td')]"
                    ".some(td => td.textContent.includes('<script>'))"),
             "mentions: the hostile title shown as text")
        b.goto(url + "/mentions?watch=Acme")
        first = cells(b, "Titre")
        t.eq(len(first), 50, "mentions: 50 to a page")
        status = b.submit("document.querySelector('a[rel=next]').click()")
        second = cells(b, "Titre")
        total = int(pg.scalar("SELECT count(*) FROM analytics.mentions"
                              " WHERE watch = 'Acme'"
                              " AND day >= current_date - 29"))
        t.eq((status, len(second)), (200, total - 50),
             "mentions: the next page holds the rest")
        t.eq(set(first) & set(second), set(), "mentions: no row twice")
        b.submit("document.querySelector('input[name=q]').value = "
                 "'arnaque'; document.querySelector('form.filters')"
                 ".submit()")
        t.eq(cells(b, "Titre"), ["Acme est une arnaque, remboursez-nous"],
             "mentions: full-text search")
        b.screenshot(art / "dashboard-mentions-search.png")
        author = pg.scalar("SELECT author FROM items WHERE guid = 'a1'")
        b.goto(url + "/mentions?watch=Acme&author="
               + urllib.parse.quote(author))
        t.eq((author != "", cells(b, "Titre")),
             (True, ["Acme est une arnaque, remboursez-nous"]),
             f"mentions: by author ({author!r})")

        status, headers, csv_text = request(
            port, "GET", "/mentions?watch=Acme&tone=negative&format=csv"
            "&sep=%3B")
        rows = csv_text.lstrip("\ufeff").rstrip("\r\n").split("\r\n")
        t.ok(status == 200 and csv_text.startswith("\ufeffDate;Veille;"),
             f"CSV: a byte order mark, ';' between cells: {csv_text[:30]!r}")
        head = rows[0].lstrip("\ufeff").split(";")
        sites = {r[head.index("Site")] for r in
                 csv.reader(rows[1:], delimiter=";")}
        t.eq((head[5:7], sites <= set(r[0] for r in pg.query(
                  "SELECT family FROM sources"))),
             (["Source", "Site"], True),
             f"CSV: each mention's site after its source: {sites}")
        t.ok("attachment" in headers.get("content-disposition", ""),
             "CSV: a download")
        t.eq(len(rows) - 1, views["negative"], "CSV: the filtered rows")
        titles = [r[2] for r in csv.reader(rows[1:], delimiter=";")]
        t.ok(any(x.startswith("'=HYPERLINK") for x in titles)
             and not any(x.startswith("=") for x in titles),
             f"CSV: a formula is neutralised: {titles}")

        status, headers, page = request(port, "GET", "/incidents")
        t.ok("p-valeur" in page and "<td>remise</td>" in page
             and "secret@example.org" not in page,
             "incidents: the figures and the delivery, not the address")
        csp = headers.get("content-security-policy", "")
        t.ok("script-src 'self'" in csp and "unsafe-inline" not in csp,
             f"a Content-Security-Policy without inline script: {csp}")
        status, _, _ = request(port, "POST", "/moderate",
                               {"item": "1", "watch": "1",
                                "action": "positive"})
        t.eq(status, 403, "the local user may not correct")
        t.eq(pg.scalar("SELECT count(*) FROM mentions"
                       " WHERE label_override IS NOT NULL"), "0",
             "nothing was corrected")
        for bad in ("/mentions?days=0", "/mentions?from=2026-02-31",
                    "/mentions?story=1;DROP", "/watch",
                    "/mentions?to=9999-12-31", "/mentions?from=0099-01-01",
                    "/mentions?story=" + "9" * 30):
            status, _, _ = request(port, "GET", bad)
            t.eq(status, 400, f"{bad}: a bad request")
        status, _, _ = request(port, "GET", "/watch?w=Nope")
        t.eq(status, 404, "an unknown watch: not found")
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("GET", "/mentions", headers={"Host": "evil.example"})
        r = c.getresponse()
        r.read()
        c.close()
        t.eq(r.status, 421, "without logins, a foreign Host is refused "
             "(DNS rebinding)")
        status, _, csv_text = request(
            port, "GET", "/watch?w=Acme&list=sources&format=csv")
        want = pg.query("SELECT source, coalesce(via, site), sum(mentions),"
                        " sum(negative), sum(positive)"
                        " FROM analytics.source_volume WHERE watch = 'Acme'"
                        " AND day >= current_date - 29 GROUP BY 1, 2"
                        " ORDER BY 3 DESC, 1, 2")
        t.eq((status, csv_text.split("\r\n")[1:-1]),
             (200, [",".join(w) for w in want]),
             "a watch's list of sources as CSV, as analytics.source_volume")
        for key, sign in (("ambassadors", 1), ("detractors", -1)):
            status, _, csv_text = request(
                port, "GET", f"/watch?w=Acme&list={key}&format=csv")
            want = pg.query(
                "SELECT author FROM analytics.author_volume"
                " WHERE watch = 'Acme' AND day >= current_date - 29"
                " GROUP BY author, coalesce(via, site) HAVING"
                f" {sign}"
                " * (sum(positive) - sum(negative)) > 0")
            got = [r[0] for r in csv.reader(csv_text.lstrip("\ufeff")
                                            .split("\r\n")[1:-1])]
            t.eq((status, sorted(got), len(want) > 0),
                 (200, sorted(w[0] for w in want), True),
                 f"a watch's {key} as CSV, as analytics.author_volume")
        status, _, _ = request(port, "GET",
                               "/watch?w=Acme&list=nope&format=csv")
        t.eq(status, 400, "an unknown list: a bad request")
        status, _, csv_text = request(port, "GET", "/?format=csv")
        t.ok(status == 200 and "\r\nAcme," in csv_text,
             "the overview exports as CSV")

        # The database goes away and comes back: said, then served again.
        pg.stop()
        status, _, page = request(port, "GET", "/mentions")
        t.ok(status == 503 and "base de donn" in page,
             f"the database down: 503, said ({status})")
        pg.start()
        status, _, _ = request(port, "GET", "/mentions")
        t.eq(status, 200, "the database back: served again")
        pg.restart()
        status, _, _ = request(port, "GET", "/mentions")
        t.eq(status, 200, "the database restarted between two pages: the "
             "first page after it is served")
        # Requests held up by the database: a bounded queue, the rest
        # answered at once rather than left waiting.
        lock = hold_watches(pg, 6)
        statuses = at_once(port, 40)
        lock.wait(timeout=60)
        t.eq((statuses.count(200), statuses.count(503)), (32, 8),
             "40 requests while the database waits: 32 queued and served,"
             " 8 refused at once (503)")
        status, _, _ = request(port, "GET", "/mentions")
        t.eq(status, 200, "the queue drained: served again")
        dash.terminate()
        t.eq(dash.wait(timeout=30), 0, "the dashboard stops on SIGTERM")

        # A zone half an hour off UTC: the hours still hold the day.
        pathlib.Path(conf).write_text(
            base_conf + "\n[dashboard]\ntz = Asia/Kolkata\n")
        port = free_port()
        dash = start_dashboard(conf, port)
        b.goto(f"http://127.0.0.1:{port}/watch?w=Acme&days=1")
        desc = b.eval("document.querySelector('svg.chart desc').textContent")
        day = pg.scalar("SELECT sum(mentions) FROM analytics.mention_volume"
                        " WHERE watch = 'Acme' AND day = current_date")
        t.eq(sum(int(n) for n in re.findall(r"(\d+) ", desc)), int(day),
             f"Asia/Kolkata: the day's hours hold its {day} mentions "
             f"({desc})")
        dash.terminate()
        dash.wait(timeout=30)

        p = vigie("dashboard", "-c", conf, "--listen",
                  f"0.0.0.0:{free_port()}", timeout=30)
        t.exited(p, "no logins on a public address", want=1)
        t.ok("logins = yes" in p.stderr, f"said why: {p.stderr!r}")
        pathlib.Path(conf).write_text(
            base_conf + "\n[dashboard]\ntz = Mars/Olympus_Mons\n")
        p = vigie("dashboard", "-c", conf, "--listen",
                  f"127.0.0.1:{free_port()}", timeout=30)
        t.exited(p, "a zone that does not exist", want=1)
        t.ok("unknown tz 'Mars/Olympus_Mons'" in p.stderr,
             f"said where and which: {p.stderr!r}")

        # --- logins: PostgreSQL roles, asked for their password ---
        pg.query("CREATE ROLE ed LOGIN PASSWORD 'ed-secret'"
                 " IN ROLE vigie_editor;"
                 " CREATE ROLE an LOGIN PASSWORD 'an-secret'"
                 " IN ROLE vigie_analyst")
        hba = pg.data / "pg_hba.conf"
        hba.write_text("local all vigie trust\n"
                       "local all all scram-sha-256\n")
        pg._pg("pg_ctl", "-D", str(pg.data), "reload")
        time.sleep(0.5)
        pathlib.Path(conf).write_text(
            base_conf + "\n[dashboard]\nlogins = yes\nlang = en\n")
        port = free_port()
        dash = start_dashboard(conf, port)
        url = f"http://127.0.0.1:{port}"
        b.messages.clear()
        b.goto(url + "/mentions")
        t.eq(b.eval("location.pathname"), "/login",
             "signed out: sent to the sign-in page")
        t.eq(b.messages, [], "sign-in page: no console message")
        b.screenshot(art / "dashboard-login.png")

        def sign_in(user, password):
            """Signs in through the page's form as a user would, waiting
            out the throttle (429) that earlier failures from this
            address set; the status of the page reached."""
            for _ in range(20):
                if b.eval("location.pathname") != "/login":
                    b.goto(url + "/login")
                status = b.submit(
                    f"document.querySelector('input[name=user]').value = "
                    f"{user!r}; document.querySelector("
                    f"'input[name=password]').value = {password!r};"
                    f" document.querySelector('form.login').submit()")
                if status != 429:
                    return status
                time.sleep(1)
            return status

        def form_token():
            return re.search(r'name="csrf" value="([0-9a-f]+)"',
                             request(port, "GET", "/login")[2]).group(1)

        def post_login(user, password, headers=None):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request("POST", "/login", body=urllib.parse.urlencode(
                {"csrf": form_token(), "user": user,
                 "password": password}),
                headers={"Content-Type":
                         "application/x-www-form-urlencoded",
                         **(headers or {})})
            r = c.getresponse()
            r.read()
            c.close()
            return r.status, r.getheader("Retry-After")

        t.eq(sign_in("ed", "wrong"), 401, "a wrong password: refused")
        status, after = post_login("ed", "ed-secret")
        t.ok(status == 429 and after and int(after) >= 1,
             f"right after a failure, even the right password waits "
             f"(429, Retry-After {after})")
        # Guesses sent at once: one reaches the database, the others
        # wait, and the right password among them gets no answer.
        time.sleep(2)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            tries = list(pool.map(lambda i: post_login("an", f"guess{i}")[0],
                                  range(8)))
        t.ok(tries.count(401) <= 1 and tries.count(429) >= 7,
             f"parallel guesses: one tried, the others told to wait: "
             f"{sorted(tries)}")
        status, _ = post_login("an", "an-secret")
        t.eq(status, 429, "the right password in the wait: not tried")
        status, _ = post_login("ed", "ed-secret",
                               {"Origin": "http://evil.example"})
        t.eq(status, 403, "a sign-in posted from another site: refused")
        status, _ = post_login("ed", "ed-secret",
                               {"Sec-Fetch-Site": "cross-site"})
        t.eq(status, 403, "a cross-site form, as the browser says: refused")
        status, _, _ = request(port, "POST", "/login",
                               {"csrf": "0" * 64, "user": "ed",
                                "password": "ed-secret"})
        t.eq(status, 403, "sign-in without the form's token: refused")
        status, _, _ = request(port, "POST", "/login",
                               {"csrf": "0", "user": "x" * 100000})
        t.eq(status, 413, "a body over the limit: refused before reading")
        t.eq(sign_in("vigie", "anything"), 401,
             "a role let in without its password (trust) cannot sign in")

        # Sessions are connections: a role holds a few at most.
        for _ in range(6):
            for _ in range(20):
                status, _ = post_login("ed", "ed-secret")
                if status != 429:
                    break
                time.sleep(1)
        held = pg.scalar("SELECT count(*) FROM pg_stat_activity"
                         " WHERE usename = 'ed'"
                         " AND application_name = 'vigie dashboard'")
        t.eq((status, held), (303, "4"),
             "six sign-ins of one role hold four connections")

        # ... and all roles together 32 at most: the oldest goes first.
        roles = [f"r{i}" for i in range(9)]
        pg.query(";".join(f"CREATE ROLE {r} LOGIN PASSWORD '{r}-secret'"
                          " IN ROLE vigie_analyst" for r in roles))
        signed = [post_login(r, f"{r}-secret")[0]
                  for r in roles for _ in range(4)]
        held = pg.scalar("SELECT count(*) FROM pg_stat_activity"
                         " WHERE application_name = 'vigie dashboard'")
        t.eq((signed.count(303), held), (36, "32"),
             "36 more sign-ins of nine roles: every one let in, 32"
             " connections held in all")

        # An analyst reads, and may not correct.
        t.eq(sign_in("an", "an-secret"), 200, "the analyst signs in")
        cookie = next((c for c in b.cookies()
                       if c["name"] == "vigie_session"), None)
        t.ok(cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
             and not cookie["secure"],
             f"the session cookie is HttpOnly, SameSite=Strict: {cookie}")
        b.goto(url + "/moderation")
        t.eq(b.eval("document.querySelectorAll('form.edit').length"), 0,
             "an analyst is offered no correction")
        t.ok(b.eval("document.querySelector('.who').textContent") == "an",
             "the role signed in is shown")
        jar = f"vigie_session={cookie['value']}"
        lock = hold_watches(pg, 6)
        statuses = at_once(port, 8, cookie=jar)
        lock.wait(timeout=60)
        t.eq((statuses.count(200), statuses.count(503)), (4, 4),
             "eight requests of one session while the database waits:"
             " four served, four refused at once (503)")
        token = b.eval("document.querySelector('form.out input[name=csrf]')"
                       ".value")
        jar = f"vigie_session={cookie['value']}"
        item_id, watch_id = pg.query(
            "SELECT item_id, watch_id FROM analytics.mentions"
            " WHERE abusive AND watch = 'Acme' LIMIT 1")[0]
        status, _, _ = request(port, "POST", "/moderate",
                               {"csrf": token, "item": item_id,
                                "watch": watch_id, "action": "positive"},
                               cookie=jar)
        t.eq(status, 403, "the database refuses the analyst's correction")
        b.submit("document.querySelector('form.out').submit()")
        t.eq(b.eval("location.pathname"), "/login", "signed out")
        status, headers, _ = request(port, "GET", "/", cookie=jar)
        t.eq((status, headers.get("location")), (303, "/login"),
             "the old session is gone")

        # An editor corrects a tone, marks a mention handled.
        t.eq(sign_in("ed", "ed-secret"), 200, "the editor signs in")
        b.messages.clear()
        b.goto(url + "/moderation")
        t.eq(b.messages, [], "moderation: no console message")
        b.screenshot(art / "dashboard-moderation-editor.png")
        waiting = int(pg.scalar("SELECT count(*) FROM analytics.mentions"
                                " WHERE abusive AND NOT handled"
                                " AND day >= current_date - 29"))
        t.eq(len(cells(b, "Title")), waiting,
             "moderation: the abusive mentions waiting")
        t.eq(b.submit(f"""(() => {{
            const f = [...document.querySelectorAll('form.edit')].find(f =>
                f.item.value === '{item_id}' && f.watch.value === '{watch_id}');
            f.action.value = 'positive'; f.submit(); }})()"""), 200,
             "the editor's correction is sent")
        t.eq(pg.query("SELECT label_override, corrected_by FROM mentions"
                      f" WHERE item_id = {item_id} AND watch_id = {watch_id}"),
             [["positive", "ed"]], "the tone corrected, by ed")
        t.eq(pg.scalar("SELECT label FROM analytics.mentions"
                       f" WHERE item_id = {item_id}"
                       f" AND watch_id = {watch_id}"), "positive",
             "the views count the corrected tone")
        token = b.eval("document.querySelector('form.out input[name=csrf]')"
                       ".value")
        jar = "vigie_session=" + next(c["value"] for c in b.cookies()
                                      if c["name"] == "vigie_session")
        status, _, _ = request(port, "POST", "/moderate",
                               {"csrf": "f" * 64, "item": item_id,
                                "watch": watch_id, "action": "handled"},
                               cookie=jar)
        t.eq(status, 403, "a form without the session's token: refused")
        status, _, _ = request(port, "POST", "/moderate",
                               {"csrf": token, "item": item_id,
                                "watch": watch_id, "action": ""},
                               cookie=jar)
        t.eq(status, 400, "a form without an action: a bad request")
        status, headers, _ = request(
            port, "POST", "/moderate",
            {"csrf": token, "item": item_id, "watch": watch_id,
             "action": "handled", "back": "//evil.example/"}, cookie=jar)
        t.eq((status, headers.get("location")), (303, "/moderation"),
             "handled; sent back to the dashboard, not elsewhere")
        t.eq(pg.query("SELECT handled, handled_by FROM mentions"
                      f" WHERE item_id = {item_id} AND watch_id = {watch_id}"),
             [["t", "ed"]], "marked handled, by ed")
        b.goto(url + "/moderation")
        t.eq(len(cells(b, "Title")), waiting - 1,
             "a handled mention leaves the queue")
        dash.terminate()
        t.eq(dash.wait(timeout=30), 0,
             "with sessions open, the dashboard stops cleanly")

        # --- the daemon serves it beside /metrics, as the daemon's role ---
        pg.query("CREATE ROLE svc LOGIN IN ROLE vigie_daemon")
        base_conf = base_conf.replace(pg.conninfo,
                                      pg.conninfo.replace("user=vigie",
                                                          "user=svc"))
        pathlib.Path(conf).write_text(base_conf.replace(
            "[daemon]\n", f"[daemon]\nlisten = 0.0.0.0:{free_port()}\n"))
        d = start_daemon(conf)
        rc = d.wait(timeout=60)
        said = daemon_log(d)
        d.cleanup()
        t.ok(rc != 0 and "logins = yes" in said,
             f"the daemon refuses a public listener without logins "
             f"({rc}): {said[-300:]!r}")
        port = free_port()
        pathlib.Path(conf).write_text(base_conf.replace(
            "[daemon]\n", f"[daemon]\nlisten = 127.0.0.1:{port}\n"))
        hba.write_text("local all all trust\n")
        pg._pg("pg_ctl", "-D", str(pg.data), "reload")
        d = start_daemon(conf)
        try:
            wait_until(lambda: _up(port), 60, "the daemon's listener")
            for path in ("/", "/watch?w=Acme", "/mentions", "/incidents",
                         "/sources", "/moderation"):
                status, _, page = request(port, "GET", path)
                t.eq(status, 200, f"the daemon serves {path} as its role")
            t.ok("Vue d'ensemble" in request(port, "GET", "/")[2],
                 "the daemon serves the dashboard")
            status, _, text = request(port, "GET", "/metrics")
            t.ok(status == 200 and "vigie_" in text,
                 "and /metrics beside it")
        finally:
            d.terminate()
            d.wait(timeout=30)
            t.eq(d.returncode, 0, "the daemon stops cleanly: "
                 + daemon_log(d)[-2000:] if d.returncode else
                 "the daemon stops cleanly")
            d.cleanup()


def _up(port):
    try:
        return request(port, "GET", "/healthz")[0] in (200, 503)
    except OSError:
        return False


run_test("it_dashboard", body)
