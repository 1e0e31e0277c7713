"""
it_pgtap.py - the schema's own tests: runs every tests/pgtap/*.sql file
(pgTAP, each in a transaction it rolls back) against a freshly migrated
database and reads their TAP output. The daemon's statements that the
files test are given to them by name (:save_fetch, :claim_due...).
"""

import os
import pathlib
import re
import subprocess
import sys
import tempfile

from harness import (PG_BIN, PG_MAJOR, REPO_DIR, TESTS_DIR, Postgres,
                     run_test, vigie, write_config)

PGTAP_DIR = TESTS_DIR / "pgtap"
# pgTAP is packaged per server major version (postgresql-NN-pgtap).
EXTENSION = pathlib.Path(
    f"/usr/share/postgresql/{PG_MAJOR}/extension/pgtap.control")
SKIP = 77


# The daemon's statements the files run, each given as a variable of its
# name: the save (what it writes) and the claims of sources and of
# notifications (which leases they take).
STATEMENTS = ("save_fetch", "claim_due", "claim_once", "outbox_claim")


def statement(name):
    """The daemon's statement name as the build embeds it, without its
    comments."""
    sql = (REPO_DIR / f"daemon/service/db/sql/{name}.sql").read_text()
    return re.sub(r"--[^\n]*", "", sql).strip().rstrip(";")


def psql_file(pg, path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    names = [a for n in STATEMENTS for a in ("-v", f"{n}={statement(n)}")]
    return subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", *names,
         "-d", pg.conninfo, "-f", str(path)],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=120)


def check_tap(t, name, out):
    """A run passes when it printed a plan, as many results as planned,
    and no failure."""
    plan = None
    results = []
    for line in out.splitlines():
        m = re.match(r"^1\.\.(\d+)$", line)
        if m:
            plan = int(m.group(1))
            continue
        m = re.match(r"^(not ok|ok) (\d+)", line)
        if m:
            results.append((m.group(1) == "ok", line))
    failed = [line for good, line in results if not good]
    t.ok(plan is not None, f"{name}: a plan was printed")
    t.eq(len(results), plan, f"{name}: results against plan")
    t.ok(not failed, f"{name}: failures:\n" + out)
    return len(results)


def body(t):
    files = sorted(PGTAP_DIR.glob("*.sql"))
    t.ok(len(files) >= 3, f"pgTAP files found in {PGTAP_DIR}")
    tmp = tempfile.TemporaryDirectory(prefix="vigie-it-pgtap-")
    with tmp, Postgres() as pg:
        conf = write_config(f"{tmp.name}/vigie.conf", pg.conninfo, {})
        t.exited(vigie("migrate", "-c", conf), "migrate")
        total = 0
        for path in files:
            p = psql_file(pg, path)
            if not t.exited(p, f"psql -f {path.name}"):
                print(p.stdout)
                continue
            total += check_tap(t, path.name, p.stdout)
        print(f"{total} pgTAP assertions in {len(files)} files")


if __name__ == "__main__":
    if not (PG_BIN / "initdb").exists():
        print("SKIP: no PostgreSQL server found (looked for "
              "/usr/lib/postgresql/*/bin/initdb and $VIGIE_PG_BIN)")
        sys.exit(SKIP)
    if not EXTENSION.exists():
        print(f"SKIP: pgTAP for PostgreSQL {PG_MAJOR} is not installed "
              f"({EXTENSION} missing: install postgresql-{PG_MAJOR}-pgtap)")
        sys.exit(SKIP)
    run_test("it_pgtap", body)
