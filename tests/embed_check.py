#!/usr/bin/env python3
"""
embed_check.py - scripts/embed-statements.py, which compiles the store's
SQL files into the binary, refuses what would fail only at run time: a
parameter number skipped, a file name that is no C identifier, an empty
statement, two statements of one name; and counts the parameters of a
good one.
"""
import pathlib
import subprocess
import sys
import tempfile

from harness import REPO_DIR, Checks, finish

SCRIPT = REPO_DIR / "scripts" / "embed-statements.py"
T = Checks("embed_check")


def embed(files):
    """Runs the script over files {relative path: text}; returns (exit
    status, stderr, the generated C or None)."""
    with tempfile.TemporaryDirectory(prefix="vigie-embed-") as tmp:
        paths = []
        for name, text in files.items():
            path = pathlib.Path(tmp) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            paths.append(str(path))
        out = pathlib.Path(tmp) / "out.c"
        p = subprocess.run([sys.executable, str(SCRIPT), str(out), *paths],
                           capture_output=True, text=True, timeout=60)
        return (p.returncode, p.stderr,
                out.read_text() if out.exists() else None)


rc, err, c = embed({"claim.sql": "-- why\nSELECT $1::int, $3, $2\n"})
T.ok(rc == 0 and c is not None, f"a good statement: exit {rc}, {err}")
T.ok(c is not None and '"claim", (const char *)sql_claim, 3' in c,
     "its name and its 3 parameters")
T.ok(c is not None and str(ord("-")) + ", " + str(ord("-")) not in c,
     "whole-line comments are not sent")

for files, what in [
        ({"gap.sql": "SELECT $1, $3"}, "$2 is never used"),
        ({"Bad-name.sql": "SELECT 1"}, "not NAME.sql"),
        ({"empty.sql": "-- nothing\n\n"}, "no statement"),
        ({"a/same.sql": "SELECT 1", "b/same.sql": "SELECT 2"},
         "share a name")]:
    rc, err, c = embed(files)
    T.ok(rc != 0 and what in err and c is None,
         f"{sorted(files)}: exit {rc}, {err!r}, want {what!r}")

finish(T)
