#!/usr/bin/env bash
# make bench: how fast the stack this collection writes serves, against the
# app server alone and against the classic guides' setup, and how long
# site.yml takes (a benchmark, not a test: nothing here fails on a figure).
#
# One systemd container of the prepared Debian 12 image (its packages and
# uWSGI wheel already there: the figures are for a host whose image exists).
# site.yml deploys the sample app to it cold, then again (the no-op run);
# both times are printed. Then, inside the container, on the same release:
#   default   nginx -> the uWSGI vassal, as site.yml wrote them;
#   direct    the same vassal file, its socket made an HTTP one on
#             127.0.0.1:8001, in a uWSGI of its own (no nginx: the limit).
#             It closes each connection after its answer (an http11-socket
#             would keep each of only processes x threads connections and
#             leave the others waiting), so wrk counts socket read errors
#             and openloop some failed sends there: not the app failing;
#   gunicorn  the same app deployed by site.yml with app_server gunicorn
#             (its defaults: gthread workers, twice the CPUs, 4 threads
#             each, socket held by systemd), nginx on :8090; deployed after
#             the converge times are taken, so these stay the one app's;
#   classic   Gunicorn as the guides leave it (one sync worker) on
#             127.0.0.1:8002, behind an nginx proxy_pass site on :8080.
# Each stack answers the page (/), the JSON endpoint (/api/info) and an
# endpoint that sleeps 50 ms (/api/wait, standing for I/O):
#   1. wrk with BENCH_CONNECTIONS (32) connections for BENCH_SECONDS (10):
#      the saturating rate, and its latency;
#   2. scripts/bench/openloop at half that rate, constant, for as long: the
#      latency a server at half load gives (from when each request was due).
# Then the resident memory of the stack's app-server processes.
# The load generators run in the container too, on the same two cores.
#
# Writes $BENCH_OUT (.cache/bench): bench.jsonl (every figure), bench.md (the
# table, also printed) and bench.png (the plot).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=wsgi-stack/prepared:bookworm
PREFIX=wsgi-stack-load
HOST=$PREFIX-1
LOAD_SECONDS=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
out=${BENCH_OUT:-.cache/bench}
work=$(mktemp -d /var/tmp/wsgi-stack-bench.XXXXXX)
mkdir -p "$out"
source scripts/bench/lib.sh
# BENCH_KEEP=1 leaves the container running, to look into it afterwards.
trap '[ "${BENCH_KEEP:-0}" = 1 ] || bench_remove; rm -rf "$work"' EXIT

in_host() { docker exec "$HOST" bash -c "$1"; }

say "site.yml on a fresh container, then again"
bench_app "$work/app"
bench_start_hosts 1 keep-pip-cache
cold=$(bench_deploy "$out/converge-cold.log")
noop=$(bench_deploy "$out/converge-noop.log")
grep -Eq "^$HOST +: ok=[0-9]+ +changed=0 " "$out/converge-noop.log" || {
  say "the second run of site.yml changed something: see $out/converge-noop.log"; exit 1; }
say "cold converge ${cold} s, no-op converge ${noop} s"

say "the same app under Gunicorn (app_server: gunicorn), beside it"
cat >> "$work/group_vars/webservers.yml" <<EOF
  - name: hello_gunicorn
    app_server: gunicorn
    module: hello:app
    source: {type: dir, path: $work/app}
    static_dir: static
    listen: 8090
EOF
bench_deploy "$out/converge-gunicorn.log" >/dev/null

say "load generators in the container"
in_host 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null'
docker cp scripts/bench/openloop.c "$HOST:/root/openloop.c"
docker cp scripts/bench/wrk-json.lua "$HOST:/root/wrk-json.lua"
in_host 'gcc -O2 -o /usr/local/bin/openloop /root/openloop.c'

say "the direct and classic stacks beside the default one"
vassal=/etc/uwsgi/vassals/hello.ini
release=$(in_host "sed -n 's/^chdir = //p' $vassal")
env_file=$(in_host "sed -n 's/^for-readline = //p' $vassal")
uwsgi=$(in_host 'readlink -f /proc/$(systemctl show -p MainPID --value uwsgi-emperor)/exe')
in_host "sed -e 's/^socket = .*/http-socket = 127.0.0.1:8001/' -e '/^chown-socket/d' -e '/^chmod-socket/d' \
  -e '/^logto/d' -e 's/^stats = .*/stats = 127.0.0.1:9192/' \
  -e 's/^procname-prefix-spaced = .*/procname-prefix-spaced = direct/' $vassal > /root/direct.ini"
in_host "systemd-run --quiet --unit bench-direct --property KillSignal=SIGQUIT $uwsgi --ini /root/direct.ini"
in_host "$release/venv/bin/pip install -q --disable-pip-version-check --cert /etc/ssl/certs/ca-certificates.crt gunicorn"
in_host "systemd-run --quiet --unit bench-classic --uid hello --gid hello --property WorkingDirectory=$release \
  --property EnvironmentFile=$env_file $release/venv/bin/gunicorn --bind 127.0.0.1:8002 hello:app"
docker cp scripts/bench/classic.conf "$HOST:/etc/nginx/sites-enabled/bench-classic.conf"
in_host 'nginx -t -q && systemctl reload nginx'

# stack -> port it is reached on, and the processes that count as its app
# server (an awk pattern on `ps -eo rss=,args=`).
declare -A PORT=([default]=80 [direct]=8001 [gunicorn]=8090 [classic]=8080)
declare -A PROCS=([default]='^ *[0-9]+ hello uWSGI' [direct]='^ *[0-9]+ direct uWSGI'
                  [gunicorn]='python -m gunicorn ' [classic]='bin/gunicorn --bind')
STACKS="default direct gunicorn classic"
for stack in $STACKS; do
  for _ in $(seq 20); do
    in_host "curl -fsS -o /dev/null http://127.0.0.1:${PORT[$stack]}/api/info" && break
    sleep 0.5
  done
  in_host "curl -fsS -o /dev/null http://127.0.0.1:${PORT[$stack]}/api/info" || { say "$stack does not answer"; exit 1; }
done

: > "$out/bench.jsonl"
record() { printf '{"stack": "%s", "endpoint": "%s", "mode": "%s", %s\n' "$1" "$2" "$3" "${4#\{}" >> "$out/bench.jsonl"; }
record_converge() { printf '{"mode": "converge", "cold_s": %s, "noop_s": %s}\n' "$cold" "$noop" >> "$out/bench.jsonl"; }
record_converge

for stack in $STACKS; do
  port=${PORT[$stack]}
  say "$stack: warming up"
  in_host "wrk -t2 -c$CONNECTIONS -d2s http://127.0.0.1:$port/ >/dev/null"
  for endpoint in / /api/info /api/wait; do
    say "$stack $endpoint: $CONNECTIONS connections, ${LOAD_SECONDS} s"
    fixed=$(in_host "wrk -t2 -c$CONNECTIONS -d${LOAD_SECONDS}s -s /root/wrk-json.lua http://127.0.0.1:$port$endpoint" | tail -n 1)
    record "$stack" "$endpoint" fixed "$fixed"
    rate=$(python3 -c "import json, sys; print(max(1, int(json.loads(sys.argv[1])['rps'] / 2)))" "$fixed")
    say "$stack $endpoint: $rate requests/s, constant, ${LOAD_SECONDS} s"
    paced=$(in_host "openloop 127.0.0.1 $port $endpoint $rate $LOAD_SECONDS $CONNECTIONS")
    record "$stack" "$endpoint" rate "$paced"
  done
  rss=$(in_host "ps -eo rss=,args=" | awk -v pattern="${PROCS[$stack]}" '$0 ~ pattern { kib += $1; n++ } END { printf "{\"rss_mib\": %.1f, \"processes\": %d}", kib / 1024, n }')
  record "$stack" "" memory "$rss"
done

say "report"
venv=.cache/bench-venv
[ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q matplotlib; }
"$venv/bin/python" scripts/bench/report.py "$out/bench.jsonl" "$out/bench.md" "$out/bench.png"
cat "$out/bench.md"
