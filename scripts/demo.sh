#!/usr/bin/env bash
# make demo / make demo-down: one systemd container as the demo web host, the
# whole stack deployed into it by playbooks/site.yml, then the URL and a real
# response fetched through nginx from this machine.
set -euo pipefail
cd "$(dirname "$0")/.."

NAME=${DEMO_NAME:-wsgi-stack-demo}
SUITE=${DEMO_SUITE:-bookworm}
PORT=${DEMO_PORT:-8080}
IMAGE=wsgi-stack/debian:$SUITE

say() { printf '\n=== %s\n' "$*"; }

down() {
  if docker container inspect "$NAME" >/dev/null 2>&1; then
    docker rm -f "$NAME" >/dev/null
    echo "removed container $NAME"
  else
    echo "no container $NAME: nothing to remove"
  fi
}

up() {
  if ! docker container inspect "$NAME" >/dev/null 2>&1; then
    say "starting $NAME ($IMAGE, port $PORT -> 80)"
    docker run -d --name "$NAME" --hostname "$NAME" \
      --cap-add SYS_ADMIN --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
      --cgroupns host -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
      --tmpfs /run --tmpfs /run/lock --tmpfs /tmp \
      -p "127.0.0.1:$PORT:80" "$IMAGE" /lib/systemd/systemd >/dev/null
  elif [ "$(docker container inspect -f '{{.State.Running}}' "$NAME")" != true ]; then
    docker start "$NAME" >/dev/null
  fi
  for _ in $(seq 30); do
    state=$(docker exec "$NAME" systemctl is-system-running 2>/dev/null || true)
    case $state in running|degraded) break ;; esac
    sleep 1
  done

  say "deploying the stack with playbooks/site.yml"
  start=$(date +%s)
  # The wheels the deploy builds stay in the checkout (make clean removes them).
  ansible-playbook -i inventory/demo playbooks/site.yml -e wsgi_stack_wheelhouse="$PWD/.cache/wheelhouse/demo"
  echo "deployed in $(( $(date +%s) - start ))s"

  url="http://127.0.0.1:$PORT/"
  say "the app, through nginx: $url"
  curl -fsS --max-time 10 "$url"
  echo
  say "$url""api/info"
  curl -fsS --max-time 10 "${url}api/info"
  echo
  say "$url""api/client (what the app sees of this request)"
  curl -fsS --max-time 10 "${url}api/client"
  echo
  say "open $url in a browser; 'make demo-down' removes the container"
}

case ${1:-up} in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
