#!/usr/bin/env bash
# make bench-deploy: how long playbooks/site.yml takes to deploy the sample
# app to 1, 2 and 4 app servers at once (a benchmark, not a test: nothing here
# fails on a figure). Each app server is a systemd container of the prepared
# Debian 12 image (the packages already installed, as on a provisioned host)
# with no uWSGI wheel anywhere, so the first deploy compiles uWSGI.
#
# For each count of hosts, on fresh containers and an empty wheelhouse:
#   first deploy   uWSGI, the app's account, release, vassal and site;
#   new release    the app's code changed, every host redeployed at once.
# Then the first deploy to the largest count again with the wheelhouse off
# (every host compiles on its own), for comparison.
#
# Prints a Markdown table and writes it to .cache/bench/deploy.md.
# BENCH_HOSTS="1 2 4" sets the counts; BENCH_COMPARE=0 skips the last row.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNTS=(${BENCH_HOSTS:-1 2 4})
COMPARE=${BENCH_COMPARE:-1}
IMAGE=wsgi-stack/prepared:bookworm
PREFIX=wsgi-stack-bench
out=.cache/bench
work=$(mktemp -d /var/tmp/wsgi-stack-bench.XXXXXX)
mkdir -p "$out"

source scripts/bench/lib.sh
trap 'bench_remove; rm -rf "$work"' EXIT

# The sample app, from a copy whose code the "new release" row changes.
bench_app "$work/app"

# Seconds taken by site.yml, with the wheelhouse given (empty: off).
deploy() { bench_deploy "$2" -e wsgi_stack_wheelhouse="$1"; }

# Every host answers through nginx, or the figure does not count.
check_hosts() {
  local n=$1 i ip
  for i in $(seq "$n"); do
    ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$PREFIX-$i")
    curl -fsS -o /dev/null "http://$ip/" || { say "$PREFIX-$i does not answer"; exit 1; }
  done
}

# How many hosts compiled uWSGI, read from the run's log: with the
# wheelhouse, the hosts that built its wheel; without, every host that
# installed it (pip builds the sdist on each).
compiled() {
  local log=$1 task
  if grep -q "wheels of uwsgi-" "$log"; then
    task="Build on the first host of its platform the wheels of uwsgi-"
  else
    task="Install uWSGI, release"
  fi
  sed 's/\x1b\[[0-9;]*m//g' "$log" \
    | awk -v task="$task" '/^TASK \[/ { on = index($0, task) > 0; next } on && /^changed: / { n++ } END { print n + 0 }' 
}

rows=()
base_first=""
base_new=""
ratio() { python3 -c "print(f'{$1 / $2:.2f}x')"; }
for n in "${COUNTS[@]}"; do
  say "$n app server(s): first deploy"
  bench_start_hosts "$n"
  first=$(deploy "$work/wheelhouse-$n" "$out/deploy-$n-first.log")
  check_hosts "$n"
  built=$(compiled "$out/deploy-$n-first.log")
  say "$n app server(s): a new release"
  echo "# changed for the benchmark's new release" >> "$work/app/hello/__init__.py"
  new=$(deploy "$work/wheelhouse-$n" "$out/deploy-$n-new.log")
  check_hosts "$n"
  base_first=${base_first:-$first}
  base_new=${base_new:-$new}
  rows+=("| $n | on | $first s ($(ratio "$first" "$base_first")) | $built | $new s ($(ratio "$new" "$base_new")) |")
done

if [ "$COMPARE" = 1 ]; then
  n=${COUNTS[-1]}
  say "$n app server(s), wheelhouse off: first deploy"
  bench_start_hosts "$n"
  first=$(deploy "" "$out/deploy-$n-first-nowheelhouse.log")
  check_hosts "$n"
  rows+=("| $n | off | $first s ($(ratio "$first" "$base_first")) | $(compiled "$out/deploy-$n-first-nowheelhouse.log") | |")
fi

{
  echo "Deploy time of playbooks/site.yml, sample app, $(nproc) cores, $(date -u +%Y-%m-%d):"
  echo
  echo "| app servers | wheelhouse | first deploy (vs 1 host) | hosts that compiled uWSGI | new release (vs 1 host) |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} | tee "$out/deploy.md"
