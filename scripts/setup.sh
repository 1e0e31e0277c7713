#!/usr/bin/env bash
# setup.sh - installs what vigie needs on Debian 12 (only what is missing)
# and builds it in build/. Safe to run again: it does only what is left.
set -euo pipefail

# Every Debian package the project needs, to build, test and demo, and
# for the benchmarks in bench/ (xmllint, newsboat, time).
PACKAGES=(
	build-essential meson ninja-build pkg-config
	libcurl4-openssl-dev libxml2-dev libpcre2-dev libpq-dev libevent-dev
	libsystemd-dev libutf8proc-dev libstemmer-dev libinih-dev
	libjansson-dev libcmocka-dev libssl-dev libvectorscan-dev
	postgresql-15 postgresql-client-15
	python3 python3-feedparser python3-nltk python3-aiosmtpd
	valgrind nginx-light ca-certificates prometheus scdoc clang-format
	libxml2-utils newsboat
	postgresql-15-pgtap time tzdata chromium fonts-liberation
	python3-websocket
	# libFuzzer (tests/fuzz, scripts/fuzz.sh)
	clang libclang-rt-dev
)

cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Runs a command with its output kept aside, shown only if it fails.
quiet() {
	if ! "$@" >"$log" 2>&1; then
		echo "setup: failed: $*" >&2
		tail -n 40 "$log" >&2
		exit 1
	fi
}

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if ((${#missing[@]})); then
	if [[ $(id -u) -ne 0 ]]; then
		echo "setup: missing packages: ${missing[*]}" >&2
		echo "setup: run as root to install them" >&2
		exit 1
	fi
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	quiet apt-get update
	quiet apt-get install -y --no-install-recommends "${missing[@]}"
	# The package starts a cluster of its own; the tests and the demo run
	# private ones, so stop the one we just caused rather than leave it
	# running unasked.
	if [[ " ${missing[*]} " == *" postgresql-15 "* ]]; then
		pg_ctlcluster 15 main stop >/dev/null 2>&1 || true
	fi
fi

if [[ ! -f build/build.ninja ]]; then
	quiet meson setup build
fi
quiet meson compile -C build
echo "setup: build/vigie is ready"
