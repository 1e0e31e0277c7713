"""
sinks.py - where vigie's alerts land in tests and in the demo: a real SMTP
server (Debian's python3-aiosmtpd) and a webhook receiver, both on
loopback, keeping every message exactly as it arrived.

Imported by the integration tests (SmtpSink, WebhookReceiver, verified),
or run on its own to collect what a daemon sends into a directory:

    python3 tests/sinks.py --smtp-port P --http-port Q --dir DIR

A port of 0 picks a free one. Once both listen, DIR/ports holds
"smtp=P" and "http=Q" lines; every message is then written as
DIR/mail-NNN.eml (the raw DATA) and every webhook request as
DIR/hook-NNN.body (the raw body) with DIR/hook-NNN.json (path and
headers). SIGTERM or SIGINT stops both.
"""

import argparse
import email
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import pathlib
import signal
import socket
import threading
import time

from aiosmtpd.controller import Controller

SIGNATURE_HEADER = "x-vigie-signature-256"
EVENT_HEADER = "x-vigie-event"
BODY_MAX = 4 << 20


def verified(secret, body, header):
    """True when header is the X-Vigie-Signature-256 of the raw body,
    compared in constant time (docs/WEBHOOK.md)."""
    if header is None:
        return False
    digest = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + digest, header)


def free_port():
    # aiosmtpd's controller connects to its own port to know it is up, so
    # it must be told a real one rather than 0.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """Accepts every message; messages is a list of dicts: mail_from,
    rcpt_tos, data (the bytes received) and message (parsed with
    email.policy.default). on_message(dict) is called for each."""

    def __init__(self, port=0, on_message=None):
        self.port = port or free_port()
        self.on_message = on_message
        self.messages = []
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or b""
        msg = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": data,
            "message": email.message_from_bytes(
                data, policy=email.policy.default),
            "time": time.time(),
        }
        with self.lock:
            self.messages.append(msg)
        if self.on_message is not None:
            self.on_message(msg)
        return "250 OK"

    def received(self):
        with self.lock:
            return list(self.messages)

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1",
                                     port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class _HookHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sink"
    sys_version = ""

    def log_message(self, *args):
        pass

    def do_POST(self):
        recv = self.server.receiver
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > BODY_MAX:
            self._answer(413)
            return
        body = self.rfile.read(length)
        status = recv.status
        req = {
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
            "status": status,
            "time": time.time(),
        }
        with recv.lock:
            recv.requests.append(req)
        if recv.on_request is not None:
            recv.on_request(req)
        self._answer(status)

    def _answer(self, status):
        body = f"{status}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        # A stopped receiver must refuse the next delivery, not answer
        # it on a connection kept alive from before.
        self.send_header("Connection", "close")
        self.close_connection = True
        self.end_headers()
        self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class WebhookReceiver:
    """Answers every POST with status (200 unless changed, read at each
    request); requests is a list of dicts: path, headers (lower-case
    names), body (bytes), status (the answer given). Stopped, its port
    refuses connections; started again, it listens on the same port."""

    def __init__(self, port=0, status=200, on_request=None):
        self.port = port
        self.status = status
        self.on_request = on_request
        self.requests = []
        self.lock = threading.Lock()
        self.httpd = None

    def start(self):
        self.httpd = _Server(("127.0.0.1", self.port), _HookHandler)
        self.httpd.receiver = self
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever,
                         kwargs={"poll_interval": 0.1}, daemon=True).start()
        return self

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def received(self, path=None, delivered=None):
        """Requests for path (all paths if None); delivered=True keeps
        those answered 2xx, False the others."""
        with self.lock:
            reqs = list(self.requests)
        if path is not None:
            reqs = [r for r in reqs if r["path"] == path]
        if delivered is not None:
            reqs = [r for r in reqs
                    if (200 <= r["status"] <= 299) == delivered]
        return reqs

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _serve(args):
    out = pathlib.Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    counter = {"mail": 0, "hook": 0}
    lock = threading.Lock()

    def numbered(kind):
        with lock:
            counter[kind] += 1
            return out / f"{kind}-{counter[kind]:03d}"

    def write(path, data):
        # Renamed into place: a reader never sees half a file.
        tmp = path.with_name("." + path.name)
        tmp.write_bytes(data)
        os.replace(tmp, path)

    def on_message(msg):
        write(numbered("mail").with_suffix(".eml"), msg["data"])

    def on_request(req):
        base = numbered("hook")
        write(base.with_suffix(".body"), req["body"])
        write(base.with_suffix(".json"), json.dumps(
            {"path": req["path"], "headers": req["headers"]},
            indent=2).encode())

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    with SmtpSink(args.smtp_port, on_message) as smtp, \
            WebhookReceiver(args.http_port, on_request=on_request) as hook:
        write(out / "ports", f"smtp={smtp.port}\nhttp={hook.port}\n".encode())
        while not stop.wait(0.5):
            pass


def main():
    ap = argparse.ArgumentParser(description="SMTP and webhook sinks on "
                                 "127.0.0.1, writing what they receive "
                                 "into a directory")
    ap.add_argument("--smtp-port", type=int, default=0)
    ap.add_argument("--http-port", type=int, default=0)
    ap.add_argument("--dir", required=True)
    _serve(ap.parse_args())


if __name__ == "__main__":
    main()
