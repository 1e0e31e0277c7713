#!/usr/bin/env python3
"""
layers_check.py - scripts/check-layers.py, which the build runs before the
core library, refuses each kind of violation of daemon/'s layering, says
where as FILE:LINE, and accepts the real tree.
"""
import pathlib
import subprocess
import sys
import tempfile

from harness import REPO_DIR, Checks, finish

SCRIPT = REPO_DIR / "scripts" / "check-layers.py"
T = Checks("layers_check")


def check(tree):
    """Runs the script over a daemon/ made of tree {path: text}; returns
    (exit status, stderr, whether the stamp was written)."""
    with tempfile.TemporaryDirectory(prefix="vigie-layers-") as tmp:
        daemon = pathlib.Path(tmp) / "daemon"
        for path, text in tree.items():
            (daemon / path).parent.mkdir(parents=True, exist_ok=True)
            (daemon / path).write_text(text)
        stamp = pathlib.Path(tmp) / "stamp.h"
        p = subprocess.run([sys.executable, str(SCRIPT), str(stamp),
                            str(daemon)], capture_output=True, text=True,
                           timeout=60)
        return p.returncode, p.stderr, stamp.exists()


GOOD = {
    "core/read/a.h": "#include <stddef.h>\n",
    "core/read/a.c": '#include "core/read/a.h"\n#include <curl/curl.h>\n',
    "service/s.c": '#include "core/read/a.h"\n#include <libpq-fe.h>\n'
                   '#include <event2/event.h>\n#include <systemd/sd-daemon.h>\n',
    "cmd/c.c": '#include "service/s.h"\n#include "core/read/a.h"\n',
}
rc, err, stamped = check(GOOD)
T.ok(rc == 0 and stamped and err == "",
     f"a well-layered tree: exit {rc}, stamp {stamped}, {err!r}")

CASES = [
    ("core/read/b.c", "\n#include <libpq-fe.h>\n", "b.c:2:", "libpq"),
    ("core/judge/b.c", "#include <event2/event.h>\n", "b.c:1:", "libevent"),
    ("core/b.h", "#include <systemd/sd-daemon.h>\n", "b.h:1:", "libsystemd"),
    ("core/alert/b.c", '#include "service/db/store.h"\n', "b.c:1:",
     "core includes service/"),
    ("core/base/b.c", '#include "cmd/cmd.h"\n', "b.c:1:",
     "core includes cmd/"),
    ("service/b.c", '#include "cmd/cmd.h"\n', "b.c:1:",
     "service includes cmd/"),
]
for path, text, where, what in CASES:
    rc, err, stamped = check(GOOD | {path: text})
    T.ok(rc == 1 and not stamped and where in err and what in err,
         f"{path} with {text.strip()!r}: exit {rc}, stamp {stamped}, "
         f"{err!r}")

rc, err, stamped = check(GOOD | {
    "core/x.h": '#include "core/y.h"\n',
    "core/y.h": '#include <stdint.h>\n#include "core/x.h"\n',
})
T.ok(rc == 1 and not stamped and "include cycle" in err and
     "core/x.h" in err and "core/y.h" in err and err.count("\n") == 1,
     f"a cycle of two headers, reported once: exit {rc}, {err!r}")

# The tree as it is.
with tempfile.TemporaryDirectory() as tmp:
    p = subprocess.run([sys.executable, str(SCRIPT), f"{tmp}/stamp.h",
                        str(REPO_DIR / "daemon")], capture_output=True,
                       text=True, timeout=60)
T.ok(p.returncode == 0, f"daemon/ itself: exit {p.returncode}, {p.stderr}")

finish(T)
