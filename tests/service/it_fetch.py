"""
it_fetch.py - `vigie run --once` against one source per HTTP behaviour, and
what each leaves in the database: items, fetch outcome, validators,
backoff, throttling, disabling, limits and hostile feeds.
"""

import re
import tempfile
import time

from harness import (FixtureServer, Postgres, file_etag, run_test, vigie,
                     write_config)

UA = "vigie-it/1.0 (+https://acme.example/monitoring)"
SIZE_WORDS = re.compile(r"max_body|size|limit|too (large|big)|exceed", re.I)
ANY = object()


def sources(srv):
    u = srv.url
    return {
        # The query tells its requests apart from the redirect chains'.
        "rss": u("/feeds/rss.xml?src=rss"),
        "lastmod": u("/lastmod/atom.xml"),
        "noetag": u("/noetag/rdf.xml"),
        "json": u("/feeds/feed.json"),
        "gzip": u("/gzip/atom.xml"),
        "redirect3": u("/redirect/3/rss.xml"),
        "redirect5": u("/redirect/5/rss.xml"),
        "redirect6": u("/redirect/6/rss.xml"),
        "loop": u("/redirect-loop"),
        "to-file": u("/redirect-scheme/file"),
        "to-ftp": u("/redirect-scheme/ftp"),
        "s404": u("/status/404"),
        "s410": u("/status/410"),
        "s500": u("/status/500"),
        "s429": u("/status/429?retry_after=3000"),
        "s503": u("/status/503?retry_after=1800"),
        "endless": u("/endless"),
        "lying": u("/lying-length"),
        "xxe": u("/feeds/xxe.xml"),
        "xxe-net": u("/dynamic/xxe-net.xml"),
        "laughs": u("/feeds/billion-laughs.xml"),
        "cp1252": u("/feeds/cp1252.xml"),
        "noguid": u("/feeds/noguid.xml"),
        "deep": u("/dynamic/deep.xml"),
    }


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-fetch-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        # An external entity pointing back at us: fetching it would show
        # up as a request for /xxe-probe.
        srv.set_feed("xxe-net.xml", f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY probe SYSTEM "{srv.url('/xxe-probe')}">]>
<rss version="2.0"><channel><title>probe</title>
<item><title>Acme network probe &probe;</title><guid>net-1</guid></item>
</channel></rss>
""")
        # One item nested past libxml2's limit, which stops its parser:
        # the items after it must still be read.
        srv.set_feed("deep.xml", '<?xml version="1.0"?>'
                     '<rss version="2.0"><channel><title>deep</title>'
                     + "".join(f"<item><guid>deep-{n}</guid>"
                               f"<title>Acme {w}</title><description>"
                               + ("<x>" * 1000 + "</x>" * 1000
                                  if w == "two" else "fine")
                               + "</description></item>"
                               for n, w in enumerate(("one", "two",
                                                      "three")))
                     + "</channel></rss>")
        conf = f"{tmp.name}/vigie.conf"
        write_config(conf, pg.conninfo, sources(srv), timeout="10s",
                     max_body="256k", per_host=2, user_agent=UA)
        if not t.exited(vigie("migrate", "-c", conf), "vigie migrate"):
            return

        t0 = time.time()
        t.exited(vigie("run", "-c", conf, "--once", timeout=90),
                 "first run --once")
        first = snapshot(pg)
        if not check_first_run(t, pg, srv, t0, first):
            return

        srv.reset_peak()
        t.exited(vigie("run", "-c", conf, "--once", timeout=90),
                 "second run --once")
        check_second_run(t, pg, srv, first)

        check_timeout(t, pg, srv, tmp.name)
        check_per_host(t, pg, srv, tmp.name)


def snapshot(pg):
    """Per source: its row, its items and its latest fetch."""
    snap = {}
    for s in pg.dicts("FROM sources",
                      "id, name, enabled, disabled_reason, failures, etag, "
                      "last_modified, last_status, last_error, "
                      "extract(epoch FROM next_poll_at) AS next_poll"):
        s["items"] = pg.dicts(f"FROM items WHERE source_id = {s['id']}",
                              "identity, guid, link, title, summary, content")
        fetches = pg.dicts(f"FROM fetches WHERE source_id = {s['id']} "
                           "ORDER BY started_at DESC, id DESC",
                           "outcome, http_status, error, final_url, bytes")
        s["fetch"] = fetches[0] if fetches else {}
        s["nfetches"] = len(fetches)
        snap[s["name"]] = s
    return snap


def titles(src):
    return [i["title"] or "" for i in src["items"]]


def check_first_run(t, pg, srv, t0, snap):
    now = time.time()
    missing = [n for n in sources(srv) if n not in snap]
    if not t.eq(missing, [], "sources missing from the database"):
        return False
    for name in snap:
        t.eq(snap[name]["nfetches"], 1, f"{name}: fetches recorded")

    def ok(name, count, title):
        s = snap[name]
        t.eq(s["fetch"].get("outcome"), "ok",
             f"{name}: outcome (error {s['fetch'].get('error')!r})")
        t.eq(s["fetch"].get("http_status"), "200", f"{name}: http_status")
        t.eq(len(s["items"]), count, f"{name}: items stored")
        t.ok(title in titles(s), f"{name}: title {title!r} in {titles(s)}")
        t.eq(s["failures"], "0", f"{name}: failures")

    def failed(name, pattern, status=ANY):
        s = snap[name]
        f = s["fetch"]
        t.eq(f.get("outcome"), "failed", f"{name}: outcome")
        if status is not ANY:
            t.eq(f.get("http_status"), status, f"{name}: http_status")
        t.ok(re.search(pattern, f.get("error") or ""),
             f"{name}: error {f.get('error')!r} should match /{pattern}/")
        t.eq(s["failures"], "1", f"{name}: failures")
        t.ok(float(s["next_poll"]) > now,
             f"{name}: next_poll_at pushed into the future")
        t.eq(s["items"], [], f"{name}: items")

    ok("rss", 3, "Acme opens a factory in Lyon")
    ok("lastmod", 2, "Les patins-fusées Acme de retour en magasin")
    ok("noetag", 2, "My Acme giant magnet stopped working")
    ok("json", 2, "Review: the Acme portable hole, five stars")
    ok("gzip", 2, "Acme s'engage pour des enclumes recyclées")
    ok("redirect3", 3, "Acme anvils win a design award")
    ok("redirect5", 3, "Acme anvils win a design award")
    ok("noguid", 2, "Acme customer service praised on a radio show")

    t.eq(snap["rss"]["etag"], file_etag("rss.xml"), "rss: stored ETag")
    t.ok(snap["lastmod"]["last_modified"], "lastmod: Last-Modified stored")
    t.ok(snap["gzip"]["fetch"].get("bytes") not in (None, "0"),
         "gzip: bytes recorded")
    accepts = [r["headers"].get("accept-encoding", "")
               for r in srv.requests_for("/gzip/atom.xml")]
    t.ok(accepts and "gzip" in accepts[0],
         f"gzip: Accept-Encoding sent ({accepts})")
    t.ok("atom.xml" in srv.gzip_served, "gzip: answer was gzip-encoded")

    for name in ("redirect3", "redirect5"):
        final = snap[name]["fetch"].get("final_url") or ""
        t.ok(final.endswith("/feeds/rss.xml"),
             f"{name}: final_url {final!r} is the end of the chain")
    failed("redirect6", r"(?i)redirect")
    failed("loop", r"(?i)redirect")
    failed("to-file", r"(?i)protocol|scheme|file")
    failed("to-ftp", r"(?i)protocol|scheme|ftp")

    failed("s404", r".", "404")
    failed("s500", r".", "500")
    t.eq(snap["s404"]["last_status"], "404", "s404: last_status")

    s = snap["s410"]
    t.eq(s["fetch"].get("outcome"), "gone", "s410: outcome")
    t.eq(s["enabled"], "f", "s410: enabled")
    t.ok(s["disabled_reason"], "s410: disabled_reason set")

    for name, wait in (("s429", 3000), ("s503", 1800)):
        s = snap[name]
        t.eq(s["fetch"].get("outcome"), "throttled", f"{name}: outcome")
        t.eq(s["fetch"].get("http_status"), name[1:], f"{name}: http_status")
        t.ok(float(s["next_poll"]) >= t0 + wait - 5,
             f"{name}: next_poll_at {float(s['next_poll']) - t0:.0f}s after "
             f"the run, Retry-After said {wait}s")

    for name in ("endless", "lying"):
        f = snap[name]["fetch"]
        t.eq(f.get("outcome"), "failed", f"{name}: outcome")
        t.ok(SIZE_WORDS.search(f.get("error") or ""),
             f"{name}: error {f.get('error')!r} should name the size limit")
        t.ok(int(f.get("bytes") or 0) <= 2 * 256 * 1024,
             f"{name}: {f.get('bytes')} bytes kept, cap is 256k")
        t.eq(snap[name]["items"], [], f"{name}: items")

    everything = [v or "" for s in snap.values() for i in s["items"]
                  for v in i.values()]
    t.ok(not any("root:" in v for v in everything),
         "no item text contains /etc/passwd contents")
    t.eq(srv.hits("/xxe-probe"), 0, "external entity over HTTP not fetched")
    t.ok(all(len(v) < 100000 for v in everything),
         "no giant text stored (billion laughs stayed unexpanded)")
    t.ok(snap["xxe"]["fetch"].get("outcome") in ("ok", "failed"),
         "xxe: fetch recorded")
    # libxml2 stops on the entity loop: said, not silent.
    t.eq(snap["laughs"]["fetch"].get("outcome"), "partial",
         "laughs: fetch recorded as partly read")
    deep = snap["deep"]
    t.eq((deep["fetch"].get("outcome"), deep["failures"],
          sorted(titles(deep))),
         ("partial", "0", ["Acme one", "Acme three", "Acme two"]),
         "deep: every item kept around the one nested too deep, the fetch"
         " recorded as partial")
    t.ok("partly read" in (deep["fetch"].get("error") or "")
         and "depth" in (deep["last_error"] or ""),
         f"deep: the reason recorded: {deep['fetch'].get('error')!r}")
    t.eq(pg.scalar("SELECT last_success_at IS NOT NULL FROM sources"
                   " WHERE name = 'deep'"), "t",
         "deep: a partial read counts as a success")

    cp = snap["cp1252"]
    t.eq(cp["fetch"].get("outcome"), "ok", "cp1252: outcome")
    title = titles(cp)[0] if cp["items"] else ""
    t.ok("Acme" in title and "lancement" in title and "\ufffd" not in title,
         f"cp1252: readable title {title!r}")

    agents = {r["headers"].get("user-agent") for r in srv.requests}
    t.eq(agents, {UA}, "User-Agent of every request")
    t.ok(srv.peak <= 2, f"per_host = 2: server saw {srv.peak} at once")
    return True


def check_second_run(t, pg, srv, first):
    snap = snapshot(pg)
    for name in ("rss", "lastmod"):
        s = snap[name]
        t.eq(s["nfetches"], 2, f"{name}: fetches after two runs")
        t.eq(s["fetch"].get("outcome"), "not_modified",
             f"{name}: second outcome")
        t.eq(s["fetch"].get("http_status"), "304", f"{name}: second status")
        t.eq(len(s["items"]), len(first[name]["items"]),
             f"{name}: items after a 304")
    reqs = srv.requests_for("/feeds/rss.xml?src=rss")
    t.eq(reqs[-1]["headers"].get("if-none-match"), first["rss"]["etag"],
         "rss: If-None-Match on the second run")
    reqs = srv.requests_for("/lastmod/atom.xml")
    t.eq(reqs[-1]["headers"].get("if-modified-since"),
         first["lastmod"]["last_modified"],
         "lastmod: If-Modified-Since on the second run")
    for name in ("noetag", "json", "gzip", "noguid", "cp1252"):
        t.eq(len(snap[name]["items"]), len(first[name]["items"]),
             f"{name}: items not duplicated by a second run")
    t.eq(srv.hits("/status/410"), 1, "410: not requested again")
    t.eq(snap["s410"]["nfetches"], 1, "410: no second fetch recorded")
    t.ok(srv.peak <= 2, f"per_host = 2: server saw {srv.peak} at once")


def check_timeout(t, pg, srv, tmp):
    conf = f"{tmp}/slow.conf"
    write_config(conf, pg.conninfo, {"slow": srv.url("/slow?seconds=20")},
                 timeout="2s", user_agent=UA)
    start = time.monotonic()
    p = vigie("run", "-c", conf, "--once", timeout=60)
    took = time.monotonic() - start
    t.exited(p, "slow: run --once")
    t.ok(took < 20, f"slow: run took {took:.1f}s with timeout = 2s")
    f = snapshot(pg).get("slow", {}).get("fetch", {})
    t.eq(f.get("outcome"), "failed", "slow: outcome")
    t.ok(re.search(r"(?i)time", f.get("error") or ""),
         f"slow: error {f.get('error')!r} should mention the timeout")


def check_per_host(t, pg, srv, tmp):
    conf = f"{tmp}/perhost.conf"
    # Each answer takes 0.4s: four of them would overlap unless the daemon
    # queues them behind one connection.
    srcs = {f"same-host-{i}": srv.url(f"/feeds/rss.xml?delay=0.4&n={i}")
            for i in range(4)}
    write_config(conf, pg.conninfo, srcs, per_host=1, concurrency=8,
                 user_agent=UA)
    srv.reset_peak()
    t.exited(vigie("run", "-c", conf, "--once", timeout=60),
             "per_host: run --once")
    for i in range(4):
        t.eq(srv.hits(f"/feeds/rss.xml?delay=0.4&n={i}"), 1,
             f"per_host: source {i} fetched")
    t.eq(srv.peak, 1, "per_host = 1: most requests in flight at once")


if __name__ == "__main__":
    run_test("it_fetch", body)
