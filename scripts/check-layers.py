#!/usr/bin/env python3
"""check-layers.py - refuses a build whose sources break the layering of
daemon/ (docs/ARCHITECTURE.md): cmd -> service -> core, and a core that
needs no network, database, event loop or systemd.

usage: check-layers.py STAMP DAEMON_DIR

Every C file and header under DAEMON_DIR (the source tree's daemon/) is
read, so that a file added to a layer is checked without being listed
anywhere. A file of core/ may not
include libpq, libevent or libsystemd headers, nor anything of service/ or
cmd/; a file of service/ may not include anything of cmd/. Every violation
is printed as FILE:LINE: message and the script exits 1, so the build
stops there. On success it writes STAMP (a header the core library lists
as a source, which is how the build depends on this check), only when it
is missing, so that nothing is rebuilt for it.
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')

# What each layer may not include, and why, for the message.
FORBIDDEN = {
    "core": [
        (re.compile(r"^libpq-fe\.h$|^libpq/|^postgresql/"),
         "core includes libpq: the database belongs to service/"),
        (re.compile(r"^event2/|^event\.h$|^evhttp\.h$"),
         "core includes libevent: the event loop belongs to service/"),
        (re.compile(r"^systemd/"),
         "core includes libsystemd: systemd belongs to service/"),
        (re.compile(r"^service/"), "core includes service/: core is the "
         "bottom layer"),
        (re.compile(r"^cmd/"), "core includes cmd/: core is the bottom "
         "layer"),
    ],
    "service": [
        (re.compile(r"^cmd/"), "service includes cmd/: commands sit on "
         "top of the service"),
    ],
}


def layer_of(path, daemon_dir):
    parts = path.relative_to(daemon_dir).parts
    return parts[0] if len(parts) > 1 else None


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    stamp = pathlib.Path(sys.argv[1])
    daemon_dir = pathlib.Path(sys.argv[2]).resolve()
    errors = []
    for name in sorted(daemon_dir.rglob("*.[ch]")):
        rules = FORBIDDEN.get(layer_of(name, daemon_dir), [])
        if not rules:
            continue
        with open(name, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                for pattern, message in rules:
                    if pattern.search(m.group(1)):
                        errors.append(f"{name}:{lineno}: {message} "
                                      f"(#include {m.group(1)})")
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        return 1
    if not stamp.exists():
        stamp.write_text(
            "/* Generated: the layering of daemon/ was checked. */\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
