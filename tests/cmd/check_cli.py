"""vigie check: exit status and output on good, bad and unusable input."""
import os
import subprocess
import tempfile

from harness import Checks, finish

VIGIE = os.environ["VIGIE"]
CONF = os.path.join(os.environ["FIXTURES"], "conf")
T = Checks("check_cli")


def check(args, want_rc, want_out, want_err):
    """Runs vigie with args; want_* are exact line lists or None."""
    p = subprocess.run([VIGIE] + args, capture_output=True, text=True,
                       timeout=60)
    out, err = p.stdout.splitlines(), p.stderr.splitlines()
    name = " ".join(args)
    T.ok(p.returncode == want_rc, f"{name}: exit {p.returncode}, expected "
         f"{want_rc}\n  stderr: {p.stderr!r}")
    if want_out is not None:
        T.ok(out == want_out, f"{name}: stdout {out!r}, expected {want_out!r}")
    if want_err is not None:
        T.ok(err == want_err, f"{name}: stderr\n    " + "\n    ".join(err) +
             "\n  expected\n    " + "\n    ".join(want_err))


def fx(name):
    return os.path.join(CONF, name)


check(["check", "-c", fx("good.conf")], 0,
      [fx("good.conf") + ": ok, 7 sources, 0 watches"], [])
check(["check", "-c", fx("minimal.conf")], 0,
      [fx("minimal.conf") + ": ok, 1 source, 0 watches"], [])

# The example shipped at the top of the tree must stay valid.
example = os.path.join(os.environ["FIXTURES"], "..", "..", "vigie.conf.example")
check(["check", "-c", example], 0, [example + ": ok, 2 sources, 3 watches"], [])

check(["check", "-c", fx("report-good.conf")], 0,
      [fx("report-good.conf") + ": ok, 0 sources, 1 watch, "
       "1 scheduled report"], [])
# A scheduled report: every mistake at its line, or its section's.
rep = fx("report.conf")
check(["check", "-c", rep], 1, [], [
    f"{rep}:14: bad every 'fortnightly' (expected daily, weekly or monthly)",
    f"{rep}:15: unknown tz 'Mars/Olympus_Mons' (expected a zone of the tz "
    "database, such as Europe/Paris or UTC)",
    f'{rep}:13: report "mensuel" has no every (daily, weekly or monthly)',
    f'{rep}:13: report "mensuel": no watch named "Initech"',
])

URL = "(expected an absolute http:// or https:// URL)"
DURATION = "(expected a number and a unit: ms, s, m, h or d, e.g. 15m)"
bad = fx("bad.conf")
opml = fx("bad.opml")
check(["check", "-c", bad], 1, [], [
    f"{bad}:2: key 'stray' outside of any section",
    f"{bad}:4: interval '5s' is out of range (10s to 30d)",
    f"{bad}:5: bad duration 'soon' for timeout {DURATION}",
    f"{bad}:6: bad size '10X' for max_body (expected a number of bytes "
    "and an optional unit: k, M or G, e.g. 10M)",
    f"{bad}:7: bad number 'lots' for concurrency (expected a whole number)",
    f"{bad}:8: per_host '0' is out of range (1 to 100)",
    f"{bad}:9: unknown key 'colour' in [poll]",
    f"{bad}:11: duplicate key 'timeout' in [poll] (first set at line 5)",
    f"{bad}:12: empty user_agent",
    f"{bad}:15: unknown log_level 'loud' (expected err, warning, notice, "
    "info or debug)",
    f"{bad}:17: unknown section [alerts]",
    f"{bad}:21: bad url 'ftp://example.com/feed' {URL}",
    f"{bad}:22: bad duration '1w' for interval {DURATION}",
    f"{bad}:23: bad lang 'fr fr' (expected a language tag such as fr or "
    "en-US)",
    f'{bad}:25: source "B" has no url',
    f'{bad}:28: duplicate source "A" (first defined at line 20)',
    f'{bad}:31: bad section [source A] (expected [source "NAME"])',
    f'{bad}:32: empty source name in [source ""]',
    f"{bad}:33: syntax error: expected 'key = value'",
    f"{bad}:34: syntax error: no ']' to close the section header",
    f"{bad}:37: bad url '/relative/feed.xml' {URL}",
    f"{bad}:40: interval '40d' is out of range (10s to 30d)",
    f'{bad}:43: unknown key \'colour\' in [source "D"]',
    f"{opml}:4: bad url 'gopher://example.com/feed' {URL}",
    f"{opml}:5: bad url 'feed.xml' {URL}",
])

check(["check", "-c", fx("notopml.conf")], 1, [], [
    fx("notopml.xml") + ":2: not an OPML document (root element <rss>, "
    "expected <opml>)"])
check(["check", "-c", fx("missing-opml.conf")], 1, [], [
    fx("missing.opml") + ": cannot read: No such file or directory"])
check(["check", "-c", fx("nonexistent.conf")], 1, [], [
    fx("nonexistent.conf") + ": cannot read: No such file or directory"])

# A relative -c: the OPML file is still found next to the configuration.
with tempfile.TemporaryDirectory() as tmp:
    os.makedirs(os.path.join(tmp, "etc"))
    with open(os.path.join(tmp, "etc", "v.conf"), "w") as f:
        f.write("[poll]\nopml = feeds.opml\n")
    with open(os.path.join(CONF, "feeds.opml")) as src, \
            open(os.path.join(tmp, "etc", "feeds.opml"), "w") as dst:
        dst.write(src.read())
    p = subprocess.run([VIGIE, "check", "-c", "etc/v.conf"], cwd=tmp,
                       capture_output=True, text=True, timeout=60)
    T.ok(p.returncode == 0 and
         p.stdout == "etc/v.conf: ok, 5 sources, 0 watches\n",
         f"relative -c: exit {p.returncode}, "
         f"stdout {p.stdout!r}, stderr {p.stderr!r}")

# Lines longer than inih's own buffer: an alert feed's URL, a conninfo.
with tempfile.TemporaryDirectory() as tmp:
    url = "https://www.google.com/alerts/feeds/" + "0123456789" * 200
    path = os.path.join(tmp, "long.conf")
    with open(path, "w") as f:
        f.write(f"[database]\nconninfo = host=db dbname=vigie "
                f"options={'x' * 500}\n; {'y' * 1000}\n"
                f"[source \"alerts\"]\nurl = {url}\n")
    check(["check", "-c", path], 0, [path + ": ok, 1 source, 0 watches"], [])
    # Over 64 KiB, a line is an error; the lines after it keep their numbers.
    with open(path, "w") as f:
        f.write(f"[poll]\nuser_agent = {'z' * 70000}\nper_host = 0\n")
    check(["check", "-c", path], 1, [], [
        f"{path}:2: line too long",
        f"{path}:3: per_host '0' is out of range (1 to 100)"])

# Without -c, the default path (only checkable where it is absent).
if not os.path.exists("/etc/vigie/vigie.conf"):
    check(["check"], 1, [], ["/etc/vigie/vigie.conf: cannot read: "
                             "No such file or directory"])

# Usage errors: unknown option, missing argument, stray operand.
check(["check", "-x"], 2, [], None)
check(["check", "-c"], 2, [], None)
check(["check", "-c", fx("good.conf"), "extra"], 2, [],
      ["usage: vigie check [-c FILE]"])
check(["check", "-h"], 0, ["usage: vigie check [-c FILE]"], [])

# A source type that is not one of the three, named with the choices.
with tempfile.TemporaryDirectory() as tmp:
    conf = os.path.join(tmp, "t.conf")
    with open(conf, "w") as f:
        f.write("[source \"x\"]\nurl = https://example.com/feed\n"
                "type = rss\n")
    check(["check", "-c", conf], 1, [],
          [f"{conf}:3: bad type 'rss' (expected auto, feed, html or json)"])

# A lower-case operator between terms: the configuration is accepted (it
# runs as written) and the likely mistake is named where it stands.
with tempfile.TemporaryDirectory() as tmp:
    conf = os.path.join(tmp, "w.conf")
    with open(conf, "w") as f:
        f.write("[database]\nconninfo = dbname=none\n\n"
                "[watch \"fai\"]\nquery = free ou orange\n\n"
                "[watch \"fr\"]\nquery = free OU \u00ab service client "
                "\u00bb SAUF promo\n")
    check(["check", "-c", conf], 0,
          [f"{conf}: ok, 0 sources, 2 watches"],
          [f"{conf}:5: column 14: warning: lower-case 'ou' is searched as "
           "a word, not an operator: write OU if an operator was meant"])

# A watch's own detector settings: accepted when they hold together,
# reported on the watch's lines otherwise, in an included file too.
with tempfile.TemporaryDirectory() as tmp:
    conf = os.path.join(tmp, "d.conf")
    inc = os.path.join(tmp, "niche.conf")
    with open(conf, "w") as f:
        f.write("[rules]\ninclude = niche.conf\n\n"
                "[detect]\nmin_count = 8\n\n"
                "[watch \"danone\"]\nquery = danone\nmin_count = 40\n"
                "cold_threshold = 150\n")
    with open(inc, "w") as f:
        f.write("[watch \"bledina\"]\nquery = bledina\nmin_count = 3\n"
                "cold_threshold = 10\n")
    check(["check", "-c", conf], 0, [f"{conf}: ok, 0 sources, 2 watches"],
          [])
    with open(conf, "a") as f:
        f.write("window = 7m\nescalate = 0.5\n"
                "[watch \"yaourt\"]\nquery = yaourt\nmin_count = 30\n")
    with open(inc, "a") as f:
        f.write("p_value = often\n")
    check(["check", "-c", conf], 1, [], [
        f"{inc}:5: bad number 'often' for p_value (expected a decimal "
        "number such as 3 or 0.0001)",
        f'{conf}:11: watch "danone": window must be a multiple of bucket',
        f'{conf}:13: watch "yaourt": cold_threshold must be between '
        "min_count and 1000000",
    ])

# Spreading stories: off in [detect], on for one watch; what cannot be a
# spread's settings is reported on its line.
with tempfile.TemporaryDirectory() as tmp:
    conf = os.path.join(tmp, "s.conf")
    with open(conf, "w") as f:
        f.write("[detect]\nspread_sites = 0\n\n"
                "[watch \"acme\"]\nquery = acme\nspread_sites = 5\n"
                "spread_window = 2h\n")
    check(["check", "-c", conf], 0, [f"{conf}: ok, 0 sources, 1 watch"],
          [])
    with open(conf, "a") as f:
        f.write("[watch \"globex\"]\nquery = globex\nspread_sites = 1\n"
                "[watch \"initech\"]\nquery = initech\n"
                "spread_window = 8d\n")
    check(["check", "-c", conf], 1, [], [
        f'{conf}:10: watch "globex": spread_sites must be 0 (off) or '
        "between 2 and 10000",
        f'{conf}:13: watch "initech": spread_window must be between 1m '
        "and 7d",
    ])

finish(T)
