"""
it_watch_detect.py - watches with detector settings of their own: over the
same mentions, a watch with the common thresholds raises an incident, one
with a big brand's thresholds does not, and one counted on a grid of its
own (another bucket and window) is detected in the same --once run.
`vigie backtest` replays each watch with its own settings and agrees. A
running daemon, reloaded with a watch's settings changed, detects with the
new ones.
"""

import json
import pathlib
import signal
import tempfile
import time

from harness import (FixtureServer, Postgres, burst_items, daemon_log,
                     rss_feed, run_test, start_daemon, vigie, wait_until,
                     write_config)


def feed(now):
    # Twenty-two negatives between twenty-five and seven minutes ago: an
    # obvious crisis for a new watch (cold start: 20 in a window), not for
    # a brand whose ordinary day looks like that. The newest is older
    # than the longest bucket (5 minutes), so that every one of them is in
    # a finished bucket whatever the time of the run: the detector judges
    # finished buckets only.
    return rss_feed(burst_items(now, 1500))


def once_and_backtest(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-watch-detect-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        conf = f"{tmp.name}/vigie.conf"
        now = time.time()
        srv.set_feed("forum.xml", feed(now))
        write_config(conf, pg.conninfo, {"forum": srv.url("/dynamic/forum.xml")})
        text = pathlib.Path(conf).read_text()
        text += ('\n[watch "niche"]\nquery = acme\n'
                 '\n[watch "big"]\nquery = acme\n'
                 "cold_threshold = 100\nmin_count = 40\n"
                 '\n[watch "hourly"]\nquery = acme\n'
                 "bucket = 5m\nwindow = 1h\n"
                 "\n[detect]\nbucket = 1m\nwindow = 30m\n")
        pathlib.Path(conf).write_text(text)
        t.exited(vigie("check", "-c", conf), "check")
        t.exited(vigie("migrate", "-c", conf), "migrate")
        t.exited(vigie("run", "-c", conf, "--once"), "run --once")

        fired = pg.scalar(
            "SELECT string_agg(w.name || ':' || i.reason, ',' ORDER BY w.name)"
            " FROM incidents i JOIN watches w ON w.id = i.watch_id")
        t.eq(fired, "hourly:cold,niche:cold",
             "the same mentions: an incident under the common thresholds, "
             "on either grid, none under the big brand's")

        day = time.strftime("%Y-%m-%d", time.gmtime(now - 86400))
        until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 60))
        for watch, want, grid in (("niche", "1 incident", "bucket 60s, "
                                   "window 1800s"),
                                  ("big", "0 incidents", "bucket 60s, "
                                   "window 1800s"),
                                  ("hourly", "1 incident", "bucket 300s, "
                                   "window 3600s"),
                                  # No longer configured: [detect]'s.
                                  ("gone", "0 incidents", "bucket 60s, "
                                   "window 1800s")):
            p = vigie("backtest", "-c", conf, "--watch", watch, "--from", day,
                      "--to", until)
            t.exited(p, f"backtest {watch}")
            lines = p.stdout.splitlines()
            t.ok(lines and lines[0].endswith(grid),
                 f"{watch} replayed on its own grid: {p.stdout!r}")
            t.eq(lines[-1] if lines else None, want,
                 f"{watch}: the replay agrees with the daemon")



def window_count(pg):
    """The negatives in the window of the only watch's saved track."""
    track = pg.scalar("SELECT track FROM detector_tracks")
    return sum(json.loads(track)["window"]) if track else 0


def reload(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-watch-detect-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        conf = f"{tmp.name}/vigie.conf"
        srv.set_feed("forum.xml", feed(time.time()))
        write_config(conf, pg.conninfo, {"forum": srv.url("/dynamic/forum.xml")},
                     interval="10s")
        base = pathlib.Path(conf).read_text()
        # Short buckets, so that cycles come every few seconds, and a
        # window of half an hour: the burst stays in it, and the watch in
        # its first window, for the whole test.
        watch = ('\n[watch "acme"]\nquery = acme\n{}'
                 "\n[detect]\nbucket = 10s\nwindow = 30m\n")
        pathlib.Path(conf).write_text(
            base + watch.format("cold_threshold = 100\nmin_count = 40\n"))
        t.exited(vigie("migrate", "-c", conf), "migrate")
        # The daemon's role cannot read the saved tracks when it starts:
        # it says so and reads them again until it can.
        pg.query("CREATE ROLE vigie_run LOGIN IN ROLE vigie_daemon;"
                 "REVOKE SELECT ON detector_tracks FROM vigie_daemon")
        pathlib.Path(conf).write_text(pathlib.Path(conf).read_text().replace(
            "user=vigie", "user=vigie_run"))
        base = base.replace("user=vigie", "user=vigie_run")
        d = start_daemon(conf)
        wait_until(lambda: "the saved tracks could not be read"
                   in daemon_log(d), 30, "the tracks' reading refused")
        pg.query("GRANT SELECT ON detector_tracks TO vigie_daemon")
        wait_until(lambda: window_count(pg) >= 22, 60,
                   "the burst counted in the watch's window")
        t.eq(pg.scalar("SELECT count(*) FROM incidents"), "0",
             "no incident under the big brand's thresholds")

        pathlib.Path(conf).write_text(base + watch.format(""))
        d.send_signal(signal.SIGHUP)
        wait_until(lambda: pg.scalar("SELECT count(*) FROM incidents") == "1",
                   60, "an incident under the thresholds reloaded")
        t.eq(pg.scalar("SELECT reason FROM incidents"), "cold",
             "the same counts, the common cold-start threshold")
        d.terminate()
        t.eq(d.wait(timeout=30), 0, "SIGTERM: exit 0")


def body(t):
    once_and_backtest(t)
    reload(t)


run_test("it_watch_detect", body)
