"""
harness.py - what the integration tests run vigie against: a private
PostgreSQL cluster, an HTTP server with one route per behaviour a feed
server can show (validators, gzip, redirects, errors, slowness, oversized
or lying bodies), and small helpers to write a configuration, run the
binary and wait for things to happen.

Standard library only. Everything started here is stopped on exit, however
the exit happens: context managers for the normal path, atexit and a
SIGTERM/SIGINT/SIGHUP handler for the rest.
"""

import atexit
import email.utils
import gzip
import hashlib
import html
import http.server
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

TESTS_DIR = pathlib.Path(__file__).resolve().parent
REPO_DIR = TESTS_DIR.parent
FIXTURES = pathlib.Path(os.environ.get("FIXTURES", TESTS_DIR / "fixtures"))
HTTP_FIXTURES = FIXTURES / "http"
PAGE_FIXTURES = FIXTURES / "pages"


def pg_installations():
    """Debian's PostgreSQL server installations, newest major first, as
    (major, bindir); VIGIE_PG_BIN names another bindir (its major read
    from the path, else 0)."""
    override = os.environ.get("VIGIE_PG_BIN")
    if override:
        bindir = pathlib.Path(override)
        major = next((int(p) for p in reversed(bindir.parts)
                      if p.isdigit()), 0)
        return [(major, bindir)]
    found = []
    for initdb in pathlib.Path("/usr/lib/postgresql").glob("*/bin/initdb"):
        if initdb.parent.parent.name.isdigit():
            found.append((int(initdb.parent.parent.name), initdb.parent))
    return sorted(found, reverse=True)


# The server the tests run: the newest installed, whatever its major
# version (scripts/setup.sh installs Debian 12's, 15).
PG_MAJOR, PG_BIN = (pg_installations() or
                    [(0, pathlib.Path("/usr/lib/postgresql/15/bin"))])[0]


class TestFailure(Exception):
    pass


# ----------------------------------------------------------------------
# Cleanup on every kind of exit

_cleanups = []
_cleanup_lock = threading.Lock()


def _register(fn):
    with _cleanup_lock:
        _cleanups.append(fn)


def _unregister(fn):
    with _cleanup_lock:
        if fn in _cleanups:
            _cleanups.remove(fn)


def _run_cleanups():
    while True:
        with _cleanup_lock:
            if not _cleanups:
                return
            fn = _cleanups.pop()
        try:
            fn()
        except Exception:
            traceback.print_exc()


def _on_signal(signum, frame):
    # Unwinding through the with-blocks stops what they started; the atexit
    # hook then catches whatever was started outside one.
    raise SystemExit(128 + signum)


atexit.register(_run_cleanups)
if threading.current_thread() is threading.main_thread():
    for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(_sig, _on_signal)


# ----------------------------------------------------------------------
# PostgreSQL

class Postgres:
    """A throwaway cluster: socket only, trust auth, superuser and database
    both named vigie. Runs as the postgres user when we are root, since
    PostgreSQL refuses to run as root."""

    SEP = "\x1f"    # between fields
    RSEP = "\x1e"   # between rows: values may hold newlines
    NULL = "\x1d"   # NULL, told apart from the empty string

    def __init__(self):
        base = os.environ.get("TMPDIR", "/tmp")
        # A Unix socket path is limited to 107 bytes.
        if len(base) > 60:
            base = "/tmp"
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="vigie-pg-", dir=base))
        self.data = self.dir / "data"
        self.sock = self.dir / "sock"
        self.log = self.dir / "postgres.log"
        self.sock.mkdir()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
            shutil.chown(self.sock, "postgres", "postgres")
        self.conninfo = f"host={self.sock} dbname=vigie user=vigie"
        self.running = False
        self._initialized = False
        _register(self.destroy)

    def _pg(self, tool, *args, check=True, timeout=120):
        cmd = [str(PG_BIN / tool), *args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        p = subprocess.run(cmd, cwd=self.dir, env=_clean_env(),
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise TestFailure(f"{tool} {' '.join(args)} failed "
                              f"({p.returncode}):\n{p.stdout}{p.stderr}"
                              f"{self.log_tail()}")
        return p

    def _init(self):
        self._pg("initdb", "-D", str(self.data), "-U", "vigie",
                 "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
        with open(self.data / "postgresql.conf", "a") as f:
            f.write(f"""
listen_addresses = ''
unix_socket_directories = '{self.sock}'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 40
log_min_messages = warning
""")
        self._initialized = True
        self.start()
        self.query("CREATE DATABASE vigie", dbname="postgres")

    def start(self):
        if not self._initialized:
            return self._init()
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.log),
                 "-w", "-t", "60", "start")
        self.running = True

    def stop(self):
        if self.running:
            self._pg("pg_ctl", "-D", str(self.data), "-m", "fast",
                     "-w", "-t", "60", "stop")
            self.running = False

    def restart(self):
        self.stop()
        self.start()

    def destroy(self):
        _unregister(self.destroy)
        try:
            if self.running:
                # Immediate: nothing here is worth a checkpoint.
                self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate",
                         "-w", "-t", "60", "stop", check=False)
                self.running = False
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def query(self, sql, dbname="vigie"):
        """Rows of the last statement of sql, each a list of strings (None
        for NULL). Raises TestFailure on any SQL error."""
        conninfo = f"host={self.sock} dbname={dbname} user=vigie"
        p = subprocess.run(
            ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-F", self.SEP, "-R", self.RSEP, "-P", "null=" + self.NULL,
             "-d", conninfo, "-c", sql],
            env=_clean_env(), stdin=subprocess.DEVNULL, capture_output=True,
            text=True, timeout=60)
        if p.returncode != 0:
            raise TestFailure(f"psql failed on {sql!r}: {p.stderr.strip()}")
        out = p.stdout
        if out.endswith("\n"):
            out = out[:-1]
        if out == "":
            return []
        return [[None if v == self.NULL else v for v in row.split(self.SEP)]
                for row in out.split(self.RSEP)]

    def scalar(self, sql):
        rows = self.query(sql)
        return rows[0][0] if rows else None

    def dicts(self, sql, columns):
        """SELECT the given columns; sql is everything after the column list
        ("FROM ... WHERE ..."). Returns a list of dicts."""
        cols = [c.strip() for c in columns.split(",")]
        rows = self.query(f"SELECT {', '.join(cols)} {sql}")
        names = [c.split()[-1].split(".")[-1] for c in cols]
        return [dict(zip(names, r)) for r in rows]

    def log_tail(self, n=20):
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n--- postgres log ---\n" + "\n".join(lines[-n:])

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.destroy()


def _clean_env():
    # Inherited PG* variables would send psql or vigie somewhere else.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def start_psql(conninfo, sql, **popen):
    """Starts psql running sql on conninfo, in the background (a session
    that holds a lock, a statement that waits); wait for the returned
    process. Its output is discarded unless popen says otherwise."""
    return subprocess.Popen(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo,
         "-c", sql], env=_clean_env(),
        **{"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL,
           **popen})


# The columns of a save's items, then of their mentions, in the order the
# daemon's records hold them (daemon/service/db/store_rows.c) and the save
# statement takes them (sql/save_fetch.sql: $3 to $28, $30 to $36), each
# with its type; "text[]" is an array literal in a text value.
SAVE_ITEM_COLUMNS = [
    ("guid", "text"), ("link", "text"), ("title", "text"),
    ("author", "text"), ("author_url", "text"), ("relayed_from", "text"),
    ("summary", "text"), ("content", "text"), ("lang", "text"),
    ("published", "bigint"), ("updated", "bigint"), ("likes", "bigint"),
    ("shares", "bigint"), ("replies", "bigint"), ("views", "bigint"),
    ("followers", "bigint"), ("rating", "real"), ("rating_count", "bigint"),
    ("url_norm", "text"), ("simhash", "bigint"), ("tone", "real"),
    ("label", "text"), ("abusive", "boolean"), ("emotions", "text[]"),
    ("rumour", "boolean"), ("tone_lang", "text")]
SAVE_MENTION_COLUMNS = [
    ("watch", "text"), ("terms", "text[]"), ("tone", "real"),
    ("label", "text"), ("abusive", "boolean"), ("emotions", "text[]"),
    ("rumour", "boolean")]


# ----------------------------------------------------------------------
# HTTP fixture server

ENDLESS_MAX_BYTES = 64 << 20
ENDLESS_MAX_SECONDS = 30
LYING_BYTES = 2 << 20


def _etag(data):
    return '"' + hashlib.sha256(data).hexdigest()[:20] + '"'


def file_etag(name):
    """The ETag /feeds/NAME carries."""
    return _etag((HTTP_FIXTURES / name).read_bytes())


def _content_type(name):
    if name.endswith(".json"):
        return "application/feed+json"
    if name.startswith("atom"):
        return "application/atom+xml"
    return "application/rss+xml"


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fixture"
    sys_version = ""

    def log_message(self, *args):
        pass

    def do_GET(self):
        srv = self.server.fixture
        url = urllib.parse.urlsplit(self.path)
        self.route = url.path
        self.params = dict(urllib.parse.parse_qsl(url.query))
        srv._record(self)
        # The window counted as "in flight" closes before the answer leaves:
        # a client cannot start its next request before then, so an overlap
        # seen here is a real one.
        with srv._in_flight():
            delay = float(self.params.get("delay", 0))
            if delay:
                time.sleep(min(delay, 10))
            answer = self._dispatch(url.path)
        if callable(answer):
            answer()
        else:
            self._send(*answer)

    def _dispatch(self, path):
        parts = path.strip("/").split("/")
        head = parts[0]
        rest = parts[1:]
        srv = self.server.fixture
        if head == "feeds" and len(rest) == 1:
            return self._file(rest[0], etag=True, lastmod=True)
        if head == "noetag" and len(rest) == 1:
            return self._file(rest[0], etag=False, lastmod=False)
        if head == "lastmod" and len(rest) == 1:
            return self._file(rest[0], etag=False, lastmod=True)
        if head == "gzip" and len(rest) == 1:
            return self._gzip(rest[0])
        if head == "dynamic" and len(rest) == 1:
            with srv.lock:
                text = srv.feeds.get(rest[0])
            if text is None:
                return self._status(404)
            return self._validated(text.encode(), _content_type(rest[0]),
                                    _etag(text.encode()), None)
        if head == "redirect" and len(rest) == 2 and rest[0].isdigit():
            n = int(rest[0])
            if n <= 1:
                return self._redirect(f"/feeds/{rest[1]}")
            return self._redirect(f"/redirect/{n - 1}/{rest[1]}")
        if path == "/redirect-loop":
            return self._redirect("/redirect-loop")
        if path == "/redirect-scheme/file":
            return self._redirect("file:///etc/passwd")
        if path == "/redirect-scheme/ftp":
            return self._redirect("ftp://127.0.0.1/feed.xml")
        if head == "status" and len(rest) == 1 and rest[0].isdigit():
            return self._status(int(rest[0]))
        if path == "/slow":
            return self._slow
        if path == "/endless":
            return self._endless
        if path == "/lying-length":
            return self._lying
        if path == "/robots.txt":
            with srv.lock:
                text = srv.robots
            if text is None:
                return self._status(404)
            return 200, {"Content-Type": "text/plain"}, text.encode()
        if head == "pages" and len(rest) == 1:
            return self._page(rest[0])
        if head == "site":
            # Matched with the query string: a forum's pages differ by it.
            with srv.lock:
                page = srv.pages.get(self.path)
            if page is None:
                return self._status(404)
            return 200, {"Content-Type": page[0]}, page[1]
        return self._status(404)

    # Answers are (status, headers, body), or a function that streams its
    # own.

    def _file(self, name, etag, lastmod):
        path = HTTP_FIXTURES / name
        if "/" in name or name.startswith(".") or not path.is_file():
            return self._status(404)
        data = path.read_bytes()
        mtime = path.stat().st_mtime if lastmod else None
        return self._validated(data, _content_type(name),
                               _etag(data) if etag else None, mtime)

    def _validated(self, data, ctype, etag, mtime):
        headers = {"Content-Type": ctype}
        if etag:
            headers["ETag"] = etag
        if mtime is not None:
            headers["Last-Modified"] = email.utils.formatdate(mtime,
                                                              usegmt=True)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            fresh = etag is not None and (etag in tags or "*" in tags)
        elif ims is not None and mtime is not None:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
                fresh = int(mtime) <= since
            except (TypeError, ValueError):
                fresh = False
        else:
            fresh = False
        if fresh:
            return 304, headers, b""
        return 200, headers, data

    def _page(self, name):
        # No charset: pages that declare none must be read all the same.
        path = PAGE_FIXTURES / name
        if "/" in name or name.startswith(".") or not path.is_file():
            return self._status(404)
        return 200, {"Content-Type": "text/html"}, path.read_bytes()

    def _gzip(self, name):
        status, headers, body = self._file(name, etag=False, lastmod=False)
        accept = self.headers.get("Accept-Encoding", "")
        codings = [c.split(";")[0].strip().lower() for c in accept.split(",")]
        if status == 200 and "gzip" in codings:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
            with self.server.fixture.lock:
                self.server.fixture.gzip_served.append(name)
        headers["Vary"] = "Accept-Encoding"
        return status, headers, body

    def _redirect(self, target):
        if target.startswith("/"):
            target = self.server.fixture.url(target)
        return 302, {"Location": target}, b"moved\n"

    def _status(self, code):
        headers = {"Content-Type": "text/plain"}
        if code in (429, 503) and "retry_after" in self.params:
            headers["Retry-After"] = self.params["retry_after"]
        return code, headers, f"status {code}\n".encode()

    def _stream_start(self, headers):
        self.send_response(200)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def _slow(self):
        seconds = int(self.params.get("seconds", 10))
        self._stream_start({"Content-Type": "application/rss+xml"})
        stop = self.server.fixture.stopping
        try:
            for _ in range(min(seconds, 60)):
                self.wfile.write(b" ")
                self.wfile.flush()
                if stop.wait(1):
                    break
        except OSError:
            pass

    def _endless(self):
        self._stream_start({"Content-Type": "application/rss+xml"})
        chunk = (b"<item><title>again</title><description>" + b"x" * 4000 +
                 b"</description></item>\n")
        deadline = time.monotonic() + ENDLESS_MAX_SECONDS
        sent = 0
        stop = self.server.fixture.stopping
        try:
            self.wfile.write(b'<?xml version="1.0"?><rss version="2.0">'
                             b"<channel><title>endless</title>\n")
            while (sent < ENDLESS_MAX_BYTES and time.monotonic() < deadline
                   and not stop.is_set()):
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass

    def _lying(self):
        # A small Content-Length next to a chunked body: the framing that
        # counts is the chunked one (RFC 9112 6.3), so a client that sized
        # its buffer or its limit from the header is in for 2 MiB.
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", "100")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        piece = b"<!-- " + b"y" * 65000 + b" -->\n"
        try:
            sent = 0
            while sent < LYING_BYTES:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += len(piece)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass

    def _send(self, status, headers, body):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            self.close_connection = True


class ApiHandler(http.server.BaseHTTPRequestHandler):
    """A handler for the APIs a test replays: quiet, and one way to
    answer (a document as JSON unless it is text already)."""

    def log_message(self, *args):
        pass

    def answer(self, status, doc, headers=None,
               ctype="application/json; charset=utf-8"):
        body = doc if isinstance(doc, str) else json.dumps(doc)
        body = body.encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client that drops its connection (a body cap, a cancelled
        # transfer) is part of what is tested, not a server error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class FixtureServer:
    """Serves tests/fixtures/http/ under /feeds/, tests/fixtures/pages/
    under /pages/, pages given by set_page under /site/, robots.txt given
    by set_robots, and the behaviour routes on an ephemeral port of
    127.0.0.1 (or of host, another loopback address: another site),
    recording every request."""

    def __init__(self, host="127.0.0.1"):
        self.host = host
        self.lock = threading.Lock()
        self.requests = []      # dicts: path, route, method, headers, time
        self.feeds = {}         # NAME -> text, for /dynamic/NAME
        self.pages = {}         # /site/PATH?QUERY -> (content type, body)
        self.robots = None      # /robots.txt, a 404 while None
        self.gzip_served = []   # names answered gzip-encoded
        self.concurrent = 0
        self.peak = 0           # most requests in flight at once
        self.stopping = threading.Event()
        self.httpd = None
        self.thread = None

    def start(self):
        self.httpd = _Server((self.host, 0), _Handler)
        self.httpd.fixture = self
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.1},
                                       daemon=True)
        self.thread.start()
        _register(self.stop)
        return self

    def stop(self):
        _unregister(self.stop)
        if self.httpd is None:
            return
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def url(self, path):
        return f"http://{self.host}:{self.port}{path}"

    def set_feed(self, name, text):
        with self.lock:
            self.feeds[name] = text

    def set_page(self, path, body, content_type="text/html"):
        """Serves body (text is sent as UTF-8) at path, which starts with
        /site/ and may carry a query string."""
        if not path.startswith("/site/"):
            raise ValueError(f"{path}: pages live under /site/")
        if isinstance(body, str):
            body = body.encode()
        with self.lock:
            self.pages[path] = (content_type, body)

    def set_robots(self, text):
        """The site's robots.txt; None answers 404."""
        with self.lock:
            self.robots = text

    def _record(self, handler):
        with self.lock:
            self.requests.append({
                "path": handler.path,
                "route": handler.route,
                "method": handler.command,
                "headers": {k.lower(): v for k, v in handler.headers.items()},
                "time": time.time(),
            })

    class _InFlight:
        def __init__(self, srv):
            self.srv = srv

        def __enter__(self):
            with self.srv.lock:
                self.srv.concurrent += 1
                self.srv.peak = max(self.srv.peak, self.srv.concurrent)

        def __exit__(self, *exc):
            with self.srv.lock:
                self.srv.concurrent -= 1

    def _in_flight(self):
        return self._InFlight(self)

    def reset_peak(self):
        with self.lock:
            self.peak = self.concurrent

    def requests_for(self, path):
        """Requests for path: matched with its query string when path has
        one, on the route alone otherwise."""
        key = "path" if "?" in path else "route"
        with self.lock:
            return [r for r in self.requests if r[key] == path]

    def hits(self, path):
        return len(self.requests_for(path))


# ----------------------------------------------------------------------
# Running vigie

def vigie_path():
    path = os.environ.get("VIGIE")
    if not path:
        raise TestFailure("VIGIE is not set: run through meson test, or "
                          "set VIGIE=build/vigie")
    return path


def write_config(path, conninfo, sources, log_level="debug", **poll_opts):
    """sources maps a name to a URL or to a dict of source keys (url,
    interval, lang, tags). poll_opts become the [poll] section."""
    lines = ["[database]", f"conninfo = {conninfo}", "",
             "[daemon]", f"log_level = {log_level}", ""]
    if poll_opts:
        lines.append("[poll]")
        lines += [f"{k} = {v}" for k, v in poll_opts.items()]
        lines.append("")
    for name, src in sources.items():
        if isinstance(src, str):
            src = {"url": src}
        lines.append(f'[source "{name}"]')
        lines += [f"{k} = {v}" for k, v in src.items()]
        lines.append("")
    pathlib.Path(path).write_text("\n".join(lines))
    # vigie run refuses a configuration others may read.
    os.chmod(path, 0o600)
    return path


def vigie(*args, timeout=60):
    """Runs vigie to completion. A hang is a failure, not a wait."""
    cmd = [vigie_path(), *map(str, args)]
    try:
        return subprocess.run(cmd, env=_clean_env(),
                              stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise TestFailure(f"{' '.join(cmd)} still running after {timeout}s;"
                          f" stderr so far:\n{_text(e.stderr)}") from None


def _text(b):
    if b is None:
        return ""
    return b.decode(errors="replace") if isinstance(b, bytes) else b


def start_daemon(config, *args):
    """Starts `vigie run -c config`; stderr goes to proc.log_path, read it
    with daemon_log(proc). Killed at exit if still running."""
    fd, log_path = tempfile.mkstemp(prefix="vigie-daemon-", suffix=".log")
    with os.fdopen(fd, "w") as log:
        proc = subprocess.Popen([vigie_path(), "run", "-c", str(config),
                                 *args], env=_clean_env(),
                                stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log_path

    def reap():
        _unregister(reap)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.unlink(log_path)

    proc.cleanup = reap
    _register(reap)
    return proc


def daemon_log(proc):
    with open(proc.log_path, errors="replace") as f:
        return f.read()


def wait_until(predicate, timeout, what="condition", interval=0.2):
    """Polls predicate until it returns something true, and returns that;
    TestFailure after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TestFailure(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# ----------------------------------------------------------------------
# Reporting

class Checks:
    """Collects failed expectations so one run reports all of them."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.count = 0

    def ok(self, cond, what):
        self.count += 1
        if not cond:
            self.failures.append(what)
            print(f"FAIL: {what}", flush=True)
        return bool(cond)

    def eq(self, got, want, what):
        return self.ok(got == want, f"{what}: got {got!r}, want {want!r}")

    def exited(self, p, what, want=0):
        """Checks a CompletedProcess's status; on failure shows how it
        ended and the end of its stderr."""
        if want == "nonzero":
            good = p.returncode > 0
        else:
            good = p.returncode == want
        return self.ok(good, f"{what}: {exit_status(p.returncode)}, want "
                       f"{'non-zero exit' if want == 'nonzero' else want}"
                       f"\n--- stderr ---\n{p.stderr[-3000:]}--- end ---")


def exit_status(code):
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit {code}"


def finish(checks, skipped=False):
    """Exits 0 only if every check held, 77 (meson's skip) if the test
    said it skipped, and 1 otherwise - also when no check was made at
    all: a test that checked nothing has proved nothing, whatever it
    ran."""
    name = checks.name
    if checks.failures:
        print(f"{name}: {len(checks.failures)} failure(s) "
              f"out of {checks.count} checks", flush=True)
        sys.exit(1)
    if skipped:
        print(f"{name}: skipped after {checks.count} checks", flush=True)
        sys.exit(77)
    if checks.count == 0:
        print(f"FAIL: {name} made no check", flush=True)
        sys.exit(1)
    print(f"{name}: all {checks.count} checks passed", flush=True)
    sys.exit(0)


def run_test(name, body):
    """Runs body(checks) and exits through finish(): 0 only if it raised
    nothing, made at least one check and every check held."""
    checks = Checks(name)
    try:
        body(checks)
    except TestFailure as e:
        print(f"FAIL: {e}", flush=True)
        checks.failures.append(str(e))
    except Exception:
        traceback.print_exc()
        checks.failures.append("exception")
    finally:
        _run_cleanups()
    finish(checks)


def burst_items(now, oldest, n=22, step=50):
    """RSS items of n French complaints about Acme, one every step
    seconds from oldest seconds before now: a spike of negatives."""
    items = []
    for i in range(n):
        t = email.utils.formatdate(now - oldest + i * step, usegmt=True)
        items.append(f"<item><guid>burst-{i}</guid><title>Acme est une "
                     f"arnaque, remboursez-nous ! ({i})</title>"
                     f"<pubDate>{t}</pubDate></item>")
    return items


def rss_item(guid, title, link="https://forum.example/{guid}",
             description=None):
    """An RSS item published now; {guid} in link is replaced by guid;
    description, plain text, escaped here."""
    text = ("" if description is None else
            f"<description>{html.escape(description)}</description>")
    return (f"<item><guid>{guid}</guid><title>{title}</title>"
            f"<link>{link.format(guid=guid)}</link>"
            f"<pubDate>{email.utils.formatdate(usegmt=True)}</pubDate>"
            f"{text}</item>")


def rss_feed(items):
    """An RSS 2.0 document in French holding items."""
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
            "<channel><title>f</title><language>fr</language>"
            + "".join(items) + "</channel></rss>")
