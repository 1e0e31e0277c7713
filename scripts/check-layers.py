#!/usr/bin/env python3
"""check-layers.py - refuses a build whose sources break the layering of
daemon/ (docs/ARCHITECTURE.md): cmd -> service -> core, a core that needs
no network, database, event loop or systemd, and headers that include
each other in no cycle.

usage: check-layers.py STAMP DAEMON_DIR

Every C file and header under DAEMON_DIR (the source tree's daemon/) is
read, so that a file added to a layer is checked without being listed
anywhere. A file of core/ may not
include libpq, libevent or libsystemd headers, nor anything of service/ or
cmd/; a file of service/ may not include anything of cmd/; and no header
of daemon/ may reach itself through the headers it includes. Every
violation
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


def quoted_includes(path):
    """(line number, name) of each quoted include of a file."""
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            m = re.match(r'^\s*#\s*include\s*"([^"]+)"', line)
            if m:
                yield lineno, m.group(1)


def include_cycles(daemon_dir):
    """Each include cycle among the headers of daemon_dir, once, as
    "FILE:LINE: include cycle: a.h -> b.h -> a.h" (FILE:LINE being the
    include that closes it)."""
    graph = {}
    for h in sorted(daemon_dir.rglob("*.h")):
        name = str(h.relative_to(daemon_dir))
        graph[name] = [(n, inc, h) for n, inc in quoted_includes(h)
                       if (daemon_dir / inc).is_file()]
    errors, seen, done = [], set(), set()

    def visit(node, stack):
        if node in done:
            return
        if node in stack:
            cycle = stack[stack.index(node):] + [node]
            key = frozenset(cycle)
            if key not in seen:
                seen.add(key)
                errors.append(cycle)
            return
        stack.append(node)
        for _, inc, _ in graph.get(node, []):
            visit(inc, stack)
        stack.pop()
        done.add(node)

    for node in graph:
        visit(node, [])
    out = []
    for cycle in errors:
        last, first = cycle[-2], cycle[-1]
        lineno, _, path = next(e for e in graph[last] if e[1] == first)
        out.append(f"{path}:{lineno}: include cycle: " + " -> ".join(cycle))
    return out


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
    errors += include_cycles(daemon_dir)
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
