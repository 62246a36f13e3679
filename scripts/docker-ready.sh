#!/usr/bin/env bash
# Make a Docker engine answer on this machine.
#   - `docker info` already answers: nothing to do.
#   - Debian/Ubuntu as root: install docker.io if needed, start dockerd in the
#     background (log in $DOCKERD_LOG), wait until it answers (bounded).
#   - anything else: say what to install and stop.
set -euo pipefail

DOCKERD_LOG=${DOCKERD_LOG:-/var/log/wsgi-stack-dockerd.log}
DOCKERD_WAIT=${DOCKERD_WAIT:-60}

say() { printf 'docker-ready: %s\n' "$*" >&2; }

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || [ ! -r /etc/os-release ]; then
  say "no Docker engine answers and this is not a Debian/Ubuntu host run as root."
  say "install Docker (https://docs.docker.com/engine/install/), start it, and make"
  say "sure 'docker info' works for this user; then run this command again."
  exit 1
fi
# shellcheck disable=SC1091
. /etc/os-release
case " ${ID:-} ${ID_LIKE:-} " in
  *" debian "*|*" ubuntu "*) ;;
  *)
    say "no Docker engine answers and ${PRETTY_NAME:-this OS} is not Debian/Ubuntu."
    say "install and start Docker with your distribution's packages, then run this again."
    exit 1
    ;;
esac

if ! command -v dockerd >/dev/null 2>&1; then
  say "installing docker.io from the distribution's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

if systemctl is-system-running >/dev/null 2>&1 || [ "$(systemctl is-system-running 2>/dev/null)" = degraded ]; then
  say "starting docker through systemd"
  systemctl start docker || true
fi

if ! docker info >/dev/null 2>&1; then
  if pgrep -x dockerd >/dev/null 2>&1; then
    say "dockerd is running but not answering yet; waiting"
  else
    say "starting dockerd in the background (log: $DOCKERD_LOG)"
    nohup dockerd >"$DOCKERD_LOG" 2>&1 &
  fi
fi

for _ in $(seq "$DOCKERD_WAIT"); do
  if docker info >/dev/null 2>&1; then
    say "engine ready ($(docker info --format '{{.ServerVersion}}'), cgroup v$(docker info --format '{{.CgroupVersion}}'))"
    exit 0
  fi
  sleep 1
done
say "dockerd did not answer within ${DOCKERD_WAIT}s; last lines of $DOCKERD_LOG:"
tail -n 20 "$DOCKERD_LOG" >&2 || true
exit 1
