"""
it_spool.py - polling goes on while the database is away: a fast feed
whose items stay visible 25 s, polled every 10 s, loses nothing through a
30-second outage, a 5-minute one, and a daemon stopped and started again
in the middle of an outage, with its spool's files as earlier versions
wrote them (the items as JSON, their texts inside or beside it) and one
damaged (set aside, named in the log); nothing is stored twice, and
every item keeps its text. A spool with no room pauses polling, says so
in its log and metrics, and loses nothing fetched. A schedule file cut
short is named in the log, and polling goes on.
"""

import json
import os
import pathlib
import re
import signal
import struct
import subprocess
import tempfile
import threading
import time
import urllib.request

from harness import (SAVE_ITEM_COLUMNS, SAVE_MENTION_COLUMNS,
                     FixtureServer, Postgres, TestFailure, daemon_log,
                     rss_feed, rss_item, run_test, start_daemon, vigie,
                     wait_until)

STEP = 5        # a new item every STEP seconds
VISIBLE = 5     # items in the feed at once: each visible 25 s
PORT_BASE = 19300 + os.getpid() % 500


def text_of(n):
    """Item n's text: quotes, an ampersand, letters outside ASCII."""
    return f"Message {n} : l'usine « Acme » ferme & rouvre"


class RollingFeed:
    """A feed that gains an item every STEP seconds and drops the oldest
    past VISIBLE, as a busy forum's or a news site's does."""

    def __init__(self, srv, name):
        self.srv, self.name, self.n = srv, name, 0
        self.history = []   # (time, newest item) of each version
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.publish()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def publish(self):
        with self.lock:
            self.n += 1
            first = max(1, self.n - VISIBLE + 1)
            items = [rss_item(f"roll-{i}", f"Acme roll {i}",
                              description=text_of(i))
                     for i in range(self.n, first - 1, -1)]
            self.srv.set_feed(self.name, rss_feed(items))
            self.history.append((time.time(), self.n))

    def served_at(self, when):
        """The newest item in the feed at time when."""
        with self.lock:
            return max((n for t, n in self.history if t <= when),
                       default=0)

    def run(self):
        while not self.stop_event.wait(STEP):
            self.publish()

    def stop(self):
        self.stop_event.set()
        self.thread.join()
        return self.n


def write_conf(path, pg, spool, url, listen, **daemon_keys):
    keys = "".join(f"{k} = {v}\n" for k, v in daemon_keys.items())
    pathlib.Path(path).write_text(f"""[database]
conninfo = {pg.conninfo}

[daemon]
log_level = debug
listen = {listen}
spool = {spool}
{keys}
[poll]
interval = 10s
timeout = 5s

[source "roll"]
url = {url}
""")
    os.chmod(path, 0o600)


def stored(pg):
    """Titles of the items stored, and how many rows hold them."""
    rows = pg.query("SELECT title FROM items")
    return sorted({r[0] for r in rows}), len(rows)


def want(n):
    return sorted(f"Acme roll {i}" for i in range(1, n + 1))


def metric(listen, name):
    try:
        with urllib.request.urlopen(f"http://{listen}/metrics",
                                    timeout=5) as r:
            text = r.read().decode()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def body(t):
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-spool-")
    with tmp, Postgres() as pg, FixtureServer() as srv:
        spool = f"{tmp.name}/spool"
        conf = f"{tmp.name}/vigie.conf"
        listen = f"127.0.0.1:{PORT_BASE}"
        url = srv.url("/dynamic/roll.xml")
        roll = RollingFeed(srv, "roll.xml")
        # Two results in memory, then files.
        write_conf(conf, pg, spool, url, listen, spool_memory="4k")
        if not t.exited(vigie("migrate", "-c", conf), "migrate"):
            return
        proc = start_daemon(conf)
        try:
            proc = scenario(t, pg, srv, roll, conf, spool, url, listen,
                            proc)
        except TestFailure:
            print("--- daemon log (tail) ---\n" + "\n".join(
                line for line in daemon_log(proc).splitlines()
                if "not modified" not in line)[-6000:])
            raise
        finally:
            roll.stop()


def outage(t, pg, srv, roll, seconds, what, listen=None):
    """Stops the database for seconds while the feed rolls on; polling
    must go on meanwhile."""
    hits = srv.hits("/dynamic/roll.xml")
    pg.stop()
    time.sleep(seconds)
    t.ok(srv.hits("/dynamic/roll.xml") >= hits + seconds // 10 - 1,
         f"polled during the {what} ({srv.hits('/dynamic/roll.xml') - hits}"
         f" polls in {seconds} s)")
    if listen is not None:
        waiting = metric(listen, "vigie_spool_results")
        t.ok(waiting is not None and waiting > 0,
             f"vigie_spool_results during the {what}: {waiting}")
    pg.start()


def all_stored(t, pg, n, what):
    wait_until(lambda: set(want(n)) <= set(stored(pg)[0]), 120,
               f"every item up to {n} stored after the {what}")
    titles, rows = stored(pg)
    t.ok(set(want(n)) <= set(titles),
         f"nothing lost through the {what} (items 1 to {n})")
    t.eq(rows, len(titles), f"nothing stored twice through the {what}")
    wrong = [(title, text) for title, text in pg.query(
                 "SELECT title, coalesce(content, summary) FROM items")
             if text != text_of(int(title.split()[-1]))]
    t.ok(not wrong, f"every item with its text after the {what}: "
         f"{wrong[:3]}")


def damage_items(files):
    """A copy of the first of files whose first chunk has items, after
    the last of them, those items damaged (the first value's length past
    their end) as a disk might leave them; its path."""
    for path in files:
        data = path.read_bytes()
        m = re.search(rb"\n[0-9]+ bytes ([0-9]+)\n", data)
        if m and int(m.group(1)) >= 4:
            at = m.end()
            data = data[:at] + struct.pack("!i", 1 << 30) + data[at + 4:]
            copy = files[-1].with_name(
                f"{int(files[-1].stem, 16) + 1:016x}.spool")
            copy.write_bytes(data)
            return copy
    raise TestFailure("no spool file with items to damage")


def array_literal_items(text):
    """The elements of an array literal of quoted texts: {"a","b \\"c\\""}."""
    return [re.sub(r"\\(.)", r"\1", e)
            for e in re.findall(r'"((?:[^"\\]|\\.)*)"', text)]


# A value of a chunk's records, as version 3 writes them: its length
# (-1: none) then its bytes, binary, by type (harness.SAVE_ITEM_COLUMNS).
DECODE = {
    "text": lambda r: r.decode(),
    "text[]": lambda r: array_literal_items(r.decode()),
    "bigint": lambda r: struct.unpack("!q", r)[0],
    "real": lambda r: struct.unpack("!f", r)[0],
    "boolean": lambda r: r != b"\0",
}


def read_values(data, at, columns):
    """The values of columns at data[at:], as a dict; and where they end."""
    out = {}
    for key, kind in columns:
        (length,) = struct.unpack("!i", data[at:at + 4])
        at += 4
        value = None
        if length >= 0:
            raw = data[at:at + length]
            at += length
            value = DECODE[kind](raw)
        out[key] = value
    return out, at


def items_of(records, n):
    """The n items of a chunk's records (each item's values, the number
    of its mentions, theirs), as an earlier version's JSON."""
    items, at = [], 0
    for _ in range(n):
        item, at = read_values(records, at, SAVE_ITEM_COLUMNS)
        (_, count) = struct.unpack("!ii", records[at:at + 8])
        at += 8
        item["mentions"] = []
        for _ in range(count):
            mention, at = read_values(records, at, SAVE_MENTION_COLUMNS)
            item["mentions"].append(mention)
        items.append(item)
    if at != len(records):
        raise TestFailure(f"records of {n} items end at {at}, "
                          f"not {len(records)}")
    return items


def text_value(text):
    """text as a value of a binary array: its length (-1: none), its
    bytes."""
    if text is None:
        return struct.pack("!i", -1)
    data = text.encode()
    return struct.pack("!i", len(data)) + data


def to_earlier_version(path, version):
    """Rewrites a spool file as an earlier version wrote it: each chunk's
    items a JSON array rather than the records of version 3 ("N bytes
    LEN", then LEN bytes); their summaries and contents inside it
    (version 1) or beside it (version 2: a line "texts LEN", then each
    item's two as values of a binary array)."""
    magic, rest = path.read_bytes().split(b"\n", 1)
    if magic != b"vigie-spool 3":
        raise TestFailure(f"{path}: not a version 3 spool file: {magic!r}")
    fetch, rest = rest.split(b"\n", 1)
    out = [f"vigie-spool {version}".encode(), fetch]
    while True:
        line, rest = rest.split(b"\n", 1)
        if line == b"end":
            break
        size, word, length = line.split(b" ")
        if word != b"bytes":
            raise TestFailure(f"{path}: a chunk's line: {line!r}")
        records, rest = rest[:int(length)], rest[int(length) + 1:]
        items = items_of(records, int(size))
        texts = b""
        if version == 2:
            for item in items:
                texts += text_value(item.pop("summary"))
                texts += text_value(item.pop("content"))
        out.append(size + b" " + json.dumps(items).encode())
        if version == 2:
            out.append(b"texts %d\n" % len(texts) + texts)
    path.write_bytes(b"\n".join(out + [b"end"]) + b"\n")


def scenario(t, pg, srv, roll, conf, spool, url, listen, proc):
    wait_until(lambda: stored(pg)[0], 30, "the first items")

    # 30 seconds away.
    outage(t, pg, srv, roll, 30, "30-second outage", listen)
    all_stored(t, pg, roll.n, "30-second outage")
    t.eq(metric(listen, "vigie_spool_results"), 0.0,
         "the spool is empty once the database has it all")

    # Five minutes away: most results wait in files.
    pg.stop()
    hits = srv.hits("/dynamic/roll.xml")
    time.sleep(150)
    files = sorted(pathlib.Path(spool).glob("*.spool"))
    t.ok(len(files) >= 5, f"results in files during the outage: "
         f"{len(files)}")
    time.sleep(150)
    t.ok(srv.hits("/dynamic/roll.xml") >= hits + 25,
         f"polled all through the 5-minute outage "
         f"({srv.hits('/dynamic/roll.xml') - hits} polls)")
    pg.start()
    all_stored(t, pg, roll.n, "5-minute outage")
    wait_until(lambda: not list(pathlib.Path(spool).glob("*.spool")), 30,
               "the spool's files removed once stored")

    # Stopped and started again in the middle of an outage.
    pg.stop()
    time.sleep(20)
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        raise TestFailure("daemon still running 15 s after SIGTERM "
                          "with the database away") from None
    t.eq(code, 0, "exit status of a stop during an outage")
    log = daemon_log(proc)
    t.ok("kept in" in log, "the stop says where the results are kept")
    files = sorted(pathlib.Path(spool).glob("*.spool"))
    t.ok(files, "the results fetched before the stop are in files")
    t.ok(len(files) >= 2, f"results of two polls or more in files, to "
         f"rewrite as versions 1 and 2: {len(files)}")
    damaged = damage_items(files)
    for k, path in enumerate(files):
        to_earlier_version(path, 1 + k % 2)
    t.ok((pathlib.Path(spool) / "roster.json").exists(),
         "the schedule is kept for the next start")
    proc = start_daemon(conf)
    hits = srv.hits("/dynamic/roll.xml")
    wait_until(lambda: srv.hits("/dynamic/roll.xml") >= hits + 2, 40,
               "polls after a start with the database still away")
    t.ok("left by an earlier run" in daemon_log(proc),
         "the new daemon found the spooled results")
    time.sleep(10)
    pg.start()
    all_stored(t, pg, roll.n, "restart during an outage")
    wait_until(lambda: damaged.with_suffix(".rejected").exists(), 60,
               "the damaged file set aside")
    t.ok("a chunk's items are damaged" in daemon_log(proc),
         "the damaged file's items are named in the log")

    # No room: polling pauses, nothing fetched is lost.
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=15)
    write_conf(conf, pg, spool, url, listen, spool_memory=0,
               spool_max=1)
    proc = start_daemon(conf)
    wait_until(lambda: "database connected" in daemon_log(proc), 30,
               "the daemon to connect")
    wait_until(lambda: srv.hits("/dynamic/roll.xml") > hits, 30, "a poll")
    pg.stop()
    wait_until(lambda: "spool full" in daemon_log(proc), 40,
               "the spool to say it is full")
    t.eq(metric(listen, "vigie_spool_full"), 1.0, "vigie_spool_full")
    paused = srv.hits("/dynamic/roll.xml")
    # What the poll whose result found no room had read (one item less,
    # in case the feed changed as it was read).
    held = roll.served_at(srv.requests_for("/dynamic/roll.xml")[-1]["time"])
    held = [f"Acme roll {i}" for i in range(held - VISIBLE + 2, held)]
    time.sleep(25)
    t.eq(srv.hits("/dynamic/roll.xml"), paused,
         "no poll while the spool is full")
    pg.start()
    wait_until(lambda: set(held) <= set(stored(pg)[0]), 90,
               "the result held in memory stored once the database is "
               "back")
    wait_until(lambda: srv.hits("/dynamic/roll.xml") > paused, 60,
               "polling to resume")
    titles, rows = stored(pg)
    t.eq(rows, len(titles), "nothing stored twice after a full spool")

    # A schedule file cut short (a disk that filled, a hand that edited
    # it): said with its place, and polling goes on from the database.
    proc.send_signal(signal.SIGTERM)
    t.eq(proc.wait(timeout=15), 0, "exit status before the bad schedule")
    roster = pathlib.Path(spool) / "roster.json"
    roster.write_text(roster.read_text()[:40])
    proc = start_daemon(conf)
    wait_until(lambda: "database connected" in daemon_log(proc), 30,
               "the daemon to connect despite a bad schedule file")
    log = daemon_log(proc)
    t.ok(re.search(re.escape(str(roster)) + r":\d+: .*polling waits for "
                   r"the database", log),
         "the bad schedule file is named, with its line")
    # What is published from now on is stored (what fell off the feed
    # while no daemon ran is the restart's business, tested above).
    newer = [f"Acme roll {i}" for i in (roll.n + 1, roll.n + 2)]
    wait_until(lambda: set(newer) <= set(stored(pg)[0]), 60,
               "items published after a start with a bad schedule file")
    titles, rows = stored(pg)
    t.eq(rows, len(titles), "nothing stored twice after a bad schedule")
    proc.send_signal(signal.SIGTERM)
    t.eq(proc.wait(timeout=15), 0, "exit status after the bad schedule")
    t.ok(roster.read_text().lstrip().startswith("[") and
         '"id"' in roster.read_text(),
         "the schedule file written whole again at the stop")
    return proc


if __name__ == "__main__":
    run_test("it_spool", body)
