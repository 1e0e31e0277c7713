#!/usr/bin/env python3
"""Writes a C file holding the SQL migrations, in order, for migrate.c."""
import os
import sys

out, inputs = sys.argv[1], sorted(sys.argv[2:], key=os.path.basename)
with open(out, "w", encoding="utf-8") as f:
    f.write("/* Generated from the schema directory by scripts/embed-migrations.py. */\n")
    f.write('#include "migrate.h"\n\n')
    f.write("const struct migration migrations[] = {\n")
    for path in inputs:
        name = os.path.basename(path)
        version = int(name.split("_", 1)[0])
        sql = open(path, "rb").read()
        tokens = ["\\%03o" % b if b < 0x20 or b >= 0x7f or b in b'"\\?'
                  else chr(b) for b in sql]
        # Split long literals (between escapes, never inside one) so that
        # compilers' string length limits are moot.
        f.write('\t{ %d, "%s", ' % (version, name))
        for i in range(0, len(tokens), 200):
            f.write('\n\t  "%s"' % "".join(tokens[i:i + 200]))
        f.write(" },\n")
    f.write("};\n")
    f.write("const size_t migrations_count = %d;\n" % len(inputs))
