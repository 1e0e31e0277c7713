"""
it_schedule.py - scheduled reports ([report "NAME"]) through the daemon,
end to end: a real SMTP server and a webhook receiver (tests/sinks.py), a
private PostgreSQL, feeds served from memory.

"Now" is the daemon's own: each report is daily at 00:00 UTC (or monthly),
so the latest period - yesterday, last month - is due as soon as the
daemon starts, as after a downtime. The mentions are dated yesterday and
the day before, so the report and the period before it hold figures.

The daemons connect as a role of vigie_daemon, as a service does.

- The daily report is sent once: an email (the HTML report as its body,
  the CSV attached, whose figures are analytics.mention_volume's and
  analytics.share_of_voice's) and a signed webhook whose JSON summary
  says the same; the monthly one, by tag, goes to the webhook alone.
- Stopped with SIGTERM, then with SIGKILL, and started again: nothing is
  sent twice.
- A new report, and two daemons started at once on the same database:
  it is sent once.
- The database refusing the run (its table renamed away): nothing is
  sent, the daemon says so, and a reload once it is back sends it.
"""

import csv
import datetime
import email.utils
import io
import json
import pathlib
import signal
import tempfile
import time

from harness import (FixtureServer, Postgres, TestFailure, daemon_log,
                     rss_feed, run_test, start_daemon, vigie, wait_until,
                     write_config)
from sinks import (EVENT_HEADER, SIGNATURE_HEADER, SmtpSink, WebhookReceiver,
                   verified)

SECRET = b"report hook secret"
TEAM = ["direction@example.com", "com@example.com"]
EMAIL_HEADERS = {"from", "to", "subject", "date", "message-id",
                 "mime-version", "auto-submitted", "content-type"}


def item(guid, title, when):
    return (f"<item><guid>{guid}</guid><title>{title}</title>"
            f"<link>https://forum.example/{guid}</link>"
            f"<pubDate>{email.utils.formatdate(when, usegmt=True)}</pubDate>"
            "</item>")


def items(today):
    """Yesterday's mentions (the period) and the day before's."""
    yday = (today - datetime.timedelta(days=1)).timestamp() + 12 * 3600
    before = yday - 86400
    return [
        item("y1", "Acme est une arnaque, remboursez-nous", yday),
        item("y2", "Acme : service client odieux, je suis furieux", yday),
        item("y3", "J'adore Acme, livraison parfaite et produit superbe",
             yday + 60),
        item("y4", "Acme a ouvert un magasin rue de la Paix", yday + 120),
        item("y5", "Globex est génial, bravo", yday + 180),
        item("b1", "Acme, quelle horreur ce produit", before),
    ]


def config(path, conninfo, srv, smtp, hook, secret):
    write_config(path, conninfo, {"forum": srv.url("/dynamic/forum.xml")})
    text = pathlib.Path(path).read_text() + f"""
[smtp]
url = smtp://127.0.0.1:{smtp.port}
from = vigie@example.com

[notify "direction"]
email = {", ".join(TEAM)}

[notify "hook"]
webhook = {hook.url("/hook/reports")}
secret_file = {secret}

[watch "Acme"]
query = acme
tags = brand
compare = market

[watch "Globex"]
query = globex
compare = market

[report "quotidien"]
every = daily
at = 00:00
tz = UTC
watches = Acme, Globex
notify = direction, hook

[report "mensuel"]
every = monthly
at = 00:00
tz = UTC
tags = brand
notify = hook
lang = en
format = csv
"""
    pathlib.Path(path).write_text(text)


def hooks(hook, report=None):
    out = []
    for r in hook.received("/hook/reports", delivered=True):
        doc = json.loads(r["body"].decode("utf-8"))
        if report is None or doc.get("report") == report:
            out.append((r, doc))
    return out


def volume(pg, watch, first, end):
    return [int(v) for v in pg.query(
        "SELECT coalesce(sum(mentions), 0), coalesce(sum(negative), 0),"
        " coalesce(sum(neutral), 0), coalesce(sum(positive), 0)"
        " FROM analytics.mention_volume"
        f" WHERE watch = '{watch}' AND day >= '{first}' AND day < '{end}'")[0]]


def share(pg, watch, first, end):
    v = pg.scalar(
        "SELECT sum(mentions) FILTER (WHERE watch = '" + watch + "')::float8"
        " / nullif(sum(mentions), 0) FROM analytics.share_of_voice"
        f" WHERE compare_group = 'market' AND day >= '{first}'"
        f" AND day < '{end}'")
    return None if v in (None, "") else float(v)


def check_email(t, pg, msg, yday, today, event_id):
    m = msg["message"]
    t.eq(msg["mail_from"], "vigie@example.com", "envelope sender")
    t.eq(sorted(msg["rcpt_tos"]), sorted(TEAM), "envelope recipients")
    t.eq(sorted(k.lower() for k in m.keys()), sorted(EMAIL_HEADERS),
         "the email's headers, each once, and no other")
    t.ok(not m.defects, f"no header defects: {m.defects}")
    t.eq(str(m["subject"]), f"Rapport « quotidien » du {yday}",
         "the subject names the report and the day")
    t.ok(event_id.replace("-", "") in
         str(m["message-id"]).replace("-", "").replace("_", ""),
         f"the Message-ID carries the run's event id: {m['message-id']}")
    t.eq(m.get_content_type(), "multipart/mixed", "email type")
    parts = list(m.iter_parts())
    t.eq([p.get_content_type() for p in parts], ["text/html", "text/csv"],
         "the report's HTML, then the CSV")
    if len(parts) != 2:
        return
    html = parts[0].get_content()
    t.ok(html.startswith("<!DOCTYPE html>") and "Rapport de veille" in html
         and "<svg" in html, "the body is the report, its chart inline")
    att = parts[1]
    t.eq(att.get_content_disposition(), "attachment", "the CSV is attached")
    t.eq(att.get_filename(), f"vigie-quotidien-{yday}.csv",
         "the attachment's name")
    t.eq(att["content-transfer-encoding"], "base64", "the CSV in base64")
    raw = att.get_payload(decode=True)
    t.ok(raw.startswith(b"\xef\xbb\xbfwatch,section,"),
         "the CSV starts with its byte order mark and header")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    before = (datetime.date.fromisoformat(yday)
              - datetime.timedelta(days=1)).isoformat()
    for watch in ("Acme", "Globex"):
        fig = {r["label"]: (r["value"], r["previous"]) for r in rows
               if r["watch"] == watch and r["section"] == "figure"}
        now = volume(pg, watch, yday, today)
        prev = volume(pg, watch, before, yday)
        t.eq([int(fig.get(k, ("-1",))[0]) for k in
              ("mentions", "negative", "neutral", "positive")], now,
             f"{watch}: the CSV's counts are analytics.mention_volume's")
        t.eq([int(fig.get(k, ("", "-1"))[1]) for k in
              ("mentions", "negative", "neutral", "positive")], prev,
             f"{watch}: and the day before's")
        want = share(pg, watch, yday, today)
        got = fig.get("share_of_voice", ("",))[0]
        t.ok(want is not None and got and abs(float(got) - want) < 1e-4,
             f"{watch}: share of voice {got!r}, the view says {want!r}")
    t.ok(volume(pg, "Acme", yday, today)[0] >= 4,
         "the period holds Acme's mentions")


def check_webhook(t, pg, req, doc, yday, today):
    t.ok(verified(SECRET, req["body"], req["headers"].get(SIGNATURE_HEADER)),
         "the webhook is signed as the alerts are")
    t.eq(req["headers"].get(EVENT_HEADER), doc.get("event_id"),
         "X-Vigie-Event is the body's event_id")
    t.eq((doc.get("version"), doc.get("type"), doc.get("report"),
          doc.get("lang"), doc.get("from"), doc.get("to")),
         (1, "report", "quotidien", "fr", yday, today),
         "version, type, report, lang and period")
    before = (datetime.date.fromisoformat(yday)
              - datetime.timedelta(days=1)).isoformat()
    t.eq(doc.get("previous_from"), before, "the period before")
    watches = {w.get("name"): w for w in doc.get("watches", [])}
    t.eq(sorted(watches), ["Acme", "Globex"], "one entry per watch")
    for name, w in watches.items():
        now = volume(pg, name, yday, today)
        prev = volume(pg, name, before, yday)
        t.eq([w.get(k) for k in ("mentions", "negative", "neutral",
                                 "positive", "previous_mentions")],
             now + [prev[0]], f"{name}: counts as the views say")
        t.eq((w.get("from"), w.get("to")), (yday, today),
             f"{name}: its period")
        want = share(pg, name, yday, today)
        t.ok(abs(w.get("share_of_voice", -1) - want) < 1e-9,
             f"{name}: share of voice {w.get('share_of_voice')}, "
             f"view {want}")
        net = (now[3] - now[1]) / now[0] if now[0] else None
        t.ok(net is not None and
             abs((w.get("net_sentiment") or 99) - net) < 1e-9,
             f"{name}: net sentiment {w.get('net_sentiment')}, want {net}")
        n = int(pg.scalar(
            "SELECT count(*) FROM analytics.incidents WHERE kind = 'spike'"
            f" AND watch = '{name}' AND opened_at < '{today}'::date"
            f" AND (resolved_at IS NULL OR resolved_at >= '{yday}'::date)"))
        t.eq(w.get("incidents"), n, f"{name}: incidents of the period")


def runs(pg):
    return pg.query("SELECT report, period_start::text, period_end::text"
                    " FROM report_runs ORDER BY report")


def stop(t, proc, sig):
    """Stops proc with sig; SIGTERM must end it cleanly (under the
    sanitizers, without a leak)."""
    proc.send_signal(sig)
    proc.wait(timeout=20)
    if sig == signal.SIGTERM:
        t.eq(proc.returncode, 0, "the daemon stops cleanly on SIGTERM")
    return proc


def log_has(proc, text):
    return text in daemon_log(proc)


def sent_count(smtp, hook):
    return len(smtp.received()), len(hooks(hook))


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-schedule-")
    with tmp, Postgres() as pg, FixtureServer() as srv, SmtpSink() as smtp, \
            WebhookReceiver() as hook:
        now = datetime.datetime.now(datetime.timezone.utc)
        today_dt = now.replace(hour=0, minute=0, second=0, microsecond=0)
        today = today_dt.date().isoformat()
        yday = (today_dt - datetime.timedelta(days=1)).date().isoformat()
        month = today_dt.date().replace(day=1)
        last_month = (month - datetime.timedelta(days=1)).replace(day=1)
        secret = pathlib.Path(tmp.name) / "hook.secret"
        secret.write_bytes(SECRET + b"\n")
        secret.chmod(0o600)
        srv.set_feed("forum.xml", rss_feed(items(today_dt)))
        # The schema's owner migrates; the daemons run with the rights
        # a service has (vigie_daemon), as in production.
        owner = write_config(f"{tmp.name}/owner.conf", pg.conninfo, {})
        if not t.exited(vigie("migrate", "-c", owner), "migrate"):
            return
        pg.query("CREATE ROLE vigie_svc LOGIN IN ROLE vigie_daemon")
        conf = f"{tmp.name}/vigie.conf"
        config(conf, pg.conninfo.replace("user=vigie", "user=vigie_svc"),
               srv, smtp, hook, secret)
        p = vigie("check", "-c", conf)
        t.exited(p, "check")
        t.ok("2 scheduled reports" in p.stdout,
             f"vigie check counts the reports: {p.stdout!r}")
        # --once stores the mentions and sends no report.
        t.exited(vigie("run", "-c", conf, "--once"), "run --once")
        t.eq(runs(pg), [], "--once sends no report")

        procs = []
        try:
            scenario(t, pg, smtp, hook, conf, procs, today, yday,
                     last_month.isoformat(), month.isoformat())
        except TestFailure:
            for p in procs:
                print("--- daemon log ---\n" + daemon_log(p)[-6000:])
            raise


def scenario(t, pg, smtp, hook, conf, procs, today, yday, last_month,
             month):
    start = time.monotonic()
    a = start_daemon(conf)
    procs.append(a)
    wait_until(lambda: len(smtp.received()) >= 1 and len(hooks(hook)) >= 2,
               30, "the daily report's email and both webhooks")
    t.eq(runs(pg), [["mensuel", last_month, month],
                    ["quotidien", yday, today]],
         "one run per report: yesterday, last month")
    event_id = pg.scalar("SELECT event_id FROM report_runs"
                         " WHERE report = 'quotidien'")
    check_email(t, pg, smtp.received()[0], yday, today, event_id)
    daily = hooks(hook, "quotidien")
    t.eq(len(daily), 1, "one webhook for the daily report")
    if daily:
        check_webhook(t, pg, daily[0][0], daily[0][1], yday, today)
    monthly = hooks(hook, "mensuel")
    t.eq(len(monthly), 1, "one webhook for the monthly report")
    if monthly:
        doc = monthly[0][1]
        t.eq((doc.get("lang"), doc.get("from"), doc.get("to"),
              [w.get("name") for w in doc.get("watches", [])]),
             ("en", last_month, month, ["Acme"]),
             "the monthly report: English, last month, the brand's watch")
    wait_until(lambda: int(pg.scalar(
        "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL")) == 3,
        20, "the three notifications marked delivered")
    sent = sent_count(smtp, hook)

    # Stopped, then killed, and started again: checked, not sent again.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        stop(t, procs[-1], sig)
        b = start_daemon(conf)
        procs.append(b)
        wait_until(lambda: log_has(b, "report quotidien: " + yday)
                   and log_has(b, "already sent")
                   and log_has(b, "report mensuel: "), 20,
                   f"the restarted daemon ({sig.name} before) checks both")
        time.sleep(2)
        t.eq(sent_count(smtp, hook), sent,
             f"after {sig.name} and a restart, nothing sent again")
    stop(t, procs[-1], signal.SIGTERM)
    t.eq(int(pg.scalar("SELECT count(*) FROM outbox")), 3,
         "three notifications in the outbox, no more")

    # A new report, two daemons on the same database at once.
    text = pathlib.Path(conf).read_text() + """
[report "hebdo"]
every = weekly
at = 00:00
tz = Europe/Paris
watches = Acme
notify = hook
"""
    pathlib.Path(conf).write_text(text)
    c, d = start_daemon(conf), start_daemon(conf)
    procs += [c, d]
    wait_until(lambda: all(log_has(p, "report hebdo: ") for p in (c, d)),
               30, "both daemons check the new report")
    wait_until(lambda: hooks(hook, "hebdo"), 20, "the weekly webhook")
    time.sleep(2)
    t.eq(len(hooks(hook, "hebdo")), 1,
         "two daemons at once: the new report sent once")
    t.eq(sum(log_has(p, "sent to the outbox") for p in (c, d)), 1,
         "one daemon's run took the period, the other found it")
    t.eq(len(smtp.received()), 1, "and the daily email still once")
    week = pg.query("SELECT period_end - period_start, extract(isodow FROM"
                    " period_start)::int FROM report_runs"
                    " WHERE report = 'hebdo'")
    t.eq(week, [["7", "1"]], "a week, from a Monday")
    stop(t, c, signal.SIGTERM)
    stop(t, d, signal.SIGKILL)

    # The database refuses the run: said, nothing sent, sent once back.
    text = pathlib.Path(conf).read_text() + """
[report "tardif"]
every = daily
at = 00:00
tz = UTC
watches = Globex
notify = hook
"""
    pathlib.Path(conf).write_text(text)
    pg.query("ALTER TABLE report_runs RENAME TO report_runs_away")
    e = start_daemon(conf)
    procs.append(e)
    wait_until(lambda: log_has(e, "report tardif: ") and
               log_has(e, "trying again in 60 s"), 30,
               "the failed check said, with its retry")
    t.eq(hooks(hook, "tardif"), [], "nothing sent while the run is refused")
    pg.query("ALTER TABLE report_runs_away RENAME TO report_runs")
    e.send_signal(signal.SIGHUP)
    wait_until(lambda: hooks(hook, "tardif"), 20,
               "the report sent after the reload, once the table is back")
    time.sleep(2)
    t.eq(len(hooks(hook, "tardif")), 1, "and sent once")
    t.eq(len(hooks(hook)), 4, "four webhooks in all")
    stop(t, e, signal.SIGTERM)
    print(f"scenario: {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    run_test("it_schedule", body)
