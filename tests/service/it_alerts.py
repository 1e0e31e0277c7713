"""
it_alerts.py - detection and alerting through the daemon, end to end: feeds
that change while `vigie run` polls them, a real SMTP server and real
webhook receivers (tests/sinks.py).

One daemon, one timeline, four watches with a target each, so that the
cases share their waiting:

- quiet: a few scattered negative mentions raise nothing, while the
  source that fails twice in a row raises a source alert to [poll]'s
  target;
- burst: twelve negative mentions of each watch. Acme's incident is
  delivered by email and webhook, on time, signed, and with hostile
  titles (CR/LF, HTML, non-ASCII) unable to add a header or break the
  JSON. Globex's receiver answers 500, then refuses connections, then
  recovers: one delivery per event id. Initech's receiver is down when
  the incident fires; the daemon is killed with SIGKILL before delivery
  and restarted: one delivery per event id, nothing recorded twice.
  Umbrella's burst, on a French source, is angry and partly a rumour:
  its French target's email and webhook name the dominant emotion
  ("colère", "anger") and the rumours;
- the end of the burst resolves Acme's incident and sends the
  resolution, and the source that recovered sends its own.

Retries start 30 s after a failure. Rather than wait, the test moves
outbox.next_attempt_at to now() once a failure is recorded (and, after
the SIGKILL, clears the dead daemon's leases): it simulates the time
passing, and the daemon's own code decides what happens next.
"""

import collections
import email.utils
import json
import pathlib
import signal
import tempfile
import time

from harness import (FixtureServer, Postgres, TestFailure, daemon_log,
                     run_test, start_daemon, vigie, wait_until, write_config)
from sinks import (EVENT_HEADER, SIGNATURE_HEADER, SmtpSink, WebhookReceiver,
                   free_port, verified)

SECRET = b"correct horse battery staple"
POLL = 10       # [poll] interval, seconds
BUCKET = 10     # [detect] bucket, seconds
ON_TIME = 2 * POLL + BUCKET + 8
TEAM = ["alerts@example.com", "comms@example.com"]
# What alert_email writes, and nothing else: a title cannot add one.
EMAIL_HEADERS = {"from", "to", "subject", "date", "message-id",
                 "mime-version", "auto-submitted", "content-type"}
HOSTILE = ("Acme total scam&#13;&#10;Bcc: victim@evil.example&#13;&#10;"
           "&#13;&#10;&lt;b&gt;awful&lt;/b&gt; &amp;lt;script&amp;gt; &amp;amp; "
           "été 😡 №{n}")

ITEM = """<item><guid>{guid}</guid><title>{title}</title>
<link>https://news.example/{guid}</link><pubDate>{date}</pubDate>
<description>{text}</description>{author}</item>"""


def rss(items, lang="en"):
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">'
            "<channel><title>News</title><link>https://news.example/</link>"
            f"<language>{lang}</language>\n" + "\n".join(items) +
            "\n</channel></rss>\n")


def item(guid, title, text, author=None):
    # Dated now: counted in the bucket being filled.
    return ITEM.format(guid=guid, title=title, text=text,
                       date=email.utils.formatdate(usegmt=True),
                       author=f"<author>{author}</author>" if author else "")


def quiet_items():
    return [
        item("q-1", "Acme support was terrible today", "Awful, slow."),
        item("q-2", "Acme delivery late again", "Annoying and bad."),
        item("q-3", "Globex is a disappointment", "Poor quality."),
        item("q-4", "Initech opens a lovely new office", "Great news."),
    ]


def burst_items(n=12):
    items = []
    for i in range(n):
        # Wile writes most of them: the author an alert names.
        items.append(item(f"acme-{i}", HOSTILE.format(n=i),
                          "Terrible service, I want a refund.",
                          "Wile E." if i < 8 else "Road R."))
        items.append(item(f"globex-{i}", f"Globex is a scam, awful #{i}",
                          "Horrible, broken, I hate it."))
        items.append(item(f"initech-{i}", f"Initech outage, terrible #{i}",
                          "Awful support, total failure."))
    return items


# Umbrella's: every one angry, RUMOURS of them a rumour as well.
RUMOURS = 5


def umbrella_items(n=12):
    return [item(f"umbrella-{i}",
                 f"Je suis furieux contre Umbrella, quel scandale #{i}",
                 "Il paraît que Umbrella va fermer, partagez avant "
                 "suppression." if i < RUMOURS else
                 "Commande perdue, aucune réponse.")
            for i in range(n)]


def config(path, pg, srv, team, flaky, crash, secret, smtp):
    write_config(path, pg.conninfo, {
        "news": srv.url("/dynamic/news.xml"),
        "nouvelles": srv.url("/dynamic/nouvelles.xml"),
        "broken": srv.url("/dynamic/broken.xml"),
    }, interval=f"{POLL}s", timeout="5s", notify="ops", alert_after=2)
    text = pathlib.Path(path).read_text() + f"""
[detect]
bucket = {BUCKET}s
window = 1m
min_count = 3
cold_threshold = 8
resolve_after = 10s
cooldown = 30s

[smtp]
url = smtp://127.0.0.1:{smtp.port}
from = vigie@example.com
starttls = no

[notify "team"]
email = {", ".join(TEAM)}
webhook = {team.url("/hook/team")}
secret_file = {secret}

[notify "ops"]
webhook = {team.url("/hook/ops")}
secret_file = {secret}

[notify "flaky"]
webhook = {flaky.url("/hook/flaky")}
secret_file = {secret}

[notify "crash"]
webhook = {crash.url("/hook/crash")}
secret_file = {secret}

[notify "equipe"]
lang = fr
email = equipe@example.com
webhook = {team.url("/hook/equipe")}
secret_file = {secret}

[watch "Acme"]
query = acme
notify = team

[watch "Globex"]
query = globex
notify = flaky

[watch "Initech"]
query = initech
notify = crash

[watch "Umbrella"]
query = umbrella
notify = equipe
"""
    pathlib.Path(path).write_text(text)


def hook_json(req):
    return json.loads(req["body"].decode("utf-8"))


def hooks(recv, path, **match):
    """Delivered requests for path whose JSON has every key of match."""
    out = []
    for r in recv.received(path, delivered=True):
        doc = hook_json(r)
        if all(doc.get(k) == v for k, v in match.items()):
            out.append((r, doc))
    return out


def incidents(pg, watch):
    return pg.dicts("FROM incidents i JOIN watches w ON w.id = i.watch_id"
                    f" WHERE w.name = '{watch}' ORDER BY i.id",
                    "i.state, i.reason, i.severity")


def outbox(pg, target):
    return pg.dicts(f"FROM outbox WHERE target = '{target}' ORDER BY id",
                    "event_id::text AS event_id, attempts, last_error, delivered_at,"
                    " failed_at, lease_until")


def once_per_event(t, recv, path, what):
    seen = collections.Counter(r["headers"].get(EVENT_HEADER)
                               for r in recv.received(path, delivered=True))
    t.ok(seen and all(n == 1 for n in seen.values()),
         f"{what}: one delivery per event id, got {dict(seen)}")
    return set(seen)


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-alerts-")
    with tmp, Postgres() as pg, FixtureServer() as srv, SmtpSink() as smtp, \
            WebhookReceiver() as team, \
            WebhookReceiver(status=500) as flaky:
        # Not listening yet: the incident fires while it is down.
        crash = WebhookReceiver(port=free_port())
        secret = pathlib.Path(tmp.name) / "hook.secret"
        secret.write_bytes(SECRET + b"\nthe first line only\n")
        secret.chmod(0o600)
        conf = f"{tmp.name}/vigie.conf"
        srv.set_feed("news.xml", rss(quiet_items()))
        srv.set_feed("nouvelles.xml", rss([], "fr"))
        config(conf, pg, srv, team, flaky, crash, secret, smtp)
        t.exited(vigie("check", "-c", conf), "check")
        if not t.exited(vigie("migrate", "-c", conf), "migrate"):
            return
        procs = [start_daemon(conf)]
        try:
            scenario(t, pg, srv, smtp, team, flaky, crash, conf, procs)
        except TestFailure:
            dump(pg, procs)
            raise
        finally:
            crash.stop()


def dump(pg, procs):
    """What a failure needs to be understood: each daemon's log without
    the polls that found nothing new, and the detector's state."""
    routine = ("not modified", "stored (0 new")
    for p in procs:
        lines = [ln for ln in daemon_log(p).splitlines()
                 if not any(r in ln for r in routine)]
        print("--- daemon log (tail, quiet polls left out) ---\n" +
              "\n".join(lines[-80:]))
    for what, sql in (
            ("incidents", "SELECT i.id, i.kind, w.name, i.state, i.reason,"
             " i.opened_at, i.resolved_at FROM incidents i LEFT JOIN"
             " watches w ON w.id = i.watch_id ORDER BY i.id"),
            ("detector_tracks", "SELECT w.name, t.updated_at, t.track"
             " FROM detector_tracks t JOIN watches w ON w.id = t.watch_id"
             " ORDER BY w.name")):
        print(f"--- {what} ---")
        for row in pg.query(sql):
            print(" | ".join(str(v) for v in row))
    print(flush=True)


def scenario(t, pg, srv, smtp, team, flaky, crash, conf, procs):
    start = time.monotonic()

    # --- quiet, and a source failing alert_after times in a row
    src = wait_until(lambda: hooks(team, "/hook/ops", kind="source",
                                   state="firing"),
                     75, "the source alert of the failing source")
    req, doc = src[0]
    t.eq(doc.get("source"), "broken", "source alert: the source")
    t.eq(doc.get("failures"), 2, "source alert: failures in a row")
    t.ok("404" in (doc.get("last_error") or ""),
         f"source alert: the last error, got {doc.get('last_error')!r}")
    t.ok(verified(SECRET, req["body"], req["headers"].get(SIGNATURE_HEADER)),
         "source alert: signature")
    srv.set_feed("broken.xml", rss([]))
    # At least two buckets stepped over the quiet mentions.
    time.sleep(max(0, start + 3 * BUCKET + 5 - time.monotonic()))
    t.eq(pg.scalar("SELECT count(*) FROM mentions m JOIN items i"
                   " ON i.id = m.item_id WHERE i.guid LIKE 'q-%'"), "4",
         "the quiet mentions are stored")
    t.ok(pg.scalar("SELECT count(*) FROM detector_tracks") == "4",
         "the detector stepped every watch")
    t.eq(pg.scalar("SELECT count(*) FROM incidents WHERE kind = 'spike'"),
         "0", "a quiet period raises nothing")
    t.eq(len(smtp.received()), 0, "no email while quiet")

    # --- the burst
    srv.set_feed("news.xml", rss(quiet_items() + burst_items()))
    srv.set_feed("nouvelles.xml", rss(umbrella_items(), "fr"))
    burst = time.time()
    got = wait_until(lambda: hooks(team, "/hook/team", watch="Acme",
                                   state="firing"),
                     ON_TIME + 20, "Acme's webhook")
    hook_late = got[0][0]["time"] - burst
    mails = wait_until(lambda: [m for m in smtp.received()
                                if "Acme" in str(m["message"]["subject"])],
                       20, "Acme's email")
    mail_late = mails[0]["time"] - burst
    print(f"burst to delivery: webhook {hook_late:.1f}s, email "
          f"{mail_late:.1f}s (reason {got[0][1].get('reason')})", flush=True)
    t.ok(hook_late <= ON_TIME,
         f"webhook within {ON_TIME}s of the burst, took {hook_late:.1f}s")
    t.ok(mail_late <= ON_TIME,
         f"email within {ON_TIME}s of the burst, took {mail_late:.1f}s")
    check_webhook(t, got)
    check_email(t, mails, got[0][1]["event_id"])
    t.eq([i["state"] for i in incidents(pg, "Acme")], ["firing"],
         "exactly one incident for Acme")
    check_judgement(t, pg, smtp, team)

    check_flaky(t, pg, flaky)
    check_crash(t, pg, crash, conf, procs)

    # --- the end of the burst
    wait_until(lambda: [i["state"] for i in incidents(pg, "Acme")]
               == ["resolved"], 150, "Acme's incident to resolve")
    res = wait_until(lambda: hooks(team, "/hook/team", watch="Acme",
                                   state="resolved"),
                     30, "Acme's resolution by webhook")
    t.ok(verified(SECRET, res[0][0]["body"],
                  res[0][0]["headers"].get(SIGNATURE_HEADER)),
         "resolution: signature")
    wait_until(lambda: len([m for m in smtp.received()
                            if "Acme" in str(m["message"]["subject"])]) == 2,
               30, "Acme's resolution by email")
    t.eq(pg.scalar("SELECT string_agg(e.state, ',' ORDER BY e.at)"
                   "  FROM incident_events e JOIN incidents i"
                   "    ON i.id = e.incident_id JOIN watches w"
                   "    ON w.id = i.watch_id WHERE w.name = 'Acme'"),
         "firing,resolved", "Acme's incident events")

    # --- the source that recovered
    wait_until(lambda: hooks(team, "/hook/ops", kind="source",
                             state="resolved"),
               90, "the source's recovery alert")
    t.eq(len(hooks(team, "/hook/ops", kind="source")), 2,
         "one source alert and one recovery")

    # Nothing goes twice, on any channel.
    for path in ("/hook/team", "/hook/ops"):
        once_per_event(t, team, path, path)
    once_per_event(t, flaky, "/hook/flaky", "/hook/flaky")
    once_per_event(t, crash, "/hook/crash", "/hook/crash")
    ids = collections.Counter(str(m["message"]["message-id"])
                              for m in smtp.received())
    t.ok(all(n == 1 for n in ids.values()),
         f"one email per Message-ID, got {dict(ids)}")
    t.eq(pg.scalar("SELECT count(*) FROM outbox WHERE delivered_at IS NULL"
                   " AND event_id IN (SELECT event_id FROM incident_events"
                   " WHERE state <> 'resolved')"), "0",
         "every firing notification delivered")
    for p in procs:
        t.ok(p.poll() is None or p.returncode == -signal.SIGKILL,
             f"daemon alive or killed by the test ({p.returncode})")
    log = "".join(daemon_log(p) for p in procs)
    t.ok("delivered" in log, "deliveries are logged")


def check_webhook(t, got):
    req, doc = got[0]
    t.eq(len(got), 1, "one firing webhook for Acme")
    t.ok(verified(SECRET, req["body"], req["headers"].get(SIGNATURE_HEADER)),
         "webhook signature (HMAC-SHA256 of the body, first line of the "
         "secret file)")
    t.ok(not verified(SECRET + b"x", req["body"],
                      req["headers"].get(SIGNATURE_HEADER)),
         "a wrong key does not verify")
    t.eq(req["headers"].get(EVENT_HEADER), doc.get("event_id"),
         "X-Vigie-Event is the body's event_id")
    t.eq(req["headers"].get("content-type"), "application/json",
         "webhook content type")
    t.eq((doc.get("version"), doc.get("kind"), doc.get("watch")),
         (1, "spike", "Acme"), "webhook version, kind, watch")
    t.ok("emotion" in doc and isinstance(doc.get("rumours"), int),
         f"webhook emotion and rumours: {doc.get('emotion')!r}, "
         f"{doc.get('rumours')!r}")
    t.eq(doc.get("top_author"), {"name": "Wile E.", "profile": None,
                                 "followers": None},
         "the author most heard in the window, with no audience known")
    t.ok(doc.get("window_count", 0) >= 8,
         f"window count, got {doc.get('window_count')}")
    titles = [m.get("title", "") for m in doc.get("top_mentions", [])]
    t.ok(titles, "top mentions are listed")
    t.ok(all("\r" not in s and "\n" not in s for s in titles),
         f"titles are single-line: {titles!r}")
    # The feed's markup is gone at ingest; its text "<script>" is text.
    t.ok(any("awful <script> & été 😡" in s for s in titles),
         f"titles keep their text (markup characters and non-ASCII), "
         f"got {titles!r}")


def check_email(t, mails, event_id):
    t.eq(len(mails), 1, "one firing email for Acme")
    m = mails[0]
    msg = m["message"]
    t.eq(m["mail_from"], "vigie@example.com", "envelope sender")
    t.eq(sorted(m["rcpt_tos"]), sorted(TEAM), "envelope recipients")
    names = [k.lower() for k in msg.keys()]
    t.eq(sorted(names), sorted(EMAIL_HEADERS),
         "the email's headers, each once, and no other")
    t.ok(not msg.defects, f"no header defects: {msg.defects}")
    t.ok("Acme" in str(msg["subject"]), f"subject names the watch: "
         f"{msg['subject']!r}")
    t.ok(event_id in str(msg["message-id"]).replace("_", "-"),
         f"Message-ID carries the event id: {msg['message-id']!r}")
    t.eq(msg.get_content_type(), "multipart/alternative", "email type")
    parts = [p.get_content_type() for p in msg.iter_parts()]
    t.eq(parts, ["text/plain", "text/html"], "email parts")
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    t.ok("Acme" in text and "été 😡" in text, "text part: watch and titles")
    t.ok("&lt;script&gt;" in html and "<script>" not in html,
         "html part: titles escaped")
    t.ok("victim@evil.example" not in str(msg["to"]) and
         msg["bcc"] is None, "no recipient smuggled in by a title")


def check_judgement(t, pg, smtp, team):
    """Umbrella's alerts in French: the dominant emotion and the rumours."""
    got = wait_until(lambda: hooks(team, "/hook/equipe", watch="Umbrella",
                                   state="firing"),
                     30, "Umbrella's webhook")
    req, doc = got[0]
    t.ok(verified(SECRET, req["body"], req["headers"].get(SIGNATURE_HEADER)),
         "Umbrella's webhook signature")
    t.eq((doc.get("lang"), doc.get("emotion"), doc.get("rumours")),
         ("fr", "anger", RUMOURS), "webhook: the emotion's name, the rumours")
    t.ok("(rumeur)" in doc.get("subject", ""),
         f"the subject says rumour: {doc.get('subject')!r}")
    mails = wait_until(lambda: [m for m in smtp.received()
                                if "Umbrella" in str(m["message"]["subject"])],
                       20, "Umbrella's email")
    msg = mails[0]["message"]
    t.eq(mails[0]["rcpt_tos"], ["equipe@example.com"], "the French team")
    t.ok("(rumeur)" in str(msg["subject"]),
         f"email subject: {str(msg['subject'])!r}")
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    t.ok("Émotion dominante : colère" in text,
         "text part: the dominant emotion in French")
    t.ok(f"RUMEUR : {RUMOURS} de ces mentions négatives relaient une rumeur"
         in text, "text part: the rumours")
    t.ok("colère" in html and "<b>RUMEUR</b>" in html,
         "html part: the emotion and the rumours")
    t.eq(pg.query("SELECT jsonb_path_query_array(timeline, '$[*].emotion'),"
                  " jsonb_path_query_array(timeline, '$[*].rumours')"
                  " FROM analytics.incidents WHERE watch = 'Umbrella'"),
         [['["anger"]', f"[{RUMOURS}]"]], "the incident's timeline")


def check_flaky(t, pg, flaky):
    """A receiver answering 500, then refusing connections, then well."""
    rows = wait_until(lambda: [r for r in outbox(pg, "flaky")
                               if int(r["attempts"]) >= 1], 40,
                      "a failed delivery to the flaky receiver")
    t.ok((rows[0]["last_error"] or "").startswith("HTTP 500"),
         f"the 500 is recorded: {rows[0]['last_error']!r}")
    t.ok(rows[0]["delivered_at"] is None, "not delivered after a 500")
    t.ok(flaky.received("/hook/flaky", delivered=False),
         "the receiver saw the attempt")
    flaky.stop()
    pg.query("UPDATE outbox SET next_attempt_at = now()"
             " WHERE target = 'flaky' AND delivered_at IS NULL")
    rows = wait_until(lambda: [r for r in outbox(pg, "flaky")
                               if int(r["attempts"]) >= 2], 30,
                      "a delivery attempt to a closed port")
    # Not the 500 of the attempt before: a port number may hold "500".
    t.ok(rows[0]["last_error"] and "HTTP 500" not in rows[0]["last_error"]
         and rows[0]["delivered_at"] is None,
         f"a refused connection is recorded: {rows[0]['last_error']!r}")
    flaky.status = 200
    flaky.start()
    pg.query("UPDATE outbox SET next_attempt_at = now()"
             " WHERE target = 'flaky' AND delivered_at IS NULL")
    wait_until(lambda: flaky.received("/hook/flaky", delivered=True), 30,
               "delivery once the receiver is back")
    rows = outbox(pg, "flaky")
    t.ok(rows[0]["delivered_at"] is not None and rows[0]["failed_at"] is None,
         "delivered_at set")
    t.ok(rows[0]["last_error"], "the last error is kept after delivery")


def check_crash(t, pg, crash, conf, procs):
    """SIGKILL between the state change and its delivery."""
    rows = wait_until(lambda: [r for r in outbox(pg, "crash")
                               if int(r["attempts"]) >= 1], 40,
                      "a failed delivery to the crash receiver")
    t.ok(rows[0]["delivered_at"] is None, "pending before the kill")
    events = pg.scalar("SELECT count(*) FROM incident_events")
    queued = pg.scalar("SELECT count(*) FROM outbox")
    procs[-1].send_signal(signal.SIGKILL)
    procs[-1].wait()
    crash.start()
    procs.append(start_daemon(conf))
    # The dead daemon's leases and backoff would hold the row back for
    # minutes: time passing, simulated.
    wait_until(lambda: " started: " in daemon_log(procs[-1]), 30,
               "the restarted daemon to start")
    pg.query("UPDATE sources SET lease_owner = NULL, lease_until = NULL")
    pg.query("UPDATE outbox SET lease_owner = NULL, lease_until = NULL,"
             " next_attempt_at = now() WHERE delivered_at IS NULL")
    got = wait_until(lambda: crash.received("/hook/crash", delivered=True),
                     30, "delivery after the restart")
    doc = hook_json(got[0])
    t.eq((doc.get("watch"), doc.get("state")), ("Initech", "firing"),
         "the pending notification, after the restart")
    t.eq(doc.get("event_id"), rows[0]["event_id"],
         "the same event id as before the kill")
    time.sleep(2 * BUCKET)
    t.eq(len(crash.received("/hook/crash", delivered=True)), 1,
         "delivered once after the restart")
    t.eq(pg.scalar("SELECT count(*) FROM incident_events e JOIN incidents i"
                   " ON i.id = e.incident_id JOIN watches w"
                   " ON w.id = i.watch_id WHERE w.name = 'Initech'"), "1",
         "the restart records no event twice")
    t.ok(int(pg.scalar("SELECT count(*) FROM incident_events")) >=
         int(events) and int(pg.scalar("SELECT count(*) FROM outbox")) >=
         int(queued), "nothing lost by the kill")


run_test("it_alerts", body)
