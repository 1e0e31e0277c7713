#!/usr/bin/env python3
"""Writes a C file holding the store's SQL statements, one named constant
each, for the store's files (service/db/store_int.h declares them).

usage: embed-statements.py OUT FILE.sql...

Each FILE.sql holds one statement. Its name is the file's without .sql:
the prepared statement's name, and the constant's (stmt_NAME). Whole-line
comments ("-- why") and blank lines are for the reader of the file and
are left out of what is sent. The parameter count is the highest $N; a
statement that skips a number is refused, since PostgreSQL could not tell
the missing parameter's type when preparing it.

A statement is a byte array rather than a string literal, as the
migrations are (embed-migrations.py): ISO C only promises string
literals of 4095 characters, concatenated pieces included, and save_fetch
is longer."""
import os
import re
import sys

from cbytes import write_bytes

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
PARAM = re.compile(r"\$([0-9]+)")


def statement(path):
    """The statement's name, the text to send and its parameter count."""
    name = os.path.basename(path)[:-len(".sql")]
    if not path.endswith(".sql") or not NAME.match(name):
        sys.exit(f"{path}: not NAME.sql with NAME a C identifier")
    lines = open(path, encoding="utf-8").read().splitlines()
    sql = "\n".join(line.rstrip() for line in lines
                    if line.strip() and not line.lstrip().startswith("--"))
    if not sql:
        sys.exit(f"{path}: no statement")
    used = {int(n) for n in PARAM.findall(sql)}
    nparams = max(used, default=0)
    missing = sorted(set(range(1, nparams + 1)) - used)
    if missing:
        sys.exit(f"{path}: ${missing[0]} is never used, ${nparams} is")
    return name, sql.encode("utf-8"), nparams


def main():
    out, inputs = sys.argv[1], sorted(sys.argv[2:], key=os.path.basename)
    statements = [statement(path) for path in inputs]
    names = [s[0] for s in statements]
    if len(set(names)) != len(names):
        sys.exit("two statements share a name")
    with open(out, "w", encoding="utf-8") as f:
        f.write("/* Generated from daemon/service/db/sql/ by "
                "scripts/embed-statements.py. */\n")
        f.write('#include "service/db/store_int.h"\n\n')
        for name, sql, nparams in statements:
            write_bytes(f, "sql_%s" % name, sql)
            f.write("const struct store_stmt stmt_%s = {\n"
                    "\t\"%s\", (const char *)sql_%s, %d\n};\n\n"
                    % (name, name, name, nparams))
        f.write("const struct store_stmt *const store_stmts[] = {\n")
        for name in names:
            f.write("\t&stmt_%s,\n" % name)
        f.write("};\n")
        f.write("const size_t store_stmts_count = %d;\n" % len(names))


main()
