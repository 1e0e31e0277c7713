#!/usr/bin/env bash
# fuzz.sh [SECONDS] [TARGET...] - runs the libFuzzer targets of tests/fuzz
# (feed, html, query, config, date, robots, json; all by default) for SECONDS
# each (60 by default), with AddressSanitizer and UndefinedBehaviorSanitizer,
# from their seeds (the test fixtures, tests/fuzz/seeds) and dictionaries.
# What each run finds that is new goes to build-fuzz/corpus/TARGET, kept
# from one run to the next; a crash's input to build-fuzz/crash-TARGET-*.
# Prints a line per target, "fuzz_TARGET: N runs in S s, OK" or "... FAILED",
# and exits 1 if any target failed. Needs clang (bash scripts/setup.sh).
set -uo pipefail
cd "$(dirname "$0")/.."

secs=${1:-60}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(feed html query config date robots json)

if [[ ! -f build-fuzz/build.ninja ]] &&
    ! CC=clang meson setup build-fuzz -Dfuzz=true \
	-Db_sanitize=address,undefined -Db_lundef=false >/dev/null; then
	echo "fuzz: meson setup build-fuzz failed" >&2
	exit 1
fi
if ! meson compile -C build-fuzz "${targets[@]/#/fuzz_}" >/dev/null; then
	echo "fuzz: the targets do not compile" >&2
	exit 1
fi

# Each target's seeds: the fixtures of its format, those written for it,
# and the inputs that once found a bug (tests/fuzz/regressions).
seeds() {
	[[ -d tests/fuzz/regressions/$1 ]] && echo "tests/fuzz/regressions/$1"
	case $1 in
	feed) echo tests/fixtures/feeds tests/fixtures/http ;;
	html) echo tests/fixtures/pages tests/fixtures/discover ;;
	config) echo tests/fixtures/conf ;;
	json) echo tests/fuzz/seeds/json tests/fixtures/platforms ;;
	*) echo "tests/fuzz/seeds/$1" ;;
	esac
}

export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
failed=0
for t in "${targets[@]}"; do
	corpus=build-fuzz/corpus/$t
	log=build-fuzz/fuzz-$t.log
	mkdir -p "$corpus"
	# shellcheck disable=SC2046 # the seed directories, one word each
	build-fuzz/tests/fuzz/fuzz_"$t" -max_total_time="$secs" \
	    -dict=tests/fuzz/"$t".dict -max_len=65536 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=build-fuzz/crash-"$t"- \
	    "$corpus" $(seeds "$t") >"$log" 2>&1
	rc=$?
	runs=$(sed -n "s/^stat::number_of_executed_units: *//p" "$log" | tail -n 1)
	if [[ $rc -eq 0 ]]; then
		echo "fuzz_$t: ${runs:-?} runs in $secs s, OK"
	else
		echo "fuzz_$t: ${runs:-?} runs, FAILED (exit $rc), see $log"
		grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -n 5
		failed=1
	fi
done
exit $failed
