"""
it_report.py - `vigie report` against a database the daemon filled: the
figures of every format are the analytics views' answers for the same
days, the brand's share of voice is among the watches it is compared
with, hostile titles and links stay text in HTML, CSV and Markdown, and
what the command cannot do it says.
"""

import csv
import io
import os
import pathlib
import shutil
import subprocess
import tempfile
import time

from harness import (FixtureServer, Postgres, rss_feed, rss_item, run_test,
                     vigie, write_config)

HOSTILE = ("=HYPERLINK(&quot;http://evil.example&quot;) &amp;lt;script&amp;gt;"
           "alert(1)&amp;lt;/script&amp;gt; | Acme, horrible arnaque")


ITEMS = [
    rss_item("a1", "Acme est une arnaque, remboursez-nous"),
    rss_item("a2", "Acme : service client odieux, je suis furieux"),
    rss_item("a3", "J'adore Acme, livraison parfaite et produit superbe"),
    rss_item("a4", HOSTILE, "javascript:alert(1)"),
    rss_item("a5", "Acme, quelle horreur ce produit", "data:text/html,x"),
    rss_item("g1", "Globex est génial, bravo"),
]

CONFIG = """
[watch "Acme"]
query = acme
tags = brand
compare = market

[watch "Globex"]
query = globex
tags = competitor
compare = market

[watch "Acme - plaintes"]
query = acme AND (arnaque OR odieux)
tags = brand, complaints
"""


def report(conf, *args):
    return vigie("report", "-c", conf, "--from", "today", "--to", "now",
                 *args)


def csv_rows(text, sep=","):
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")),
                               delimiter=sep))


def figures(rows, watch):
    return {r["label"]: (r["value"], r["previous"]) for r in rows
            if r["watch"] == watch and r["section"] == "figure"}


def chromium(*args):
    """Debian's chromium, headless; as root it needs --no-sandbox."""
    return subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
         "--hide-scrollbars", "--enable-logging=stderr", "--v=0", *args],
        capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL)


def check_browser(t, page, pg, today):
    """The page as Chromium reads it: parsed whole, no console message,
    the figures there; a screenshot and a PDF left as artefacts."""
    if shutil.which("chromium") is None:
        t.ok(False, "chromium is installed (scripts/setup.sh installs it)")
        return
    p = chromium("--dump-dom", page.as_uri())
    t.ok(p.returncode == 0 and p.stdout.rstrip().endswith("</html>"),
         f"Chromium reads the page whole (exit {p.returncode})")
    t.ok("CONSOLE" not in p.stderr, "no console message: "
         + "\n".join(l for l in p.stderr.splitlines() if "CONSOLE" in l))
    mentions = pg.scalar("SELECT sum(mentions) FROM analytics.mention_volume"
                         f" WHERE watch = 'Acme' AND day = '{today}'")
    t.ok(f'<td class="n">{mentions}</td>' in p.stdout,
         f"the browser shows Acme's {mentions} mentions")
    art = pathlib.Path(os.environ.get("ARTEFACTS", page.parent))
    art.mkdir(parents=True, exist_ok=True)
    shot, pdf = art / "report.png", art / "report.pdf"
    for f in (shot, pdf):
        f.unlink(missing_ok=True)
    chromium("--window-size=1000,1600", f"--screenshot={shot}",
             page.as_uri())
    chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}",
             page.as_uri())
    t.ok(shot.exists() and shot.stat().st_size > 10000,
         f"a screenshot of the report: {shot}")
    t.ok(pdf.exists() and pdf.read_bytes().startswith(b"%PDF"),
         f"the report printed to PDF: {pdf}")


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-report-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        srv.set_feed("forum.xml", rss_feed(ITEMS))
        conf = f"{tmp.name}/vigie.conf"
        write_config(conf, pg.conninfo,
                     {"forum": srv.url("/dynamic/forum.xml")})
        pathlib.Path(conf).write_text(pathlib.Path(conf).read_text()
                                      + CONFIG)
        t.exited(vigie("migrate", "-c", conf), "migrate")
        t.exited(vigie("run", "-c", conf, "--once"), "run --once")
        today = time.strftime("%Y-%m-%d")

        # An incident of the day, and one over before the period began.
        pg.query("INSERT INTO incidents (kind, watch_id, state, severity,"
                 " reason, opened_at, resolved_at, peak_count)"
                 " SELECT 'spike', id, 'resolved', s, r, o, o + interval"
                 " '30 minutes', p FROM watches, (VALUES"
                 "  ('critical', 'cold', date_trunc('day', now()), 12),"
                 "  ('warning', 'poisson', now() - interval '3 days', 7))"
                 " AS x(s, r, o, p) WHERE name = 'Acme'")

        # CSV: every figure is the views' answer for the same days.
        p = report(conf, "--format", "csv")
        t.exited(p, "report --format csv")
        t.ok(p.stdout.startswith("\ufeffwatch,section,rank,label"),
             f"CSV: a byte order mark, then the header: {p.stdout[:60]!r}")
        rows = csv_rows(p.stdout)
        for watch in ("Acme", "Globex", "Acme - plaintes"):
            want = pg.query(
                "SELECT coalesce(sum(mentions), 0), coalesce(sum(negative),"
                " 0), coalesce(sum(neutral), 0), coalesce(sum(positive), 0)"
                "  FROM analytics.mention_volume"
                f" WHERE watch = '{watch}' AND day >= '{today}'"
                f"   AND day < '{today}'::date + 1")[0]
            got = figures(rows, watch)
            t.eq([got.get(k, ("?",))[0] for k in
                  ("mentions", "negative", "neutral", "positive")],
                 want, f"{watch}: counts as analytics.mention_volume says")
            t.eq([got.get(k, ("?", "?"))[1] for k in
                  ("mentions", "negative")], ["0", "0"],
                 f"{watch}: nothing the day before")
        share = pg.scalar(
            "SELECT round(sum(mentions) FILTER (WHERE watch = 'Acme')"
            "             / sum(mentions), 4)"
            "  FROM analytics.share_of_voice WHERE compare_group = 'market'"
            f"   AND day = '{today}'")
        t.eq(str(round(float(figures(rows, "Acme")["share_of_voice"][0]), 4)),
             str(float(share)), "Acme's share of voice, against Globex")
        t.eq(figures(rows, "Acme - plaintes")["share_of_voice"][0], "",
             "a sub-watch compared with nothing has no share of voice")
        days = [r for r in rows if r["watch"] == "Acme"
                and r["section"] == "day"]
        t.eq([(r["label"], r["mentions"]) for r in days],
             [(today, figures(rows, "Acme")["mentions"][0])],
             "one row per day of the period")
        worst = [r for r in rows if r["watch"] == "Acme"
                 and r["section"] == "top_negative"]
        want = pg.query("SELECT title FROM analytics.negative_mentions"
                        f" WHERE watch = 'Acme' AND day = '{today}'"
                        " ORDER BY sentiment, at DESC, item_id LIMIT 5")
        # Which a spreadsheet would run is shown, behind an apostrophe.
        t.eq([r["label"] for r in worst],
             ["'" + w[0] if w[0].startswith("=") else w[0] for w in want],
             "the most negative mentions, as analytics.negative_mentions")
        t.eq([(r["label"], r["site"], r["value"], r["opened"][:10])
              for r in rows if r["section"] == "incident"],
             [("cold", "critical", "12", today)],
             "the incidents of the period, not those over before it")
        hostile = [r for r in rows if r["label"].startswith("'=HYPERLINK")]
        t.ok(hostile, "a title that a spreadsheet would run is neutralised: "
             f"{[r['label'] for r in rows if 'HYPERLINK' in r['label']]}")
        t.ok(not [r for r in rows if r["label"].startswith("=")],
             "no cell starts a formula")

        p = report(conf, "--format", "csv", "--sep", ";", "--watch", "Acme")
        t.exited(p, "report --sep ';' --watch Acme")
        t.eq({r["watch"] for r in csv_rows(p.stdout, ";")}, {"Acme"},
             "--watch: that watch alone, ';'-separated")

        # HTML: self-contained, escaped, links only where they are http.
        out = pathlib.Path(tmp.name) / "report.html"
        p = report(conf, "--format", "html", "-o", str(out))
        t.exited(p, "report --format html -o FILE")
        html = out.read_text() if out.exists() else ""
        t.ok(html.startswith("<!DOCTYPE html>") and 'lang="fr"' in html,
             "HTML: a French document")
        t.ok("Rapport de veille" in html and "Part de voix" in html,
             "HTML: in French")
        t.ok('<svg xmlns="http://www.w3.org/2000/svg"' in html
             and 'role="img"' in html, "HTML: an accessible inline chart")
        t.ok("<script" not in html, "HTML: no script, a title's included")
        t.ok("&lt;script&gt;alert(1)&lt;/script&gt;" in html,
             "HTML: the hostile title shown as text")
        t.ok('href="javascript:' not in html and 'href="data:' not in html,
             "HTML: only http and https links")
        t.ok('href="https://forum.example/a1"' in html,
             "HTML: an http link is a link")
        t.ok(not any(x in html for x in ("src=", "<link", "@import", "url(")),
             "HTML: nothing fetched from elsewhere")
        t.ok("@media print" in html and "size:A4" in html,
             "HTML: a print style for A4")
        t.ok("<td>critique</td><td>veille nouvelle" in html,
             "HTML: the incident in words")

        check_browser(t, out, pg, today)

        # Markdown, in English.
        p = report(conf, "--format", "md", "--lang", "en", "--tag",
                   "competitor")
        t.exited(p, "report --format md --lang en --tag competitor")
        t.ok(p.stdout.startswith("# Monitoring report"), "Markdown, English")
        t.ok("## Globex" in p.stdout and "## Acme" not in p.stdout,
             f"--tag: the tagged watches alone: {p.stdout[:300]!r}")
        p = report(conf, "--format", "md", "--watch", "Acme")
        t.ok("\\| Acme" in p.stdout and "\\<script\\>" in p.stdout,
             "Markdown: a hostile title's | and < escaped")

        # What it cannot do, it says.
        p = report(conf, "--watch", "Nope")
        t.exited(p, "an unknown watch", want=1)
        t.ok('no watch named "Nope"' in p.stderr, f"named: {p.stderr!r}")
        for args, what in ((["--format", "pdf"], "--format pdf"),
                           (["--lang", "de"], "--lang de"),
                           (["--sep", "|"], "--sep |")):
            p = report(conf, *args)
            t.exited(p, what, want=2)
            t.ok(what in p.stderr, f"{what} named: {p.stderr!r}")
        p = report(conf, "-o", "/nonexistent/dir/report.html")
        t.exited(p, "-o where nothing can be written", want=1)
        t.ok("/nonexistent/dir/report.html" in p.stderr,
             f"the file named: {p.stderr!r}")
        gone = f"{tmp.name}/gone.conf"
        pathlib.Path(gone).write_text(pathlib.Path(conf).read_text().replace(
            pg.conninfo, f"host={tmp.name}/nowhere dbname=vigie user=vigie"))
        pathlib.Path(gone).chmod(0o600)
        p = report(gone)
        t.exited(p, "a database that cannot be reached", want=1)
        t.ok("connect" in p.stderr, f"said: {p.stderr!r}")
        # A role that may not read the views: the query's refusal, said.
        pg.query("CREATE ROLE outsider LOGIN")
        barred = f"{tmp.name}/barred.conf"
        pathlib.Path(barred).write_text(pathlib.Path(conf).read_text()
                                        .replace("user=vigie",
                                                 "user=outsider"))
        pathlib.Path(barred).chmod(0o600)
        p = report(barred)
        t.exited(p, "a role the database refuses", want=1)
        t.ok("permission denied" in p.stderr, f"said: {p.stderr!r}")
        p = vigie("report", "-c", conf, "--from", "-4y", "--to", "now")
        t.exited(p, "a period longer than three years", want=2)
        p = vigie("report", "-c", conf, "--from", "today", "--to",
                  "yesterday")
        t.exited(p, "--to before --from", want=2)
        p = vigie("report", "-c", conf, "--from", "today")
        t.exited(p, "no --to", want=2)


run_test("it_report", body)
