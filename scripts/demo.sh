#!/usr/bin/env bash
# demo.sh - builds vigie, polls the bundled demo feeds (scripts/demo/feeds)
# once into a throwaway PostgreSQL cluster, and shows what it found; then
# the crisis: a forum feed written now (scripts/demo/crisis.py) carries a
# burst of angry posts about Acme, and the incident it raises is delivered
# by email and webhook to local sinks (tests/sinks.py).
# Last, the dashboard on a loopback address, open until Enter is pressed;
# with --keep the demo leaves it (and its database) running.
# Everything it starts is stopped on exit, whatever the exit, but what
# --keep leaves.
set -euo pipefail
cd "$(dirname "$0")/.."

keep=
for arg in "$@"; do
	case $arg in
	--keep) keep=1 ;;
	*)
		echo "usage: bash scripts/demo.sh [--keep]" >&2
		exit 2
		;;
	esac
done

bash scripts/setup.sh

# The newest PostgreSQL server installed (setup.sh installs Debian 12's).
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
tmp=$(mktemp -d /tmp/vigie-demo-XXXXXX)
http_pid=
sinks_pid=
vigie_pid=
dash_pid=
pg_up=

# PostgreSQL will not run as root: hand it the directory and run it as
# postgres.
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
	chown postgres: "$tmp"
	as_pg=(runuser -u postgres --)
fi

cleanup() {
	if [[ -n $keep && -n $dash_pid ]]; then
		dash_pid=
		pg_up=
		tmp=
	fi
	if [[ -n $dash_pid ]]; then
		kill "$dash_pid" 2>/dev/null || true
		wait "$dash_pid" 2>/dev/null || true
	fi
	if [[ -n $vigie_pid ]]; then
		kill "$vigie_pid" 2>/dev/null || true
		wait "$vigie_pid" 2>/dev/null || true
	fi
	if [[ -n $http_pid ]]; then
		kill "$http_pid" 2>/dev/null || true
		wait "$http_pid" 2>/dev/null || true
	fi
	if [[ -n $sinks_pid ]]; then
		kill "$sinks_pid" 2>/dev/null || true
		wait "$sinks_pid" 2>/dev/null || true
	fi
	if [[ -n $pg_up ]]; then
		(cd "$tmp" && "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" \
		    -m immediate -w stop) >/dev/null 2>&1 || true
	fi
	[[ -z $tmp ]] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

echo "demo: starting a private PostgreSQL in $tmp"
(cd "$tmp" && "${as_pg[@]}" "$PGBIN/initdb" -D "$tmp/data" -U vigie \
    -A trust -E UTF8 --locale=C --no-sync) >"$tmp/initdb.log" 2>&1 || {
	cat "$tmp/initdb.log" >&2
	exit 1
}
cat >>"$tmp/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$tmp'
fsync = off
CONF
pg_up=1
(cd "$tmp" && "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" \
    -l "$tmp/postgres.log" -w start) >/dev/null
conninfo="host=$tmp dbname=vigie user=vigie"
psql -X -q -d "host=$tmp dbname=postgres user=vigie" \
    -c 'CREATE DATABASE vigie'

# The bundled feeds, and the crisis dated from the last hour.
mkdir "$tmp/feeds"
cp scripts/demo/feeds/* "$tmp/feeds/"
# Where a Mastodon instance answers its #acme timeline.
mkdir -p "$tmp/feeds/api/v1/timelines/tag"
mv "$tmp/feeds/mastodon-acme.json" "$tmp/feeds/api/v1/timelines/tag/acme"
# A review site's page, as the tests read it.
cp tests/fixtures/reviews/trustpilot.html "$tmp/feeds/avis-acme.html"
# Debian's interpreter: the sinks need its python3-aiosmtpd, which another
# python3 first on PATH (a pyenv, a virtualenv) may lack.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
"$py" scripts/demo/crisis.py "$tmp/feeds/crise.xml"

"$py" -u -m http.server --bind 127.0.0.1 --directory "$tmp/feeds" \
    0 >"$tmp/http.log" 2>&1 &
http_pid=$!
port=
for _ in $(seq 50); do
	port=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$tmp/http.log")
	[[ -n $port ]] && break
	sleep 0.1
done
if [[ -z $port ]]; then
	echo "demo: the feed server did not start" >&2
	cat "$tmp/http.log" >&2
	exit 1
fi
echo "demo: serving scripts/demo/feeds and the crisis on http://127.0.0.1:$port/"

"$py" tests/sinks.py --smtp-port 0 --http-port 0 --dir "$tmp/sinks" \
    >"$tmp/sinks.log" 2>&1 &
sinks_pid=$!
for _ in $(seq 100); do
	[[ -f $tmp/sinks/ports ]] && break
	kill -0 "$sinks_pid" 2>/dev/null || break
	sleep 0.1
done
if [[ ! -f $tmp/sinks/ports ]]; then
	echo "demo: the mail and webhook sinks did not start" >&2
	cat "$tmp/sinks.log" >&2
	exit 1
fi
smtp_port=$(sed -n 's/^smtp=//p' "$tmp/sinks/ports")
hook_port=$(sed -n 's/^http=//p' "$tmp/sinks/ports")
echo "demo: SMTP sink on port $smtp_port, webhook receiver on port $hook_port"
printf 'demo-secret-%s\n' "$RANDOM$RANDOM" >"$tmp/webhook.key"
chmod 600 "$tmp/webhook.key"

sed -e "s|@CONNINFO@|$conninfo|" -e "s|@BASE@|http://127.0.0.1:$port|" \
    -e "s|@SMTP_PORT@|$smtp_port|" -e "s|@HOOK_PORT@|$hook_port|" \
    -e "s|@SECRET@|$tmp/webhook.key|" \
    scripts/demo/vigie.conf.in >"$tmp/vigie.conf"
# vigie run refuses a configuration others may read: it may hold secrets.
chmod 600 "$tmp/vigie.conf"

# Runs vigie in the background and waits: bash defers traps until a
# foreground child exits, and a signal must stop the demo at once.
vigie() {
	timeout 120 build/vigie "$@" &
	vigie_pid=$!
	local rc=0
	wait "$vigie_pid" || rc=$?
	vigie_pid=
	return "$rc"
}

echo "demo: vigie migrate"
vigie migrate -c "$tmp/vigie.conf"
echo "demo: vigie run --once"
status=0
vigie run -c "$tmp/vigie.conf" --once || {
	status=$?
	echo "demo: vigie run --once failed (exit $status)" >&2
}

q() {
	psql -X -q -d "$conninfo" -P pager=off -P footer=off -c "$1"
}

echo
echo "== Sources polled"
q "SELECT s.name AS source, s.lang, f.outcome, f.http_status AS http,
	  count(i.id) AS items
     FROM sources s
     LEFT JOIN LATERAL (SELECT outcome, http_status FROM fetches
			 WHERE source_id = s.id
			 ORDER BY started_at DESC LIMIT 1) f ON true
     LEFT JOIN items i ON i.source_id = s.id
    GROUP BY s.name, s.lang, f.outcome, f.http_status
    ORDER BY s.name"
echo "== Latest 10 items"
q "SELECT to_char(coalesce(i.published_at, i.first_seen_at),
		  'YYYY-MM-DD HH24:MI') AS published,
	  s.name AS source, i.title
     FROM items i JOIN sources s ON s.id = i.source_id
    ORDER BY coalesce(i.published_at, i.first_seen_at) DESC
    LIMIT 10"

echo "== Mentions per watch and tone"
q "SELECT w.name AS watch, count(*) AS mentions,
	  count(*) FILTER (WHERE m.label = 'negative') AS negative,
	  count(*) FILTER (WHERE m.label = 'neutral') AS neutral,
	  count(*) FILTER (WHERE m.label = 'positive') AS positive,
	  round(avg(m.sentiment)::numeric, 2) AS avg_tone
     FROM mentions m JOIN watches w ON w.id = m.watch_id
    GROUP BY w.name ORDER BY w.name"
echo "== Share of voice: the brand against its competitor (compare = market)"
q "SELECT watch, sum(mentions) AS mentions,
	  round(100 * sum(mentions) / sum(sum(mentions)) OVER (), 1) AS share_pct,
	  sum(negative) AS negative
     FROM analytics.share_of_voice WHERE compare_group = 'market'
    GROUP BY watch ORDER BY watch"
echo "== Who carries furthest: Acme's authors by reach (analytics.influencers)"
q "SELECT author, platform, followers, mentions, negative, positive, reach,
	  coalesce(role, '') AS role
     FROM analytics.influencers WHERE watch = 'Acme'
    ORDER BY reach DESC, mentions DESC LIMIT 8"
echo "== Satisfaction: Acme's reviews and their stars (analytics.satisfaction)"
q "SELECT sum(reviews) AS reviews,
	  round((1 + 4 * sum(rating * reviews) / sum(reviews))::numeric, 2) AS stars,
	  sum(stars_1) AS one, sum(stars_2) AS two, sum(stars_3) AS three,
	  sum(stars_4) AS four, sum(stars_5) AS five, sum(low) AS unhappy
     FROM analytics.satisfaction WHERE watch = 'Acme'"
echo "== Mentions, most negative first"
q "SELECT w.name AS watch, m.label, round(m.sentiment::numeric, 2) AS tone,
	  m.lang, left(i.title, 60) AS title
     FROM mentions m JOIN watches w ON w.id = m.watch_id
     JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
    ORDER BY m.sentiment, w.name"

echo "== The crisis: incidents raised"
q "SELECT w.name AS watch, i.state, i.severity, i.reason,
	  to_char(i.opened_at, 'HH24:MI') AS opened, i.peak_count AS peak,
	  e.window_count AS negatives_in_window
     FROM incidents i JOIN watches w ON w.id = i.watch_id
     JOIN incident_events e ON e.incident_id = i.id AND e.state = 'firing'
    ORDER BY i.opened_at, w.name"
echo "== Notifications (the outbox)"
q "SELECT o.target, o.channel, o.destination, o.attempts,
	  o.delivered_at IS NOT NULL AS delivered, o.last_error
     FROM outbox o ORDER BY o.id"
"$py" scripts/demo/received.py "$tmp/sinks" "$tmp/webhook.key" || {
	echo "demo: the alert did not arrive as it should" >&2
	status=1
}
echo

# The report a community manager sends every week, over the demo's last
# seven days: printed as Markdown, and kept as a page to open or print.
report_html=/tmp/vigie-demo-report.html
echo "== This week's report: vigie report --from -6d --to now --format md"
vigie report -c "$tmp/vigie.conf" --from -6d --to now --format md || {
	echo "demo: vigie report failed" >&2
	status=1
}
if vigie report -c "$tmp/vigie.conf" --from -6d --to now -o "$report_html"
then
	echo
	echo "demo: the same report as a page to open or print (kept):"
	echo "  $report_html"
else
	echo "demo: vigie report --format html failed" >&2
	status=1
fi
echo

cat <<'SQL'
== To see more, against your own database (psql "CONNINFO"):
  -- negative mentions of a watch, with their links
  SELECT m.sentiment, i.title, i.link, array_to_string(m.terms, ', ')
    FROM mentions m
    JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
   WHERE m.watch_id = (SELECT id FROM watches WHERE name = 'Acme')
     AND m.label = 'negative'
   ORDER BY m.sentiment;
  -- share of voice between the brand and its competitors
  SELECT watch, sum(mentions),
         round(100 * sum(mentions) / sum(sum(mentions)) OVER (), 1) AS pct
    FROM analytics.share_of_voice WHERE compare_group = 'market'
   GROUP BY watch;
  -- every item of a source, newest first
  SELECT published_at, title, link FROM items
   WHERE source_id = (SELECT id FROM sources WHERE name = 'coyote-forum')
   ORDER BY published_at DESC;
  -- why a source is silent
  SELECT name, enabled, disabled_reason, failures, last_status, last_error,
	 next_poll_at FROM sources ORDER BY name;
  -- incidents, and the figures behind each state change
  SELECT w.name, i.state, e.state, e.at, e.window_count, e.expected
    FROM incident_events e JOIN incidents i ON i.id = e.incident_id
    JOIN watches w ON w.id = i.watch_id ORDER BY e.at;
  -- notifications waiting, failing or given up
  SELECT target, channel, attempts, next_attempt_at, last_error, failed_at
    FROM outbox WHERE delivered_at IS NULL;
  -- the fetch history
  SELECT s.name, f.started_at, f.outcome, f.http_status, f.items_new, f.error
    FROM fetches f JOIN sources s ON s.id = f.source_id
   ORDER BY f.started_at DESC LIMIT 20;
SQL
# The dashboard, read-only on a loopback address: no sign-in needed.
dash_port=8080
if ! "$py" -c 'import socket,sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' \
    "$dash_port" 2>/dev/null; then
	dash_port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
build/vigie dashboard -c "$tmp/vigie.conf" --listen "127.0.0.1:$dash_port" \
    >"$tmp/dashboard.log" 2>&1 &
dash_pid=$!
for _ in $(seq 100); do
	grep -q '^vigie dashboard: http' "$tmp/dashboard.log" && break
	kill -0 "$dash_pid" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q '^vigie dashboard: http' "$tmp/dashboard.log"; then
	echo "demo: the dashboard did not start" >&2
	cat "$tmp/dashboard.log" >&2
	dash_pid=
	exit 1
fi
echo "== The dashboard (vigie dashboard): open it in a browser"
echo "  http://127.0.0.1:$dash_port/"
echo "  (the bundled feeds go back months: http://127.0.0.1:$dash_port/?days=365)"
if [[ -n $keep ]]; then
	echo "demo: left running (--keep): the dashboard (pid $dash_pid) and"
	echo "  PostgreSQL in $tmp; to stop them:"
	echo "  kill $dash_pid; ${as_pg[*]} $PGBIN/pg_ctl -D $tmp/data stop; rm -rf $tmp"
	exit "$status"
fi
if [[ -t 0 ]]; then
	read -r -p "demo: press Enter to stop the dashboard and the database " \
	    || true
fi
echo "demo: done; the throwaway database is removed on exit"
exit "$status"
