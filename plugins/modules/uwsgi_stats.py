#!/usr/bin/python
# Copyright: wsgi.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Module: read a uWSGI stats server, optionally waiting until the vassal serves."""

from __future__ import annotations

import functools
import json
import socket
import struct
import time
from collections.abc import Callable
from typing import Any

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: uwsgi_stats
short_description: Read a uWSGI stats server and wait until its workers serve a given release
version_added: 0.3.0
description:
  - Connects to the stats server of a uWSGI instance (the C(stats) option of a vassal, a unix socket
    or a TCP address), reads the JSON it sends and returns the master and its workers.
  - A worker is ready when it accepts requests and has the application loaded.
  - With O(cwd) and O(min_ready) the module waits, up to O(timeout) seconds, until the master runs
    from that directory (uWSGI reports its C(chdir) as C(cwd), so a release directory names the code
    it serves) and at least O(min_ready) workers are ready. It fails saying what it saw last when they
    are not met in time, so a vassal that cannot start on new code fails the play instead of
    respawning unnoticed.
  - With O(request_socket) the module then sends one C(GET) of O(request_path) to the app's own
    socket (uwsgi or HTTP protocol) and waits, within the same O(timeout), until the answer is not a
    server error (status below 500), so that loaded workers must also serve.
  - Nothing on the host changes (but what the request makes the app do).
author: wsgi.stack maintainers
options:
  socket:
    description:
      - The stats server, as the vassal's C(stats) option names it.
      - An absolute path for a unix socket, or C(host:port) (an IPv6 host in brackets) for TCP.
    type: str
    required: true
  cwd:
    description:
      - Wait until the master's working directory is this path (the release it runs from).
      - Empty to accept any.
    type: str
    default: ""
  min_ready:
    description:
      - Wait until at least this many workers accept requests with the application loaded.
      - V(0) only reads the stats.
    type: int
    default: 1
  timeout:
    description:
      - Seconds to keep trying until the stats server answers and the conditions hold.
      - V(0) tries once.
    type: float
    default: 0
  interval:
    description: Seconds between two attempts.
    type: float
    default: 0.5
  connect_timeout:
    description: Seconds allowed to one connection to send its whole answer.
    type: float
    default: 5
  request_socket:
    description:
      - The app's socket, as the vassal's C(socket) or C(http-socket) option names it (an absolute path
        or C(host:port)), to send one request to once the stats conditions hold.
      - Empty sends no request.
    type: str
    default: ""
  request_protocol:
    description: The protocol the app's socket speaks.
    type: str
    choices: [uwsgi, http]
    default: uwsgi
  request_path:
    description: The path of the C(GET) request, with its query string if any.
    type: str
    default: /
  request_host:
    description: The C(Host) of the request (an app may refuse names it does not serve).
    type: str
    default: localhost
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
notes:
  - The account running the module must be allowed to connect to the socket (the vassals of
    C(wsgi.stack.uwsgi_emperor) keep theirs in a directory of the app's account).
"""

EXAMPLES = r"""
- name: Wait until the vassal of hello serves the new release with all its workers
  wsgi.stack.uwsgi_stats:
    socket: /run/uwsgi/hello/stats.sock
    cwd: /srv/hello/releases/20261124-a1b2c3
    min_ready: 4
    timeout: 60

- name: Wait until the new workers of hello are loaded and answer a GET of / on its socket
  wsgi.stack.uwsgi_stats:
    socket: /run/uwsgi/hello/stats.sock
    cwd: /srv/hello/releases/20261124-a1b2c3
    min_ready: 1
    request_socket: /run/uwsgi/hello.sock
    request_path: /
    request_host: hello.example.com
    timeout: 60

- name: Read the workers of a vassal with a TCP stats server
  wsgi.stack.uwsgi_stats:
    socket: 127.0.0.1:9191
    min_ready: 0
  register: stats
"""

RETURN = r"""
version:
  description: The uWSGI version of the master.
  returned: success
  type: str
  sample: 2.0.31
pid:
  description: Process ID of the master.
  returned: success
  type: int
  sample: 1200
cwd:
  description: The master's working directory (its C(chdir)).
  returned: success
  type: str
  sample: /srv/hello/releases/20261124-a1b2c3
listen_queue:
  description: Requests waiting in the listen queue.
  returned: success
  type: int
  sample: 0
workers:
  description: One entry per worker.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Worker number, from 1.
      type: int
    pid:
      description: Process ID (0 while the worker is not running).
      type: int
    status:
      description: uWSGI's status of the worker (idle, busy, cheap, pause, sig...).
      type: str
    accepting:
      description: Whether the worker accepts requests.
      type: bool
    apps:
      description: Number of applications the worker has loaded.
      type: int
    ready:
      description: Accepting with an application loaded.
      type: bool
    requests:
      description: Requests served by this worker.
      type: int
    exceptions:
      description: Exceptions raised by the application in this worker.
      type: int
    respawn_count:
      description: How many times this worker was spawned.
      type: int
  sample:
    - {id: 1, pid: 1202, status: idle, accepting: true, apps: 1, ready: true, requests: 12,
       exceptions: 0, respawn_count: 1}
ready_workers:
  description: How many workers are ready.
  returned: success
  type: int
  sample: 4
requests:
  description: Requests served by all workers.
  returned: success
  type: int
  sample: 48
request_status:
  description: The HTTP status of the answer to the last request sent (when O(request_socket) is set).
  returned: when a request got an answer
  type: int
  sample: 200
attempts:
  description: How many times the stats server was read.
  returned: always
  type: int
  sample: 3
elapsed:
  description: Seconds spent waiting.
  returned: always
  type: float
  sample: 1.2
"""


def parse_address(address: str) -> tuple[int, Any]:
    """Return the socket family and address of a stats server."""
    if address.startswith("/"):
        return socket.AF_UNIX, address
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"socket must be an absolute path or host:port, got {address!r}")
    if host.startswith("[") and host.endswith("]"):
        return socket.AF_INET6, (host[1:-1], int(port))
    return socket.AF_INET, (host, int(port))


def read_stats(address: str, timeout: float) -> dict[str, Any]:
    """Connect, read until the server closes, parse the JSON."""
    family, target = parse_address(address)
    chunks = []
    with socket.socket(family, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(target)
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    stats = json.loads(b"".join(chunks).decode("utf-8", errors="replace"))
    if not isinstance(stats, dict) or not isinstance(stats.get("workers"), list):
        raise ValueError("the answer is not uWSGI stats (no workers)")
    return stats


def uwsgi_packet(path: str, host: str) -> bytes:
    """A uwsgi-protocol GET request (modifier1 0: a WSGI request)."""
    path_info, _, query = path.partition("?")
    variables = {
        "REQUEST_METHOD": "GET",
        "REQUEST_URI": path,
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.0",
        "SERVER_NAME": host,
        "SERVER_PORT": "80",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "UWSGI_SCHEME": "http",
    }
    body = b"".join(
        struct.pack("<H", len(k)) + k + struct.pack("<H", len(v)) + v
        for k, v in ((key.encode(), value.encode()) for key, value in variables.items())
    )
    return struct.pack("<BHB", 0, len(body), 0) + body


def http_request(path: str, host: str) -> bytes:
    """An HTTP/1.0 GET request that the server answers and closes."""
    return f"GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()


def send_request(address: str, protocol: str, path: str, host: str, timeout: float) -> int:
    """Send one GET to the app's socket and return the status of its answer."""
    family, target = parse_address(address)
    payload = uwsgi_packet(path, host) if protocol == "uwsgi" else http_request(path, host)
    head = b""
    with socket.socket(family, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(target)
        conn.sendall(payload)
        while b"\n" not in head and len(head) < 8192:
            chunk = conn.recv(4096)
            if not chunk:
                break
            head += chunk
    status_line = head.split(b"\n", 1)[0].decode("latin-1").strip()
    parts = status_line.split()
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError(f"the answer is not HTTP ({status_line[:80]!r})")
    return int(parts[1])


def summarise(stats: dict[str, Any]) -> dict[str, Any]:
    """The master's facts and each worker's, as the module returns them."""
    workers = []
    for worker in stats["workers"]:
        apps = len(worker.get("apps") or [])
        accepting = bool(worker.get("accepting", 0))
        workers.append(
            {
                "id": int(worker.get("id", 0)),
                "pid": int(worker.get("pid", 0)),
                "status": str(worker.get("status", "")),
                "accepting": accepting,
                "apps": apps,
                "ready": accepting and apps > 0 and int(worker.get("pid", 0)) > 0,
                "requests": int(worker.get("requests", 0)),
                "exceptions": int(worker.get("exceptions", 0)),
                "respawn_count": int(worker.get("respawn_count", 0)),
            }
        )
    return {
        "version": str(stats.get("version", "")),
        "pid": int(stats.get("pid", 0)),
        "cwd": str(stats.get("cwd", "")),
        "listen_queue": int(stats.get("listen_queue", 0)),
        "workers": workers,
        "ready_workers": sum(1 for w in workers if w["ready"]),
        "requests": sum(w["requests"] for w in workers),
    }


def unmet(summary: dict[str, Any], cwd: str, min_ready: int) -> str | None:
    """Why the stats do not show what is waited for yet, or None."""
    if cwd and summary["cwd"].rstrip("/") != cwd.rstrip("/"):
        return f"the master runs from {summary['cwd'] or 'an unknown directory'}, not {cwd}"
    if summary["ready_workers"] < min_ready:
        return (
            f"{summary['ready_workers']} of {len(summary['workers'])} workers accept requests"
            f" with the application loaded, {min_ready} needed"
        )
    return None


def probe_reason(probe: Callable[[], int], what: str) -> tuple[int | None, str | None]:
    """The status of one request, and why it does not show a serving app (or None)."""
    try:
        status = probe()
    except (OSError, ValueError) as exc:
        return None, f"{what} got no answer ({exc})"
    if status >= 500:
        return status, f"{what} was answered {status}"
    return status, None


def wait_for_stats(
    address: str,
    cwd: str = "",
    min_ready: int = 1,
    timeout: float = 0,
    interval: float = 0.5,
    connect_timeout: float = 5,
    read: Callable[[str, float], dict[str, Any]] = read_stats,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    probe: Callable[[], int] | None = None,
    probe_name: str = "the request",
) -> tuple[dict[str, Any] | None, str | None, int, float]:
    """Read until the conditions hold (and the probe, if any, gets a non-5xx answer) or the time is up.

    Returns (summary of the last read or None, reason the conditions do not
    hold or None, attempts, elapsed seconds). With a probe, the summary has
    request_status once a request got an answer.
    """
    start = clock()
    attempts = 0
    while True:
        attempts += 1
        summary = None
        try:
            summary = summarise(read(address, connect_timeout))
            reason = unmet(summary, cwd, min_ready)
        except (OSError, ValueError) as exc:
            reason = f"the stats server cannot be read ({exc})"
        if reason is None and summary is not None and probe is not None:
            status, reason = probe_reason(probe, probe_name)
            if status is not None:
                summary["request_status"] = status
        elapsed = clock() - start
        if reason is None or elapsed + interval > timeout:
            return summary, reason, attempts, round(elapsed, 3)
        sleep(interval)


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "socket": {"type": "str", "required": True},
            "cwd": {"type": "str", "default": ""},
            "min_ready": {"type": "int", "default": 1},
            "timeout": {"type": "float", "default": 0},
            "interval": {"type": "float", "default": 0.5},
            "connect_timeout": {"type": "float", "default": 5},
            "request_socket": {"type": "str", "default": ""},
            "request_protocol": {"type": "str", "default": "uwsgi", "choices": ["uwsgi", "http"]},
            "request_path": {"type": "str", "default": "/"},
            "request_host": {"type": "str", "default": "localhost"},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        parse_address(params["socket"])
        if params["request_socket"]:
            parse_address(params["request_socket"])
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    if not params["request_path"].startswith("/") or any(c in params["request_path"] for c in " \r\n"):
        module.fail_json(msg=f"request_path must be a path starting with '/', got {params['request_path']!r}")
    if not params["request_host"] or any(c in params["request_host"] for c in " \r\n/"):
        module.fail_json(msg=f"request_host must be a host name, got {params['request_host']!r}")

    probe = (
        functools.partial(
            send_request,
            params["request_socket"],
            params["request_protocol"],
            params["request_path"],
            params["request_host"],
            params["connect_timeout"],
        )
        if params["request_socket"]
        else None
    )

    for name in ("min_ready", "timeout", "interval"):
        if params[name] < 0:
            module.fail_json(msg=f"{name} must not be negative, got {params[name]}")
    if params["connect_timeout"] <= 0:
        module.fail_json(msg=f"connect_timeout must be positive, got {params['connect_timeout']}")

    summary, reason, attempts, elapsed = wait_for_stats(
        params["socket"],
        cwd=params["cwd"],
        min_ready=params["min_ready"],
        timeout=params["timeout"],
        interval=params["interval"],
        connect_timeout=params["connect_timeout"],
        probe=probe,
        probe_name=f"a GET of {params['request_path']} on {params['request_socket']}",
    )
    result: dict[str, Any] = {"changed": False, "attempts": attempts, "elapsed": elapsed}
    result.update(summary or {})
    if reason is not None:
        module.fail_json(msg=f"uWSGI stats at {params['socket']}: after {elapsed:.1f}s {reason}", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
