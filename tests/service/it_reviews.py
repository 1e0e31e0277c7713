"""
it_reviews.py - review pages read by their schema.org markup (type =
html, preset = reviews): a review site's JSON-LD and a shop's microdata
served on loopback, polled by the daemon against PostgreSQL: each review
stored with its rating on 0-1, the aggregates apart, the satisfaction
indicators in analytics.satisfaction; vigie discover names the preset
for a review page without a feed; vigie check refuses rules beside it.
"""

import os
import pathlib
import tempfile

from harness import FIXTURES, FixtureServer, Postgres, run_test, vigie

PAGES = {"/site/avis/": "trustpilot.html", "/site/shop/": "shop.html"}


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-reviews-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        for path, name in PAGES.items():
            srv.set_page(path, (FIXTURES / "reviews" / name).read_bytes())
        conf = pathlib.Path(tmp.name) / "vigie.conf"
        conf.write_text(f"""[database]
conninfo = {pg.conninfo}

[watch "acme"]
query = acme

[source "avis"]
type = html
preset = reviews
url = {srv.url("/site/avis/")}

[source "shop"]
type = html
preset = reviews
url = {srv.url("/site/shop/")}
""")
        os.chmod(conf, 0o600)
        t.exited(vigie("check", "-c", conf), "check accepts preset = reviews")
        t.exited(vigie("migrate", "-c", conf), "migrate")
        t.exited(vigie("run", "-c", conf, "--once", timeout=120),
                 "run --once")

        rows = pg.query(
            "SELECT s.name, round(i.rating::numeric, 3), i.rating_count "
            "FROM items i JOIN sources s ON s.id = i.source_id "
            "ORDER BY s.name, i.id")
        t.eq(rows, [["avis", "0.700", "1284"], ["avis", "0.000", None],
                    ["avis", "1.000", None], ["avis", "0.500", None],
                    ["shop", "0.689", "58"], ["shop", "0.900", None],
                    ["shop", "0.200", None]],
             "every review with its rating on 0-1, the aggregates with "
             "their counts")
        sat = pg.query("SELECT sum(reviews), sum(low), sum(stars_5), "
                       "round((sum(rating * reviews) / sum(reviews))"
                       "::numeric, 3) FROM analytics.satisfaction "
                       "WHERE watch = 'acme'")
        t.eq(sat, [["5", "2", "2", "0.520"]],
             "satisfaction: five reviews mention acme (aggregates apart), "
             "two of one or two stars, two of five, average 0.52")

        p = vigie("discover", srv.url("/site/avis/"))
        t.exited(p, "discover on a review page without a feed", want=1)
        t.ok("preset = reviews" in p.stderr and "4 reviews" in p.stderr,
             f"discover names the reviews preset: {p.stderr!r}")

        bad = pathlib.Path(tmp.name) / "bad.conf"
        bad.write_text('[source "x"]\ntype = html\npreset = reviews\n'
                       "url = https://a.example/\nitem = //div\n")
        os.chmod(bad, 0o600)
        p = vigie("check", "-c", bad)
        t.exited(p, "check refuses rules beside preset = reviews", want=1)
        t.ok(f"{bad}:1: source \"x\": preset = reviews" in p.stderr,
             f"said at its file:line: {p.stderr!r}")


if __name__ == "__main__":
    run_test("it_reviews", body)
