#!/usr/bin/env python3
"""
harness_check.py - the test harnesses themselves refuse a test that
checks nothing.

- tests/harness.py: run_test() (and finish()) fail a body that made no
  check, pass one whose checks all held, fail one with a failed check.
- The cmocka unit tests: every function registered with
  cmocka_unit_test() asserts something, itself or through a static helper
  of the same file (cmocka counts no assertions, so this is read from the
  source).
"""
import pathlib
import re
import subprocess
import sys

from harness import Checks, finish

TESTS = pathlib.Path(__file__).resolve().parent
T = Checks("harness_check")


def run_body(body):
    """Exit status of a run_test() whose body is the given Python code."""
    code = ("import sys; sys.path.insert(0, %r)\n"
            "from harness import run_test\n"
            "def body(t):\n    %s\n"
            "run_test('probe', body)\n") % (str(TESTS), body)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stdout


rc, out = run_body("pass")
T.ok(rc == 1 and "made no check" in out,
     f"a body with no check: exit {rc}, {out!r}, want exit 1")
rc, out = run_body("t.ok(True, 'holds')")
T.eq(rc, 0, "a body whose one check held")
rc, out = run_body("t.ok(False, 'fails')")
T.eq(rc, 1, "a body with a failed check")
rc, out = run_body("raise RuntimeError('boom')")
T.eq(rc, 1, "a body that raised")

FUNC = re.compile(r"^(?:static\s+)?\w[\w\s\*]*?\b(\w+)\(([^)]*)\)\s*\n\{\n"
                  r"(.*?)^\}", re.M | re.S)
# A macro's body, continuation lines joined.
MACRO = re.compile(r"^#define\s+(\w+)\([^)]*\)((?:[^\n]*\\\n)*[^\n]*)", re.M)
REGISTERED = re.compile(r"cmocka_unit_test(?:_setup_teardown)?\((\w+)")

unit_files = sorted((TESTS / "core").glob("test_*.c"))
T.ok(len(unit_files) >= 10, f"only {len(unit_files)} cmocka files found")
for path in unit_files:
    src = path.read_text()
    bodies = {m.group(1): m.group(3) for m in FUNC.finditer(src)}
    bodies.update({m.group(1): m.group(2) for m in MACRO.finditer(src)})
    asserting = {n for n, b in bodies.items() if "assert_" in b or
                 "fail_msg(" in b or "fail()" in b}
    # Helpers that call an asserting helper assert too.
    changed = True
    while changed:
        changed = False
        for n, b in bodies.items():
            if n not in asserting and any(
                    re.search(r"\b%s\(" % re.escape(a), b)
                    for a in asserting):
                asserting.add(n)
                changed = True
    names = REGISTERED.findall(src)
    T.ok(names, f"{path.name}: no cmocka_unit_test() found")
    for name in names:
        T.ok(name in asserting,
             f"{path.name}: {name} makes no assertion, directly or "
             f"through a helper of its file")

finish(T)
