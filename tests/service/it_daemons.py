"""
it_daemons.py - three daemons on one database, the one that leads
detection killed with SIGKILL: no source is polled twice within its
interval, every source is polled again within one interval of the kill
(the dead daemon's leases are void at once), and an incident raised before
the kill and one raised after it are each raised once and notified once.
"""

import email.utils
import json
import os
import pathlib
import signal
import tempfile
import time

from harness import (FixtureServer, Postgres, TestFailure, daemon_log,
                     run_test, start_daemon, vigie, wait_until)
from sinks import WebhookReceiver

DAEMONS = 3
SOURCES = 18
INTERVAL = 10   # [poll] interval, seconds
DELAY = 2       # each feed answers after this long: leases are held


def item(guid, title):
    date = email.utils.formatdate(usegmt=True)
    return (f"<item><guid>{guid}</guid><title>{title}</title>"
            f"<link>https://forum.example/{guid}</link>"
            f"<pubDate>{date}</pubDate></item>")


def rss(items):
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
            "<channel><title>f</title><language>en</language>"
            + "".join(items) + "</channel></rss>")


def burst(word, n=12):
    """n angry posts about word, dated now: a spike for its watch."""
    return [item(f"{word}-{i}", f"{word} is a scam, awful and broken #{i}")
            for i in range(n)]


def write_conf(path, pg, srv, hook, agent):
    sources = "".join(
        f'[source "s{k}"]\nurl = {srv.url(f"/dynamic/s{k}.xml?delay={DELAY}")}\n\n'
        for k in range(SOURCES))
    pathlib.Path(path).write_text(f"""[database]
conninfo = {pg.conninfo}

[daemon]
log_level = debug

[poll]
interval = {INTERVAL}s
timeout = 5s
user_agent = {agent}

[detect]
bucket = 10s
window = 1m
min_count = 3
cold_threshold = 8
resolve_after = 10s
cooldown = 30s

[notify "hook"]
webhook = {hook.url("/hook")}

[watch "alpha"]
query = alpha
notify = hook

[watch "beta"]
query = beta
notify = hook

{sources}""")
    os.chmod(path, 0o600)


def firing(hook, watch):
    out = []
    for r in hook.received("/hook", delivered=True):
        body = json.loads(r["body"])
        if body.get("watch") == watch and body.get("state") == "firing":
            out.append(body)
    return out


def incidents(pg, watch):
    return int(pg.scalar(
        "SELECT count(*) FROM incidents i JOIN watches w "
        f"ON w.id = i.watch_id WHERE w.name = '{watch}'"))


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-daemons-")
    with tmp, Postgres() as pg, FixtureServer() as srv, \
            WebhookReceiver() as hook:
        for k in range(SOURCES):
            srv.set_feed(f"s{k}.xml", rss([item(f"s{k}-0", f"post {k}")]))
        confs = []
        for n in range(DAEMONS):
            confs.append(f"{tmp.name}/vigie{n}.conf")
            write_conf(confs[n], pg, srv, hook, f"vigie-test/{n}")
        if not t.exited(vigie("migrate", "-c", confs[0]), "migrate"):
            return
        procs = []
        for c in confs:
            procs.append(start_daemon(c))
            time.sleep(0.3)
        try:
            scenario(t, pg, srv, hook, procs)
        except TestFailure:
            for n, p in enumerate(procs):
                print(f"--- daemon {n} log (tail) ---\n" + "\n".join(
                    line for line in daemon_log(p).splitlines()
                    if "not modified" not in line)[-3000:])
            raise


def scenario(t, pg, srv, hook, procs):
    paths = [f"/dynamic/s{k}.xml" for k in range(SOURCES)]
    wait_until(lambda: all(srv.hits(p) >= 2 for p in paths), 60,
               "every source polled twice")
    leaders = wait_until(
        lambda: [n for n, p in enumerate(procs)
                 if "now runs detection" in daemon_log(p)], 20,
        "a daemon to lead detection")
    t.eq(len(leaders), 1, "one daemon leads detection")
    t.eq(pg.scalar("SELECT count(*) FROM daemon_leader"), "1",
         "daemon_leader shows the one leading")

    # A spike while all three run: raised once, notified once.
    srv.set_feed("s0.xml", rss(burst("alpha")))
    wait_until(lambda: firing(hook, "alpha"), 90, "alpha's notification")

    # The leader dies mid-run; a spike comes right after.
    dead = leaders[0]
    killed_at = time.time()
    procs[dead].send_signal(signal.SIGKILL)
    procs[dead].wait()
    srv.set_feed("s1.xml", rss(burst("beta")))
    wait_until(lambda: firing(hook, "beta"), 90,
               "beta's notification after the leader's death")
    wait_until(lambda: time.time() > killed_at + 2 * INTERVAL + DELAY, 60,
               "two intervals after the kill")
    new_leaders = [n for n, p in enumerate(procs)
                   if n != dead and "now runs detection" in daemon_log(p)]
    t.eq(len(new_leaders), 1, "one survivor took the lead")

    t.eq(incidents(pg, "alpha"), 1, "alpha's incident raised once")
    t.eq(incidents(pg, "beta"), 1, "beta's incident raised once")
    t.eq(len(firing(hook, "alpha")), 1, "alpha notified once")
    t.eq(len(firing(hook, "beta")), 1, "beta notified once")

    dead_agent = f"vigie-test/{dead}"
    too_close, late = [], []
    for path in paths:
        reqs = srv.requests_for(path)
        # The dead daemon's last requests, in flight or not yet stored
        # when it died, are polled again at once: not a double poll.
        kept = [r for r in reqs
                if not (r["headers"].get("user-agent") == dead_agent
                        and r["time"] > killed_at - DELAY - 2)]
        times = sorted(r["time"] for r in kept)
        gaps = [b - a for a, b in zip(times, times[1:])]
        if gaps and min(gaps) < INTERVAL / 2:
            too_close.append((path, round(min(gaps), 1)))
        after = [r["time"] - killed_at for r in reqs
                 if r["time"] >= killed_at
                 and r["headers"].get("user-agent") != dead_agent]
        if not after or min(after) > INTERVAL + DELAY + 3:
            late.append((path, round(min(after), 1) if after else None))
    t.eq(too_close, [], "no source polled twice within its interval")
    t.eq(late, [], "every source polled again within one interval of the "
         "kill")
    survivors = {r["headers"].get("user-agent") for p in paths
                 for r in srv.requests_for(p) if r["time"] > killed_at + 5}
    t.eq(sorted(survivors), sorted(f"vigie-test/{n}" for n in range(DAEMONS)
                                   if n != dead),
         "both survivors poll")


if __name__ == "__main__":
    run_test("it_daemons", body)
