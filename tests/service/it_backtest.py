"""
it_backtest.py - `vigie backtest` replays the detector over stored
mentions: a burst in the history is reported as the incident it would have
raised, a quiet watch as none, and bad arguments as a usage error.
"""

import email.utils
import pathlib
import tempfile
import time

from harness import (FixtureServer, Postgres, burst_items, rss_feed, run_test,
                     vigie, write_config)


def feed(now):
    items = []
    # Three scattered negatives (the older ones published more than a
    # window before they were first seen: backlog, not counted), then a
    # burst of twenty-two in the last twenty minutes.
    for i in range(3):
        t = email.utils.formatdate(now - 3300 + i * 600, usegmt=True)
        items.append(f"<item><guid>calm-{i}</guid><title>Acme : livraison en "
                     f"retard, pas content</title><pubDate>{t}</pubDate>"
                     "</item>")
    items += burst_items(now, 1200)
    return rss_feed(items)


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-backtest-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        conf = f"{tmp.name}/vigie.conf"
        now = time.time()
        srv.set_feed("forum.xml", feed(now))
        write_config(conf, pg.conninfo, {"forum": srv.url("/dynamic/forum.xml")})
        text = pathlib.Path(conf).read_text()
        text += ('\n[watch "Acme"]\nquery = acme\n'
                 '\n[watch "Globex"]\nquery = globex\n'
                 "\n[detect]\nbucket = 1m\nwindow = 30m\n")
        pathlib.Path(conf).write_text(text)
        t.exited(vigie("migrate", "-c", conf), "migrate")
        t.exited(vigie("run", "-c", conf, "--once"), "run --once")

        day = time.strftime("%Y-%m-%d", time.gmtime(now - 86400))
        until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 60))
        p = vigie("backtest", "-c", conf, "--watch", "Acme", "--from", day,
                  "--to", until)
        t.exited(p, "backtest Acme")
        lines = p.stdout.splitlines()
        fired = [l for l in lines if " FIRED " in l]
        t.eq(len(fired), 1, f"one incident replayed: {p.stdout!r}")
        t.ok(fired and "reason=cold" in fired[0],
             f"a new watch's burst is a cold-start incident: {fired}")
        t.eq(lines[-1] if lines else None, "1 incident", "summary line")
        # What the daemon raised itself is what the replay says.
        t.eq(pg.scalar("SELECT count(*) FROM incidents"), "1",
             "the daemon's --once raised the same incident")

        # Editors' corrections count: with ten of the burst's mentions
        # dismissed as off-topic, the window stays under the threshold;
        # turned negative by hand, neutral mentions count again.
        pg.query("UPDATE mentions SET dismissed = true WHERE item_id IN "
                 "(SELECT id FROM items WHERE guid LIKE 'burst-%' "
                 "ORDER BY id LIMIT 10)")
        p = vigie("backtest", "-c", conf, "--watch", "Acme", "--from", day,
                  "--to", until)
        t.ok(p.stdout.endswith("0 incidents\n"),
             f"dismissed mentions are not counted: {p.stdout!r}")
        pg.query("UPDATE mentions SET dismissed = false")
        pg.query("UPDATE mentions SET label_override = 'neutral'")
        p = vigie("backtest", "-c", conf, "--watch", "Acme", "--from", day,
                  "--to", until)
        t.ok(p.stdout.endswith("0 incidents\n"),
             f"an editor's tone replaces the detected one: {p.stdout!r}")
        pg.query("UPDATE mentions SET label_override = NULL")

        p = vigie("backtest", "-c", conf, "--watch", "Globex", "--from", day,
                  "--to", until)
        t.exited(p, "backtest Globex")
        t.ok(p.stdout.endswith("0 incidents\n"),
             f"a watch with no mentions: {p.stdout!r}")

        # The times people type: the day before and now, in English and
        # in French, give the same replay.
        replays = {}
        for words in (("-1d", "now"), ("hier", "maintenant"),
                      ("yesterday", "now")):
            p = vigie("backtest", "-c", conf, "--watch", "Acme", "--from",
                      words[0], "--to", words[1])
            t.exited(p, f"backtest --from {words[0]} --to {words[1]}")
            replays[words] = [l.split(" ", 1)[1] for l in p.stdout.splitlines()
                              if " FIRED " in l]
            t.ok(p.stdout.endswith("1 incident\n"),
                 f"--from {words[0]} --to {words[1]}: {p.stdout!r}")
        t.ok(replays[("-1d", "now")] == replays[("hier", "maintenant")]
             and replays[("-1d", "now")] == [f.split(" ", 1)[1]
                                             for f in fired],
             f"the same incident however the period is said: {replays}")
        p = vigie("backtest", "-c", conf, "--watch", "Acme", "--from",
                  "tomorrow", "--to", "now")
        t.ok("--from tomorrow: not a time" in p.stderr,
             f"a time it cannot read is named: {p.stderr!r}")

        for args in (["--watch", "Acme", "--from", "tomorrow", "--to", until],
                     ["--watch", "Acme", "--from", until, "--to", day],
                     ["--from", day, "--to", until]):
            p = vigie("backtest", "-c", conf, *args)
            t.exited(p, f"backtest {args}", want=2)
            t.ok("usage" in p.stderr, f"usage shown for {args}")


run_test("it_backtest", body)
