#!/usr/bin/env python3
"""Writes a C file holding the SQL migrations, in order, for migrate.c.

Each migration is a byte array rather than a string literal: ISO C only
promises string literals of 4095 characters, and migrations are longer."""
import os
import sys

from cbytes import write_bytes

out, inputs = sys.argv[1], sorted(sys.argv[2:], key=os.path.basename)
with open(out, "w", encoding="utf-8") as f:
    f.write("/* Generated from the schema directory by "
            "scripts/embed-migrations.py. */\n")
    f.write('#include "service/db/migrate.h"\n\n')
    for i, path in enumerate(inputs):
        with open(path, "rb") as sql:
            write_bytes(f, "sql_%d" % i, sql.read())
        f.write("\n")
    f.write("const struct migration migrations[] = {\n")
    for i, path in enumerate(inputs):
        name = os.path.basename(path)
        version = int(name.split("_", 1)[0])
        f.write("\t{ %d, \"%s\", (const char *)sql_%d },\n" % (version, name, i))
    f.write("};\n")
    f.write("const size_t migrations_count = %d;\n" % len(inputs))
