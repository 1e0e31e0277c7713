"""
it_commands.py - the commands that reach a server, when it is not there
or says no: vigie migrate and vigie backtest with no database, vigie
discover on a page that answers 404 and on a port where nothing listens,
on a forum with no feed, on a page whose declared feeds work or not, and
on a saved page; vigie inspect when the feed found on a page fails.
Each says why, starting "vigie: ", and exits 1; libpq's messages end
with a newline (and may hold a hint on a second line), which must not
leave an empty line behind. And vigie run when it may not start its
threads: it names the ones it could not start, and why.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile

from harness import FixtureServer, run_test, vigie, vigie_path, write_config


def says_why(t, p, start, what):
    """p exited 1 and its stderr starts with start, with no empty line."""
    t.exited(p, what, want=1)
    t.ok(p.stderr.startswith(start) and p.stderr.endswith("\n") and
         "" not in p.stderr[:-1].split("\n"),
         f"{what}: a message starting {start!r}, no empty line: "
         f"{p.stderr!r}")


def threads_refused(t):
    """vigie run as nobody under a limit of one process for that user
    (RLIMIT_NPROC, which root would not be held to): no thread can start.
    Polling once it stops at the threads that read answers; as a daemon,
    at the one that renders reports, which it starts first."""
    nobody = pwd.getpwnam("nobody")
    with tempfile.TemporaryDirectory(prefix="vigie-it-threads-") as tmp:
        # Where nobody may go: the binary, its configuration, its spool.
        os.chmod(tmp, 0o755)
        exe = shutil.copy(vigie_path(), tmp)
        os.chmod(exe, 0o755)
        conf = os.path.join(tmp, "vigie.conf")
        with open(conf, "w") as f:
            f.write(f"[database]\nconninfo = host={tmp}/nothing "
                    f"dbname=vigie\n[daemon]\nspool = {tmp}/spool\n"
                    "[source \"x\"]\nurl = http://127.0.0.1:9/feed.xml\n")
        os.chmod(conf, 0o600)
        os.chown(conf, nobody.pw_uid, nobody.pw_gid)
        os.chown(tmp, nobody.pw_uid, nobody.pw_gid)
        env = dict(os.environ)
        # LeakSanitizer checks from a thread of its own at exit.
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
        for once, which in ((["--once"], "the threads that read answers"),
                            ([], "the thread that renders reports")):
            p = subprocess.run(["runuser", "-u", "nobody", "--", "prlimit",
                                "--nproc=1", exe, "run", "-c", conf, *once],
                               env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=60)
            what = f"run {' '.join(once)} with no thread allowed"
            t.exited(p, what, want=1)
            t.ok(f"cannot start {which}: Resource temporarily unavailable"
                 in p.stderr and "started" not in p.stderr,
                 f"{what}: names {which} and why: {p.stderr!r}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def body(t):
    with tempfile.TemporaryDirectory(prefix="vigie-it-commands-") as tmp:
        # A socket directory where no server runs.
        conf = write_config(os.path.join(tmp, "vigie.conf"),
                            f"host={tmp}/nothing dbname=vigie "
                            "connect_timeout=5", {})
        p = vigie("migrate", "-c", conf)
        says_why(t, p, "vigie: migrate: cannot connect to the database: ",
                 "migrate without a database")
        t.eq(p.stdout, "", "migrate without a database: nothing applied")
        p = vigie("backtest", "-c", conf, "--watch", "Acme", "--from",
                  "2026-01-01", "--to", "2026-01-02")
        says_why(t, p, "vigie: cannot connect to the database: ",
                 "backtest without a database")
        t.eq(p.stdout, "", "backtest without a database: no figures")

    threads_refused(t)

    srv = FixtureServer().start()
    url = srv.url("/site/none/")
    p = vigie("discover", url)
    says_why(t, p, f"vigie: {url}: HTTP 404", "discover on a 404")
    t.eq(p.stdout, "", "discover on a 404: no feed listed")
    url = f"http://127.0.0.1:{free_port()}/"
    p = vigie("discover", url)
    says_why(t, p, f"vigie: {url}: ", "discover with nothing listening")
    try:
        pages(t, srv)
    finally:
        srv.stop()


PHPBB = """<!DOCTYPE html><html><head><title>Forum</title></head>
<body id="phpbb"><p>Bienvenue</p></body></html>"""

DECLARES = """<!DOCTYPE html><html><head><title>Blog</title>
<link rel="alternate" type="application/rss+xml" title="Broken"
 href="/feeds/none.xml">
<link rel="alternate" type="application/atom+xml" title="Posts"
 href="/feeds/atom.xml">
</head><body></body></html>"""


def pages(t, srv):
    """discover checks what it offers; a page with none exits 1 and names
    the preset for its engine; a saved page reads with --base; inspect
    fails when the feed found on a page does."""
    srv.set_page("/site/forum/", PHPBB)
    url = srv.url("/site/forum/")
    p = vigie("discover", url)
    t.exited(p, "discover on a forum without feeds", want=1)
    t.eq(p.stdout, "", "no guess offered unchecked")
    t.ok(f"{url}: no feed found" in p.stderr and "preset = phpbb" in
         p.stderr, f"says so and names the preset: {p.stderr!r}")
    t.ok(any(r["route"].startswith("/site/forum/") and
             r["route"] != "/site/forum/" for r in srv.requests),
         "the guesses were fetched to be checked")

    srv.set_page("/site/blog/", DECLARES)
    p = vigie("discover", srv.url("/site/blog/"))
    t.exited(p, "discover on a page declaring a working feed")
    t.eq(p.stdout, f"atom\t{srv.url('/feeds/atom.xml')}\tPosts\t2 items\n",
         "only the feed that answers is offered, with its items")
    t.ok("/feeds/none.xml: declared, but not a feed" in p.stderr,
         f"the broken declared feed is said: {p.stderr!r}")

    with tempfile.TemporaryDirectory(prefix="vigie-it-commands-") as tmp:
        saved = os.path.join(tmp, "blog.html")
        with open(saved, "w") as f:
            f.write(DECLARES)
        p = vigie("discover", "--base", srv.url("/site/blog/"), saved)
        t.exited(p, "discover on a saved page")
        t.ok(p.stdout.startswith(f"atom\t{srv.url('/feeds/atom.xml')}\t"),
             f"a saved page's links resolved against --base: {p.stdout!r}")
        p = vigie("discover", os.path.join(tmp, "missing.html"))
        t.exited(p, "discover on a file that is not there", want=1)

        conf = write_config(os.path.join(tmp, "vigie.conf"), "", {
            "blog": srv.url("/site/broken/")})
        srv.set_page("/site/broken/", DECLARES.replace(
            'href="/feeds/atom.xml"', 'href="/feeds/gone.xml"').replace(
            'href="/feeds/none.xml"', 'href="/feeds/gone2.xml"'))
        p = vigie("inspect", "-c", conf, "blog")
        t.exited(p, "inspect when the feed found on the page fails", want=1)


if __name__ == "__main__":
    run_test("it_commands", body)
