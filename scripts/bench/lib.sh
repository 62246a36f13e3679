# Shared by the benchmarks (scripts/bench-deploy.sh, scripts/bench.sh):
# systemd containers of a prepared image, an inventory for them, and the
# time site.yml takes on them. Source it after setting PREFIX, IMAGE and work.

say() { printf '=== %s\n' "$*" >&2; }

bench_containers() { docker ps -aq --filter "name=^${PREFIX}-"; }

bench_remove() {
  local ids
  ids=$(bench_containers)
  [ -z "$ids" ] || docker rm -f $ids >/dev/null
}

# bench_start_hosts N [keep-pip-cache]: N fresh containers $PREFIX-1..N of
# $IMAGE, booted, and $work/hosts.yml listing them in the group webservers.
# The prepared image keeps a uWSGI wheel in root's pip cache; without
# keep-pip-cache it is removed, as a host provisioned elsewhere would not
# have it.
bench_start_hosts() {
  local n=$1 keep=${2:-} i name
  bench_remove
  for i in $(seq "$n"); do
    name=$PREFIX-$i
    docker run -d --name "$name" --hostname "$name" \
      --cap-add SYS_ADMIN --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
      --cgroupns host -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
      --tmpfs /run --tmpfs /run/lock --tmpfs /tmp "$IMAGE" /lib/systemd/systemd >/dev/null
    [ -n "$keep" ] || docker exec "$name" rm -rf /root/.cache/pip
  done
  for i in $(seq "$n"); do
    for _ in $(seq 30); do
      case $(docker exec "$PREFIX-$i" systemctl is-system-running 2>/dev/null || true) in
        running|degraded) break ;;
      esac
      sleep 1
    done
  done
  {
    echo "webservers:"
    echo "  vars: {ansible_connection: community.docker.docker, ansible_python_interpreter: /usr/bin/python3}"
    echo "  hosts:"
    for i in $(seq "$n"); do echo "    $PREFIX-$i: {}"; done
  } > "$work/hosts.yml"
}

# bench_deploy LOG [ansible-playbook arguments]: seconds site.yml took on
# the hosts of $work/hosts.yml (it must succeed), with $work/group_vars.
bench_deploy() {
  local log=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  ANSIBLE_PIPELINING=true ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks ANSIBLE_FORCE_COLOR=false \
    ansible-playbook -i "$work/hosts.yml" playbooks/site.yml "$@" >"$log" 2>&1 || {
      say "site.yml failed; the end of $log:"; tail -n 30 "$log" >&2; exit 1; }
  t1=$(date +%s.%N)
  python3 -c "print(round($t1 - $t0, 1))"
}

# bench_app DIR: a copy of the sample app in DIR, and group vars deploying
# it from there ($work/group_vars/webservers.yml).
bench_app() {
  local dir=$1
  rm -rf "$dir" && cp -r playbooks/files/hello_app "$dir"
  mkdir -p "$work/group_vars"
  cat > "$work/group_vars/webservers.yml" <<EOF
wsgi_apps:
  - name: hello
    module: hello:app
    source: {type: dir, path: $dir}
    static_dir: static
    server_names: ["_"]
    post_install: [flask --app hello init-db]
EOF
}
