#!/usr/bin/env python3
"""Alerts as a receiver sees them: every fixture in fixtures/alert is
rendered by alert_dump, the email is parsed with Python's email package,
the webhook JSON is checked against the examples of docs/WEBHOOK.md (so the
document and the code cannot drift) and its signature against hmac."""

import email
import email.policy
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from harness import REPO_DIR, Checks, finish

DUMP = os.environ["ALERT_DUMP"]
FIXTURES = Path(os.environ["FIXTURES"]) / "alert"
DOC = REPO_DIR / "docs" / "WEBHOOK.md"

HEADERS = {"from", "to", "subject", "date", "message-id", "mime-version",
           "auto-submitted", "content-type"}
WORDS = {
    "en": {"warning": "WARNING", "critical": "CRITICAL",
           "resolved": "resolved", "colon": ": ",
           "spike": "spike of negative mentions",
           "escalated": "spike of negative mentions, getting worse",
           "down": "source failing", "up": "source recovered",
           "spread": "story spreading", "rumour": "rumour", "emotion": "Dominant emotion",
           "anger": "anger", "fear": "fear", "sadness": "sadness",
           "disgust": "disgust", "joy": "joy", "surprise": "surprise"},
    "fr": {"warning": "AVERTISSEMENT", "critical": "CRITIQUE",
           "resolved": "résolu", "colon": " : ",
           "spike": "pic de mentions négatives",
           "escalated": "pic de mentions négatives en aggravation",
           "down": "source en échec", "up": "source rétablie",
           "spread": "sujet qui se propage", "rumour": "rumeur", "emotion": "Émotion dominante",
           "anger": "colère", "fear": "peur", "sadness": "tristesse",
           "disgust": "dégoût", "joy": "joie", "surprise": "surprise"},
}

T = Checks("alert_validate")


def check(cond, msg):
    T.ok(cond, msg)


def dump(path, what):
    r = subprocess.run([DUMP, str(path), what], capture_output=True,
                       check=False)
    if r.returncode != 0:
        sys.exit(f"alert_dump {path.name} {what}: {r.stderr.decode()}")
    return r.stdout


def one_line(s):
    return " ".join(s.split())


def expected_subject(a):
    w = WORDS[a["lang"]]
    source = a["kind"] == "source"
    if a["kind"] == "spread":
        head = w["resolved" if a["state"] == "resolved" else a["severity"]]
        what = w["spread"]
    elif a["state"] == "resolved":
        head, what = w["resolved"], w["up" if source else "spike"]
    else:
        head = w[a["severity"]]
        what = w["down"] if source else w[
            "escalated" if a["state"] == "escalated" else "spike"]
        if a.get("rumours", 0) > 0:
            what += f" ({w['rumour']})"
    return f"[vigie] {head}{w['colon']}{what} — {one_line(a['subject'])}"


def html_escape(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;")
            .replace("'", "&#39;"))


def check_email(name, a, raw):
    m = email.message_from_bytes(raw, policy=email.policy.default)
    check(not m.defects, f"{name}: defects {m.defects}")
    keys = {k.lower() for k in m.keys()}
    check(keys == HEADERS, f"{name}: headers {sorted(keys)}")
    check(len(m.get_all("subject")) == 1, f"{name}: several Subject")
    check(str(m["subject"]) == expected_subject(a),
          f"{name}: subject {str(m['subject'])!r}")
    check(len(m["to"].addresses) == len(a["to"]),
          f"{name}: To {m['to'].addresses}")
    check(m["from"].addresses[0].addr_spec == a["from"].split("<")[-1]
          .rstrip(">"), f"{name}: From {m['from']}")
    if name != "hostile":
        check(m["message-id"] == f"<{a['event_id']}@{a['domain']}>",
              f"{name}: Message-ID {m['message-id']}")
        display = a["from"].split("<")[0].strip() if "<" in a["from"] \
            else ""
        check(m["from"].addresses[0].display_name == display,
              f"{name}: display name {m['from']}")
    check(m.get_content_type() == "multipart/alternative",
          f"{name}: {m.get_content_type()}")
    parts = list(m.iter_parts())
    check([p.get_content_type() for p in parts] ==
          ["text/plain", "text/html"], f"{name}: parts {parts}")
    for line in raw.split(b"\r\n"):
        check(len(line) <= 998, f"{name}: line of {len(line)} bytes")
    text = m.get_body(("plain",)).get_content()
    html = m.get_body(("html",)).get_content()
    check(expected_subject(a) in text, f"{name}: subject not in the text")
    for t in a.get("top", []):
        # Long titles are cut: their start is enough.
        title = one_line(t["title"])[:60]
        check(title in text, f"{name}: {title!r} not in the text part")
        if t.get("via"):
            via = f"{one_line(t['source'])} ({t['via']})"
            check(via in text and html_escape(via) in html,
                  f"{name}: {via!r}, the relayed publisher, missing")
        check(html_escape(title) in html,
              f"{name}: {title!r} not escaped in the HTML part")
        if re.match(r"https?://", t["link"]):
            check(f'<a href="{html_escape(t["link"])}"' in html,
                  f"{name}: {t['link']!r} not linked")
    check("<script" not in html, f"{name}: <script> in the HTML")
    check("javascript:" not in html, f"{name}: javascript: in the HTML")
    check("<img" not in html and "<svg" not in html,
          f"{name}: image in the HTML")
    if a["kind"] == "source":
        check(a["url"] in text and one_line(a["last_error"]) in text,
              f"{name}: source details missing")
    elif a["kind"] == "spread" and a["state"] != "resolved":
        check(a["first_link"] in text and a["first_source"] in text,
              f"{name}: the first source missing")
    elif a["state"] != "resolved" and a.get("emotion"):
        w = WORDS[a["lang"]]
        line = f"{w['emotion']}{w['colon']}{w[a['emotion']]}"
        check(line in text, f"{name}: {line!r} not in the text part")


def doc_examples():
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(), re.S)
    return {e["kind"]: e for e in map(json.loads, blocks)}


# Fields documented as a string or null.
NULLABLE = {"via"}


def same_shape(where, want, got):
    if isinstance(want, dict):
        check(isinstance(got, dict) and set(got) == set(want),
              f"{where}: keys {sorted(got) if isinstance(got, dict) else got}"
              f" against {sorted(want)}")
        if isinstance(got, dict):
            for k in want.keys() & got.keys():
                same_shape(f"{where}.{k}", want[k], got[k])
    elif isinstance(want, list):
        check(isinstance(got, list), f"{where}: not a list")
        if isinstance(got, list) and want:
            for i, g in enumerate(got):
                same_shape(f"{where}[{i}]", want[0], g)
    elif got is None and where.rsplit(".", 1)[-1] in NULLABLE:
        pass
    else:
        check(type(got) is type(want),
              f"{where}: {type(got).__name__} against "
              f"{type(want).__name__}")


def check_webhook(name, a, path, examples):
    body = dump(path, "webhook")
    j = json.loads(body)
    same_shape(name, examples[a["kind"]], j)
    check(j["version"] == 1, f"{name}: version")
    check(j["subject"] == expected_subject(a), f"{name}: subject")
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", j["at"]),
          f"{name}: at {j['at']}")
    if a["kind"] == "spike":
        check(len(j["series"]) == 24, f"{name}: series")
        check([t["title"][:60] for t in j["top_mentions"]] ==
              [one_line(t["title"])[:60] for t in a["top"]],
              f"{name}: top_mentions")
        check(j["emotion"] == a.get("emotion") and
              j["rumours"] == a.get("rumours", 0),
              f"{name}: emotion {j['emotion']!r}, rumours {j['rumours']!r}")
    if a["kind"] == "spread":
        check((j["story_id"], j["sites"], j["window_sites"], j["mentions"],
               j["first"]["link"]) ==
              (a["story_id"], a["sites"], a["window_count"], a["mentions"],
               a["first_link"]), f"{name}: the spread's figures")
        check([t["title"][:60] for t in j["seen"]] ==
              [one_line(t["title"])[:60] for t in a["top"]],
              f"{name}: seen")
        check([t["via"] for t in j["seen"]] ==
              [t.get("via") for t in a["top"]], f"{name}: seen's publishers")
    key = a["key"].encode()
    want = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
    check(hmac.compare_digest(dump(path, "signature").decode(), want),
          f"{name}: signature")
    slack = json.loads(dump(path, "slack"))
    check(isinstance(slack.get("text"), str) and slack["blocks"],
          f"{name}: slack shape")
    check("<script" not in json.dumps(slack), f"{name}: slack escaping")


def main():
    examples = doc_examples()
    check(set(examples) == {"spike", "source", "spread"},
          f"docs/WEBHOOK.md examples: {sorted(examples)}")
    paths = sorted(FIXTURES.glob("*.json"))
    check(len(paths) >= 5, "fixtures missing")
    for path in paths:
        a = json.loads(path.read_text())
        check_email(path.stem, a, dump(path, "email"))
        check_webhook(path.stem, a, path, examples)
    print(f"{len(paths)} alerts checked")
    finish(T)


main()
