"""
unit_check.py - what `meson install` lays down, and the service unit
judged by systemd's own tools: the expected files at their usual places
(binary, unit, sysusers file, configuration kept once edited, rules,
schema, man pages), the man pages covering every command and every
configuration key, `systemd-analyze verify` clean, and an exposure score
of 2.0 or below from `systemd-analyze security --offline=true`. And
/regex/ watches still match under the unit's MemoryDenyWriteExecute=yes,
imitated by a seccomp filter: PCRE2's JIT cannot get executable memory,
and the matcher must fall back to the interpreter at run time.

The install goes to a DESTDIR under a temporary directory, from the build
directory that holds $VIGIE. Exits 77 (skipped) when systemd-analyze is
missing, once the install checks have passed.
"""

import ctypes
import json
import os
import platform
import struct
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

from harness import REPO_DIR, Checks, finish, vigie_path

SKIP = 77


def run(cmd, **kw):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, errors="replace", timeout=300, **kw)


def build_options(build):
    p = run(["meson", "introspect", "--buildoptions", str(build)])
    if p.returncode != 0:
        raise SystemExit(f"FAIL: meson introspect: {p.stderr}")
    opts = {o["name"]: o["value"] for o in json.loads(p.stdout)}
    prefix = pathlib.PurePosixPath(opts["prefix"])
    # A relative directory is under the prefix; an absolute one (meson
    # makes sysconfdir /etc for the /usr prefix) stands alone.
    return {k: str(prefix / opts[k]) for k in
            ("bindir", "datadir", "mandir", "sysconfdir")} | {
                "prefix": str(prefix)}


def under(dest, path):
    return pathlib.Path(str(dest) + path)


def install(t, build, dest):
    p = run(["meson", "install", "--no-rebuild", "--quiet", "-C", str(build),
             "--destdir", str(dest)])
    return t.ok(p.returncode == 0,
                f"meson install: exit {p.returncode}\n{p.stdout}{p.stderr}")


def unit_settings(text):
    """Key to list of values, from a unit file's text."""
    settings = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;[" or "=" not in line:
            continue
        key, value = line.split("=", 1)
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def check_install(t, build, dest, d):
    binary = under(dest, d["bindir"] + "/vigie")
    t.ok(os.access(binary, os.X_OK), f"{binary} is not installed")

    lib = d["prefix"] + "/lib"
    unit_path = under(dest, lib + "/systemd/system/vigie.service")
    if not t.ok(unit_path.is_file(), f"{unit_path} is not installed"):
        return None
    unit = unit_settings(unit_path.read_text())
    conf = d["sysconfdir"] + "/vigie/vigie.conf"
    t.eq(unit.get("ExecStart"), [f"{d['bindir']}/vigie run -c {conf}"],
         "the unit's ExecStart")
    t.eq(unit.get("Type"), ["notify"], "the unit's Type")
    t.ok(unit.get("WatchdogSec"), "the unit has no WatchdogSec")
    t.ok(any("-HUP $MAINPID" in v for v in unit.get("ExecReload", [])),
         f"ExecReload does not send SIGHUP: {unit.get('ExecReload')}")
    t.eq(unit.get("User"), ["vigie"], "the unit's User")
    families = " ".join(unit.get("RestrictAddressFamilies", [])).split()
    t.eq(sorted(families), ["AF_INET", "AF_INET6", "AF_UNIX"],
         "RestrictAddressFamilies (name resolution and feeds need these)")

    sysusers = under(dest, lib + "/sysusers.d/vigie.conf")
    t.ok(sysusers.is_file() and
         re.search(r"^u\s+vigie\s", sysusers.read_text(), re.M),
         f"{sysusers}: no 'u vigie' line")

    # The example becomes the configuration, which a new install keeps.
    example = (REPO_DIR / "vigie.conf.example").read_text()
    installed = under(dest, conf)
    if t.ok(installed.is_file(), f"{installed} is not installed"):
        t.ok(installed.read_text() == example,
             f"{installed} differs from vigie.conf.example")
        p = run([str(binary), "check", "-c", str(installed)])
        t.ok(p.returncode == 0,
             f"vigie check on the installed configuration: "
             f"{p.returncode}\n{p.stderr}")
        installed.write_text(example + "\n; edited by the operator\n")
        if install(t, build, dest):
            t.ok(installed.read_text().endswith("; edited by the operator\n"),
                 "a second meson install overwrote an edited configuration")
    t.ok(under(dest, d["datadir"] + "/doc/vigie/vigie.conf.example")
         .is_file(), "vigie.conf.example is not installed under doc/")

    # The rules where the binary looks for them once installed.
    rules = d["datadir"] + "/vigie/rules"
    t.ok(under(dest, rules + "/lexicons/en.tsv").is_file()
         and under(dest, rules + "/lexicons/fr.tsv").is_file(),
         f"lexicons missing under {rules}")
    t.ok(rules.encode() + b"\0" in binary.read_bytes(),
         f"the binary does not look for its rules in {rules}")

    for sql in sorted((REPO_DIR / "schema").glob("*.sql")):
        t.ok(under(dest, d["datadir"] + "/vigie/schema/" + sql.name)
             .read_bytes() == sql.read_bytes(),
             f"schema/{sql.name} is not installed")

    for page, section in (("vigie.1", 1), ("vigie.conf.5", 5)):
        path = under(dest, f"{d['mandir']}/man{section}/{page}")
        t.ok(path.is_file() and
             path.read_text().find(f'.TH "{page.rsplit(".", 1)[0]}" '
                                   f'"{section}"') >= 0,
             f"man page {path} missing or not a man page")
    return unit_path


def check_man_coverage(t):
    """Every command of `vigie --help` is in vigie(1), every key of
    conf_keys.c's table in its section of vigie.conf(5)."""
    p = run([vigie_path(), "--help"])
    commands = re.findall(r"^\s+vigie (\w+)", p.stdout, re.M)
    t.ok(len(commands) >= 5, f"vigie --help lists too few: {commands}")
    page1 = (REPO_DIR / "docs/vigie.1.scd").read_text()
    for c in commands:
        t.ok(re.search(rf"^\*{c}\*", page1, re.M),
             f"vigie(1) does not document the command {c}")

    page5 = (REPO_DIR / "docs/vigie.conf.5.scd").read_text()
    sections = {}
    for m in re.finditer(r"^# \[(\w+)[^\n]*\n(.*?)(?=^# )", page5,
                         re.M | re.S):
        sections[m.group(1).upper()] = m.group(2)
    config = REPO_DIR / "daemon/core/config"
    keys = re.findall(r'\{\s*SECT_(\w+), "(\w+)"',
                      (config / "conf_keys.c").read_text())
    t.ok(len(keys) >= 40, f"too few keys read from conf_keys.c: {len(keys)}")
    # The table's declared size: a row the pattern above cannot read
    # would otherwise go unchecked.
    m = re.search(r"#define CONF_NKEYS (\d+)",
                  (config / "conf_keys.h").read_text())
    t.ok(m and int(m.group(1)) == len(keys),
         f"conf_keys.c: read {len(keys)} keys, CONF_NKEYS says "
         f"{m and m.group(1)}")
    for section, key in keys:
        text = sections.get(section, "")
        t.ok(re.search(r"\*" + re.escape(key.replace("_", "\\_")) + r"\*",
                       text),
             f"vigie.conf(5) does not document [{section.lower()}] {key}")


def check_systemd(t, unit_path, dest, d):
    # verify needs ExecStart's binary to exist, and man: to resolve: the
    # copy points at the DESTDIR's binary and MANPATH at its man pages.
    work = pathlib.Path(tempfile.mkdtemp(prefix="vigie-unit-"))
    try:
        unit = work / "vigie.service"
        unit.write_text(unit_path.read_text().replace(
            d["bindir"] + "/vigie", str(under(dest, d["bindir"] + "/vigie"))))
        env = dict(os.environ, MANPATH=str(under(dest, d["mandir"])))
        p = run(["systemd-analyze", "verify", str(unit)], env=env)
        t.ok(p.returncode == 0 and p.stderr.strip() == "",
             f"systemd-analyze verify: exit {p.returncode}\n{p.stderr}")

        p = run(["systemd-analyze", "security", "--offline=true",
                 "--threshold=20", str(unit)])
        t.ok(p.returncode == 0,
             f"systemd-analyze security over the threshold (2.0): exit "
             f"{p.returncode}\n{p.stdout[-3000:]}{p.stderr}")
        m = re.search(r"Overall exposure level for vigie\.service: "
                      r"([0-9.]+) (\w+)", p.stdout)
        if t.ok(m, f"no exposure level in:\n{p.stdout[-2000:]}"):
            print(f"exposure level: {m.group(1)} {m.group(2)}")
            t.ok(float(m.group(1)) <= 2.0 and m.group(2) == "OK",
                 f"exposure {m.group(1)} {m.group(2)}, want 2.0 or below, OK")
    finally:
        shutil.rmtree(work, ignore_errors=True)


# MemoryDenyWriteExecute=yes as systemd builds it (x86-64): mmap asking for
# both write and exec, and mprotect or pkey_mprotect adding exec, fail with
# EPERM.
_BPF_LD_ABS, _BPF_JEQ, _BPF_AND, _BPF_RET = 0x20, 0x15, 0x54, 0x06
_ALLOW, _EPERM = 0x7FFF0000, 0x00050000 | 1
_WX_FILTER = [
    (_BPF_LD_ABS, 0, 0, 4),             # arch
    (_BPF_JEQ, 1, 0, 0xC000003E),       # AUDIT_ARCH_X86_64
    (_BPF_RET, 0, 0, _ALLOW),
    (_BPF_LD_ABS, 0, 0, 0),             # syscall number
    (_BPF_JEQ, 0, 3, 9),                # mmap
    (_BPF_LD_ABS, 0, 0, 32),            # prot (args[2], low word)
    (_BPF_AND, 0, 0, 6),                # PROT_WRITE | PROT_EXEC
    (_BPF_JEQ, 6, 5, 6),
    (_BPF_JEQ, 1, 0, 10),               # mprotect
    (_BPF_JEQ, 0, 3, 329),              # pkey_mprotect
    (_BPF_LD_ABS, 0, 0, 32),
    (_BPF_AND, 0, 0, 4),                # PROT_EXEC
    (_BPF_JEQ, 1, 0, 4),
    (_BPF_RET, 0, 0, _ALLOW),
    (_BPF_RET, 0, 0, _EPERM),
]


def _deny_wx():
    """preexec_fn: installs the filter in the child, before exec."""
    libc = ctypes.CDLL(None, use_errno=True)
    code = b"".join(struct.pack("=HBBI", *ins) for ins in _WX_FILTER)
    buf = ctypes.create_string_buffer(code)

    class Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = Prog(len(_WX_FILTER), ctypes.addressof(buf))
    # PR_SET_NO_NEW_PRIVS, then PR_SET_SECCOMP with SECCOMP_MODE_FILTER.
    if libc.prctl(38, 1, 0, 0, 0) != 0 or \
            libc.prctl(22, 2, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "cannot install the W^X filter")


def check_regex_without_jit(t):
    if platform.machine() != "x86_64":
        print("not x86-64: /regex/ under W^X not checked")
        return
    # The filter bites: a writable and executable mapping is refused.
    p = subprocess.run(
        [sys.executable, "-c", "import mmap; mmap.mmap(-1, 4096, "
         "prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)"],
        preexec_fn=_deny_wx, capture_output=True, text=True, timeout=60)
    if not t.ok(p.returncode != 0 and "PermissionError" in p.stderr,
                f"the W^X filter let a W+X mapping through: {p.stderr}"):
        return
    with tempfile.NamedTemporaryFile("w", suffix=".conf") as conf:
        conf.write('[watch "Rx"]\nquery = /acm[e3]\\s+corp/ OR zork\n')
        conf.flush()
        p = subprocess.run(
            [vigie_path(), "score", "-c", conf.name, "Acm3  Corp again",
             "acme incorporated"],
            preexec_fn=_deny_wx, capture_output=True, text=True,
            timeout=60)
    rows = [json.loads(ln) for ln in p.stdout.splitlines()]
    t.ok(p.returncode == 0 and [r.get("watches") for r in rows] ==
         [["Rx"], []],
         f"/regex/ watch under W^X: exit {p.returncode}, "
         f"{p.stdout}{p.stderr}")


def main():
    t = Checks("unit_check")
    build = pathlib.Path(vigie_path()).resolve().parent
    d = build_options(build)
    dest = pathlib.Path(tempfile.mkdtemp(prefix="vigie-destdir-"))
    skipped = False
    try:
        if install(t, build, dest):
            unit_path = check_install(t, build, dest, d)
            if shutil.which("systemd-analyze") is None:
                print("systemd-analyze not found: unit not checked")
                skipped = True
            elif unit_path is not None:
                check_systemd(t, unit_path, dest, d)
        check_man_coverage(t)
        check_regex_without_jit(t)
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    finish(t, skipped)


if __name__ == "__main__":
    main()
