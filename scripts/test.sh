#!/usr/bin/env bash
# test.sh - the whole test suite: the formatting of every C file, every
# suite in build/, the unit tests under valgrind, every suite again in
# build-asan/ (AddressSanitizer and UndefinedBehaviorSanitizer, both
# fatal), and each fuzz target for a short while (scripts/fuzz.sh). Runs
# them all even when one fails, then prints "N passed, N failed" as its
# last line (after "N skipped" when any was).
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || exit 1

export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
build_failures=0

# run NAME LOGFILE COMMAND...: runs one meson test invocation and keeps
# the JSON log it writes, so that later runs cannot overwrite it.
run() {
	local name=$1 log=$2
	shift 2
	echo "== $name: $*"
	rm -f "$log"
	"$@"
	if [[ -f $log ]]; then
		cp "$log" "$results/$name.json"
	else
		echo "test: $name produced no $log" >&2
		build_failures=$((build_failures + 1))
	fi
}

# The committed .clang-format is the style: every C file of the tree must
# already be formatted by it. Counted as one test in the summary.
format_check() {
	local out result=OK
	out=$(git ls-files -z -- '*.c' '*.h' |
	    xargs -0 clang-format --dry-run --Werror 2>&1) || result=FAIL
	echo "== clang-format: $result"
	python3 -c 'import json, sys
print(json.dumps({"name": "clang-format", "result": sys.argv[1],
                  "stdout": sys.argv[2]}))' "$result" "$out" \
	    >"$results/format.json"
}
format_check

run build build/meson-logs/testlog.json \
    meson test -C build --print-errorlogs
run valgrind build/meson-logs/testlog-valgrind.json \
    meson test -C build --setup valgrind --suite unit --print-errorlogs

if [[ ! -f build-asan/build.ninja ]] &&
    ! meson setup build-asan -Db_sanitize=address,undefined \
	-Db_lundef=false >/dev/null; then
	echo "test: meson setup build-asan failed" >&2
	build_failures=$((build_failures + 1))
elif ! meson compile -C build-asan >/dev/null; then
	echo "test: build-asan does not compile" >&2
	meson compile -C build-asan 2>&1 | tail -n 30 >&2
	build_failures=$((build_failures + 1))
else
	run asan build-asan/meson-logs/testlog.json \
	    meson test -C build-asan --print-errorlogs
fi

# A short run of every fuzz target (tests/fuzz, with ASan and UBSan), each
# counted as a test: a crash or a sanitizer's report fails it. Its input
# is left in build-fuzz/ (scripts/fuzz.sh runs them for longer).
fuzz_check() {
	local out
	out=$(bash scripts/fuzz.sh "${FUZZ_SECONDS:-20}" 2>&1)
	echo "$out"
	python3 - "$out" >"$results/fuzz.json" <<'PY'
import json, sys
lines = sys.argv[1].splitlines()
targets = [l for l in lines if l.startswith("fuzz_")]
for l in targets:
    name = l.split(":")[0]
    print(json.dumps({"name": name,
                      "result": "OK" if l.endswith(", OK") else "FAIL",
                      "stdout": sys.argv[1]}))
if not targets:
    print(json.dumps({"name": "fuzz", "result": "FAIL",
                      "stdout": sys.argv[1]}))
PY
}
echo "== fuzz"
fuzz_check

python3 - "$results" "$build_failures" <<'PY'
import json, pathlib, sys

results, build_failures = pathlib.Path(sys.argv[1]), int(sys.argv[2])
passed = failed = skipped = 0
for log in sorted(results.glob("*.json")):
    for line in log.read_text().splitlines():
        if not line.strip():
            continue
        t = json.loads(line)
        r = t.get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
            print(f"\n---- {log.stem}: {t.get('name')} {r} "
                  f"(last lines) ----")
            out = (t.get("stdout") or "") + (t.get("stderr") or "")
            print("\n".join(out.splitlines()[-30:]))
failed += build_failures
# The last line is always "N passed, N failed", which CI reads; skips,
# if any, are said on the line before.
if skipped:
    print(f"{skipped} skipped")
print(f"{passed} passed, {failed} failed")
sys.exit(0 if failed == 0 and passed > 0 else 1)
PY
