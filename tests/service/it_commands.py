"""
it_commands.py - the commands that reach a server, when it is not there
or says no: vigie migrate and vigie backtest with no database, vigie
discover on a page that answers 404 and on a port where nothing listens.
Each says why, starting "vigie: ", and exits 1; libpq's messages end
with a newline (and may hold a hint on a second line), which must not
leave an empty line behind.
"""

import os
import socket
import tempfile

from harness import FixtureServer, run_test, vigie, write_config


def says_why(t, p, start, what):
    """p exited 1 and its stderr starts with start, with no empty line."""
    t.exited(p, what, want=1)
    t.ok(p.stderr.startswith(start) and p.stderr.endswith("\n") and
         "" not in p.stderr[:-1].split("\n"),
         f"{what}: a message starting {start!r}, no empty line: "
         f"{p.stderr!r}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def body(t):
    with tempfile.TemporaryDirectory(prefix="vigie-it-commands-") as tmp:
        # A socket directory where no server runs.
        conf = write_config(os.path.join(tmp, "vigie.conf"),
                            f"host={tmp}/nothing dbname=vigie "
                            "connect_timeout=5", {})
        p = vigie("migrate", "-c", conf)
        says_why(t, p, "vigie: migrate: cannot connect to the database: ",
                 "migrate without a database")
        t.eq(p.stdout, "", "migrate without a database: nothing applied")
        p = vigie("backtest", "-c", conf, "--watch", "Acme", "--from",
                  "2026-01-01", "--to", "2026-01-02")
        says_why(t, p, "vigie: cannot connect to the database: ",
                 "backtest without a database")
        t.eq(p.stdout, "", "backtest without a database: no figures")

    srv = FixtureServer().start()
    url = srv.url("/site/none/")
    p = vigie("discover", url)
    says_why(t, p, f"vigie: {url}: HTTP 404", "discover on a 404")
    t.eq(p.stdout, "", "discover on a 404: no feed listed")
    url = f"http://127.0.0.1:{free_port()}/"
    p = vigie("discover", url)
    says_why(t, p, f"vigie: {url}: ", "discover with nothing listening")
    srv.stop()


if __name__ == "__main__":
    run_test("it_commands", body)
