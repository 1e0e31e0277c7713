"""
received.py - shows what the demo's sinks (tests/sinks.py --dir DIR)
received: each email's subject and the first lines of its text part, each
webhook's JSON (pretty-printed, shortened) and whether its signature
verifies with the key of SECRET_FILE.

    python3 scripts/demo/received.py DIR SECRET_FILE

Exits 1 when nothing arrived or a signature does not verify.
"""

import email
import email.policy
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] /
                       "tests"))
from sinks import SIGNATURE_HEADER, verified  # noqa: E402

TEXT_LINES = 12
JSON_LINES = 40


def show_mail(path):
    msg = email.message_from_bytes(path.read_bytes(),
                                   policy=email.policy.default)
    print(f"-- {path.name}: to {msg['to']}")
    print(f"   Subject: {msg['subject']}")
    part = msg.get_body(("plain",))
    lines = part.get_content().splitlines() if part is not None else []
    for line in lines[:TEXT_LINES]:
        print(f"   | {line}")
    if len(lines) > TEXT_LINES:
        print(f"   | [... {len(lines) - TEXT_LINES} more lines]")


def show_hook(path, secret):
    meta = json.loads(path.with_suffix(".json").read_text())
    body = path.read_bytes()
    headers = meta["headers"]
    ok = verified(secret, body, headers.get(SIGNATURE_HEADER))
    print(f"-- {path.name}: POST {meta['path']}, X-Vigie-Event "
          f"{headers.get('x-vigie-event')}")
    lines = json.dumps(json.loads(body), indent=2,
                       ensure_ascii=False).splitlines()
    for line in lines[:JSON_LINES]:
        print(f"   {line}")
    if len(lines) > JSON_LINES:
        print(f"   [... {len(lines) - JSON_LINES} more lines]")
    print(f"   signature {headers.get(SIGNATURE_HEADER)}: "
          f"{'verified' if ok else 'DOES NOT VERIFY'}")
    return ok


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: received.py DIR SECRET_FILE")
    sink = pathlib.Path(sys.argv[1])
    secret = pathlib.Path(sys.argv[2]).read_bytes().splitlines()[0]
    mails = sorted(sink.glob("mail-*.eml"))
    hooks = sorted(sink.glob("hook-*.body"))
    print(f"== Emails received by the SMTP sink: {len(mails)}")
    for p in mails:
        show_mail(p)
    print(f"== Webhooks received: {len(hooks)}")
    good = all([show_hook(p, secret) for p in hooks])
    if not mails or not hooks or not good:
        sys.exit(1)


if __name__ == "__main__":
    main()
