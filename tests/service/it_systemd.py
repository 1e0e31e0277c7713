"""
it_systemd.py - the service manager's notification protocol, for real: the
test binds its own NOTIFY_SOCKET, as systemd would, and runs `vigie run`
with it. READY=1 must wait for the database (the daemon is started while
the cluster is down), WATCHDOG=1 must keep coming from the event loop,
SIGHUP must announce RELOADING=1 with the monotonic time and READY=1 again,
SIGTERM STOPPING=1 and a clean exit. With JOURNAL_STREAM set, every log
line carries a <N> priority for journald.
"""

import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time

from harness import (FixtureServer, Postgres, TestFailure, _clean_env,
                     _register, _unregister, exit_status, run_test, vigie,
                     vigie_path, wait_until, write_config)


class NotifySocket:
    """An AF_UNIX datagram socket collecting what the daemon sends, each
    datagram kept with the monotonic time it arrived and parsed into its
    KEY=VALUE lines."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.lock = threading.Lock()
        self.messages = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self):
        while not self.stopping.is_set():
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            fields = {}
            for line in data.decode(errors="replace").split("\n"):
                key, sep, value = line.partition("=")
                if sep:
                    fields[key] = value
            with self.lock:
                self.messages.append((time.monotonic(), fields))

    def close(self):
        self.stopping.set()
        self.thread.join()
        self.sock.close()

    def count(self):
        with self.lock:
            return len(self.messages)

    def having(self, key, value=None, since=0):
        """Messages from index since on that set key (to value, if given),
        as (index, time, fields)."""
        with self.lock:
            msgs = list(enumerate(self.messages))[since:]
        return [(i, t, f) for i, (t, f) in msgs
                if key in f and (value is None or f[key] == value)]


def start(config, env):
    err = tempfile.NamedTemporaryFile(prefix="vigie-systemd-", suffix=".log",
                                      delete=False)
    proc = subprocess.Popen([vigie_path(), "run", "-c", str(config)],
                            env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=err)
    err.close()
    proc.log_path = err.name

    def reap():
        _unregister(reap)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.unlink(err.name)

    proc.cleanup = reap
    _register(reap)
    return proc


def log_of(proc):
    with open(proc.log_path, errors="replace") as f:
        return f.read()


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-systemd-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        conf = write_config(os.path.join(tmp.name, "vigie.conf"),
                            pg.conninfo,
                            {"news": srv.url("/feeds/rss.xml")})
        if not t.exited(vigie("migrate", "-c", conf), "migrate"):
            return
        # The daemon starts with the database down: READY=1 must wait.
        pg.stop()

        notify = NotifySocket(os.path.join(tmp.name, "notify"))
        _register(notify.close)
        env = _clean_env()
        env["NOTIFY_SOCKET"] = notify.path
        env["WATCHDOG_USEC"] = "10000000"
        # journald's variable: device and inode of the stream, which the
        # daemon only tests for presence.
        env["JOURNAL_STREAM"] = "8:12345"
        proc = start(conf, env)

        # The event loop runs without the database: the watchdog hears
        # from it, and no READY=1 is sent.
        wait_until(lambda: len(notify.having("WATCHDOG", "1")) >= 3, 30,
                   "three WATCHDOG=1 while the database is down")
        t.ok(proc.poll() is None,
             f"daemon alive without its database: {exit_status(proc.poll())}"
             f"\n{log_of(proc)[-2000:]}")
        t.eq(notify.having("READY"), [], "READY=1 before the database is up")

        up_at = time.monotonic()
        pg.start()
        ready = wait_until(lambda: notify.having("READY", "1"), 60,
                           "READY=1 once the database is up")
        t.ok(ready[0][1] >= up_at,
             "READY=1 arrived before the database was started")

        # Still pinged once ready, and for as long as it runs: a burst at
        # start is not a heartbeat.
        after = notify.count()

        def beating():
            beats = notify.having("WATCHDOG", "1", after)
            return beats and beats[-1][1] - beats[0][1] >= 2.5

        wait_until(beating, 30, "WATCHDOG=1 over 2.5 s after READY=1")

        # SIGHUP: RELOADING=1 stamped with CLOCK_MONOTONIC, then READY=1.
        before = notify.count()
        sent_usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        proc.send_signal(signal.SIGHUP)
        reloading = wait_until(
            lambda: notify.having("RELOADING", "1", before), 30,
            "RELOADING=1 after SIGHUP")
        index, _, fields = reloading[0]
        stamp = fields.get("MONOTONIC_USEC", "")
        if t.ok(stamp.isdigit(),
                f"RELOADING=1 without a MONOTONIC_USEC: {fields}"):
            # systemd ties a reload to the READY=1 that follows by this
            # stamp: it must be taken after the signal, on the same clock
            # (the daemon's clock reads milliseconds, hence the slack).
            delta = int(stamp) - sent_usec
            t.ok(-1000 <= delta < 5_000_000,
                 f"MONOTONIC_USEC {stamp} is {delta} us from the time "
                 f"SIGHUP was sent ({sent_usec})")
        wait_until(lambda: notify.having("READY", "1", index + 1), 30,
                   "READY=1 after the reload")
        t.ok(proc.poll() is None, "daemon alive after SIGHUP")

        # SIGTERM: STOPPING=1, then exit 0.
        before = notify.count()
        proc.terminate()
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise TestFailure("daemon still running 60 s after SIGTERM")
        t.eq(code, 0, "exit status after SIGTERM")
        t.ok(notify.having("STOPPING", "1", before),
             "no STOPPING=1 after SIGTERM")

        # Every message carried the priority journald reads.
        lines = [ln for ln in log_of(proc).splitlines() if ln]
        t.ok(len(lines) >= 3, f"hardly any log lines: {lines}")
        bad = [ln for ln in lines if not re.match(r"<[0-7]>\S", ln)]
        t.eq(bad, [], "log lines without a <N> priority under journald")
        t.ok(any(ln.startswith("<5>") and "SIGHUP" in ln for ln in lines),
             f"no notice-level (<5>) line about SIGHUP:\n{lines}")
        proc.cleanup()
        _unregister(notify.close)
        notify.close()


if __name__ == "__main__":
    run_test("it_systemd", body)
