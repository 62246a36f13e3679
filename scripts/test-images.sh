#!/usr/bin/env bash
# Build the systemd test images wsgi-stack/debian:<suite> for each suite given
# (default: bookworm trixie); with --prepared, also wsgi-stack/prepared:<suite>
# (images/Dockerfile.prepared: the same host with the packages and the uWSGI
# wheel the roles would fetch and build, read from the roles' defaults).
#
# The base is the registry's debian:<suite> when it can be pulled. Where no
# registry is reachable, the base is made here with debootstrap and
# `docker import`ed as wsgi-stack/base:<suite>. Both bases and the final image
# are cached: a second run only checks that they exist.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
HOST_CA=${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
prepared=false
if [ "${1:-}" = --prepared ]; then prepared=true; shift; fi
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie)

say() { printf 'test-images: %s\n' "$*" >&2; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

base_for() {
  local suite=$1 rootfs
  if have_image "debian:$suite"; then echo "debian:$suite"; return; fi
  if have_image "wsgi-stack/base:$suite"; then echo "wsgi-stack/base:$suite"; return; fi
  if timeout 120 docker pull -q "debian:$suite" >/dev/null 2>&1; then
    echo "debian:$suite"; return
  fi
  say "debian:$suite cannot be pulled; building the base with debootstrap"
  if ! command -v debootstrap >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    else
      say "debootstrap is needed (apt-get install debootstrap) and this is not root on Debian"
      exit 1
    fi
  fi
  rootfs=$(mktemp -d /var/tmp/wsgi-stack-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' RETURN
  debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,dbus,python3,sudo,ca-certificates \
    "$suite" "$rootfs" "$MIRROR" >"$rootfs.log" 2>&1 || {
      say "debootstrap failed; last lines of $rootfs.log:"; tail -n 20 "$rootfs.log" >&2; exit 1; }
  rm -f "$rootfs.log"
  # Same sources as the official image, so apt in the container works.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" --numeric-owner -c . \
    | docker import -c 'CMD ["/bin/bash"]' - "wsgi-stack/base:$suite" >/dev/null
  echo "wsgi-stack/base:$suite"
}

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$here/images/Dockerfile" "$here/images/Dockerfile.prepared" "$ctx/"
cp "$HOST_CA" "$ctx/host-ca-bundle.crt"

for suite in "${suites[@]}"; do
  base=$(base_for "$suite")
  say "wsgi-stack/debian:$suite from $base"
  DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE=$base" -t "wsgi-stack/debian:$suite" "$ctx" >"$ctx/build.log" 2>&1 \
    || { say "image build failed:"; cat "$ctx/build.log" >&2; exit 1; }
done

$prepared || exit 0
# The roles' defaults, read with the Python that runs Ansible (it has PyYAML);
# one assignment each, so that a lookup that fails stops the script.
default() { python3 "$here/scripts/role-default.py" "$@"; }
uwsgi_packages=$(default uwsgi_emperor uwsgi_emperor_build_packages)
app_packages=$(default virtualenv_app virtualenv_app_system_packages)
nginx_packages=$(default nginx nginx_package)
nginx_tls_packages=$(default nginx nginx_tls_packages)
# logrotate: uwsgi_emperor adds it for its vassal logs in files (its default).
packages=$(printf '%s\n' $uwsgi_packages $app_packages $nginx_packages $nginx_tls_packages logrotate | sort -u | tr '\n' ' ')
uwsgi_version=$(default uwsgi_emperor uwsgi_emperor_version)
for suite in "${suites[@]}"; do
  say "wsgi-stack/prepared:$suite from wsgi-stack/debian:$suite (uWSGI $uwsgi_version, $packages)"
  DOCKER_BUILDKIT=0 docker build -q -f "$ctx/Dockerfile.prepared" \
      --build-arg "BASE=wsgi-stack/debian:$suite" --build-arg "PACKAGES=$packages" \
      --build-arg "UWSGI_VERSION=$uwsgi_version" \
      -t "wsgi-stack/prepared:$suite" "$ctx" >"$ctx/build.log" 2>&1 \
    || { say "image build failed:"; cat "$ctx/build.log" >&2; exit 1; }
done
