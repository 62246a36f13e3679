"""uwsgi_stats: reading a real vassal's stats and waiting until a release serves."""

from __future__ import annotations

import copy
import json
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ansible_collections.wsgi.stack.plugins.modules.uwsgi_stats import (
    parse_address,
    read_stats,
    send_request,
    summarise,
    unmet,
    uwsgi_packet,
    wait_for_stats,
)

FIXTURES = Path(__file__).parent / "fixtures"
# Recorded from the sample app's vassal (uWSGI 2.0.31, 4 workers): just
# started, and after 20 requests through nginx.
IDLE = json.loads((FIXTURES / "uwsgi_stats_idle.json").read_text())
SERVED = json.loads((FIXTURES / "uwsgi_stats_served.json").read_text())
RELEASE = "/srv/hello/releases/52c3af4d57b0-7c6d33c2"


def serve_once(server: socket.socket, payload: bytes) -> threading.Thread:
    """Answer one connection with payload, then close, as uWSGI's stats server does."""

    def run() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(payload)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def unix_server(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = str(tmp_path / "stats.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)
        yield server, path


def test_a_recorded_vassal_summarises_to_its_release_and_four_ready_workers() -> None:
    summary = summarise(SERVED)
    assert summary["version"] == "2.0.31"
    assert summary["cwd"] == RELEASE
    assert summary["ready_workers"] == 4
    assert summary["requests"] == 20
    assert [w["requests"] for w in summary["workers"]] == [5, 8, 5, 2]
    assert all(w["apps"] == 1 and w["accepting"] for w in summary["workers"])


def test_the_stats_are_read_from_a_unix_socket(unix_server: tuple[socket.socket, str]) -> None:
    server, path = unix_server
    thread = serve_once(server, json.dumps(IDLE).encode())
    stats = read_stats(path, 5)
    thread.join(5)
    assert stats["pid"] == IDLE["pid"]


def test_the_stats_are_read_from_tcp_in_small_pieces() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]

        def run() -> None:
            conn, _ = server.accept()
            with conn:
                data = json.dumps(SERVED).encode()
                for i in range(0, len(data), 100):
                    conn.sendall(data[i : i + 100])

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        stats = read_stats(f"127.0.0.1:{port}", 5)
        thread.join(5)
    assert summarise(stats)["requests"] == 20


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("/run/uwsgi/hello/stats.sock", (socket.AF_UNIX, "/run/uwsgi/hello/stats.sock")),
        ("127.0.0.1:9191", (socket.AF_INET, ("127.0.0.1", 9191))),
        ("[::1]:9191", (socket.AF_INET6, ("::1", 9191))),
    ],
)
def test_addresses(address: str, expected: tuple[int, Any]) -> None:
    assert parse_address(address) == expected


@pytest.mark.parametrize("address", ["stats.sock", "127.0.0.1", ":9191", "localhost:http"])
def test_an_address_that_is_neither_a_path_nor_host_port_is_refused(address: str) -> None:
    with pytest.raises(ValueError, match="absolute path or host:port"):
        parse_address(address)


def test_an_answer_that_is_not_stats_is_an_error(unix_server: tuple[socket.socket, str]) -> None:
    server, path = unix_server
    serve_once(server, b'{"version": "2.0.31"}')
    with pytest.raises(ValueError, match="no workers"):
        read_stats(path, 5)


def with_workers(stats: dict[str, Any], **changes: Any) -> dict[str, Any]:
    stats = copy.deepcopy(stats)
    for worker in stats["workers"]:
        worker.update(changes)
    return stats


def test_workers_without_the_app_loaded_are_not_ready() -> None:
    summary = summarise(with_workers(IDLE, apps=[]))
    assert summary["ready_workers"] == 0
    assert unmet(summary, RELEASE, 1) == ("0 of 4 workers accept requests with the application loaded, 1 needed")


def test_workers_that_do_not_accept_are_not_ready() -> None:
    assert summarise(with_workers(IDLE, accepting=0))["ready_workers"] == 0


def test_another_release_is_named() -> None:
    assert unmet(summarise(IDLE), "/srv/hello/releases/new", 1) == (
        f"the master runs from {RELEASE}, not /srv/hello/releases/new"
    )


def test_the_release_and_every_worker_ready_is_met() -> None:
    assert unmet(summarise(IDLE), RELEASE + "/", 4) is None
    assert unmet(summarise(IDLE), "", 5) is not None


class Script:
    """Answers in turn, on a clock that only moves when the module sleeps."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.now = 0.0
        self.reads = 0

    def read(self, address: str, timeout: float) -> dict[str, Any]:
        self.reads += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[no-any-return]

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def wait(script: Script, **kwargs: Any) -> tuple[dict[str, Any] | None, str | None, int, float]:
    return wait_for_stats(  # type: ignore[no-any-return]
        "/run/uwsgi/hello/stats.sock", read=script.read, clock=script.clock, sleep=script.sleep, **kwargs
    )


def test_waiting_rides_out_a_reload_until_the_new_release_serves() -> None:
    old = copy.deepcopy(IDLE)
    old["cwd"] = "/srv/hello/releases/old"
    script = Script(old, ConnectionRefusedError(111, "Connection refused"), with_workers(IDLE, apps=[]), IDLE)
    summary, reason, attempts, elapsed = wait(script, cwd=RELEASE, min_ready=4, timeout=10)
    assert reason is None
    assert attempts == 4
    assert elapsed == 1.5
    assert summary is not None and summary["cwd"] == RELEASE


def test_a_vassal_that_never_comes_up_fails_with_what_was_seen_last() -> None:
    script = Script(FileNotFoundError(2, "No such file or directory"))
    summary, reason, attempts, elapsed = wait(script, cwd=RELEASE, timeout=3, interval=1)
    assert summary is None
    assert reason == "the stats server cannot be read ([Errno 2] No such file or directory)"
    # Read at 0, 1, 2 and 3 s: the last read is at the deadline.
    assert attempts == 4
    assert elapsed == 3


def test_a_release_that_loads_no_app_is_not_waited_for_beyond_the_timeout() -> None:
    script = Script(with_workers(IDLE, apps=[]))
    _, reason, attempts, _ = wait(script, cwd=RELEASE, min_ready=4, timeout=2, interval=0.5)
    assert reason is not None and reason.startswith("0 of 4 workers")
    assert attempts == 5


def test_without_a_timeout_the_stats_are_read_once() -> None:
    script = Script(SERVED)
    summary, reason, attempts, _ = wait(script, min_ready=0)
    assert reason is None and attempts == 1 and summary is not None and summary["requests"] == 20


def parse_uwsgi(packet: bytes) -> dict[str, str]:
    """The variables of a uwsgi packet, read as uWSGI reads them."""
    modifier1, size, modifier2 = struct.unpack("<BHB", packet[:4])
    assert (modifier1, modifier2) == (0, 0)
    body = packet[4:]
    assert len(body) == size
    variables = {}
    pos = 0
    while pos < size:
        (klen,) = struct.unpack("<H", body[pos : pos + 2])
        key = body[pos + 2 : pos + 2 + klen].decode()
        pos += 2 + klen
        (vlen,) = struct.unpack("<H", body[pos : pos + 2])
        variables[key] = body[pos + 2 : pos + 2 + vlen].decode()
        pos += 2 + vlen
    return variables


def test_a_uwsgi_get_carries_the_path_its_query_and_the_host() -> None:
    variables = parse_uwsgi(uwsgi_packet("/api/info?x=1", "hello.test"))
    assert variables["REQUEST_METHOD"] == "GET"
    assert variables["REQUEST_URI"] == "/api/info?x=1"
    assert variables["PATH_INFO"] == "/api/info"
    assert variables["QUERY_STRING"] == "x=1"
    assert variables["HTTP_HOST"] == variables["SERVER_NAME"] == "hello.test"


def answer_request(server: socket.socket, read: Any, answer: bytes, seen: list[bytes]) -> threading.Thread:
    """Accept one connection, read the request with read(conn), send answer, close."""

    def run() -> None:
        conn, _ = server.accept()
        with conn:
            seen.append(read(conn))
            conn.sendall(answer)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def read_uwsgi(conn: socket.socket) -> bytes:
    head = conn.recv(4, socket.MSG_WAITALL)
    (size,) = struct.unpack("<H", head[1:3])
    return head + conn.recv(size, socket.MSG_WAITALL)


def read_http(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(1024)
    return data


def test_a_request_on_a_uwsgi_unix_socket_returns_the_apps_status(unix_server: tuple[socket.socket, str]) -> None:
    server, path = unix_server
    seen: list[bytes] = []
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<h1>Hello</h1>"
    thread = answer_request(server, read_uwsgi, answer, seen)
    assert send_request(path, "uwsgi", "/", "hello.test", 5) == 200
    thread.join(5)
    assert parse_uwsgi(seen[0])["PATH_INFO"] == "/"


def test_a_request_on_an_http_tcp_socket_returns_a_server_error() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        seen: list[bytes] = []
        thread = answer_request(server, read_http, b"HTTP/1.0 503 Service Unavailable\r\n\r\n", seen)
        status = send_request(f"127.0.0.1:{server.getsockname()[1]}", "http", "/health", "hello.test", 5)
        thread.join(5)
    assert status == 503
    assert seen[0].startswith(b"GET /health HTTP/1.0\r\nHost: hello.test\r\n")


def test_an_answer_that_is_not_http_is_an_error(unix_server: tuple[socket.socket, str]) -> None:
    server, path = unix_server
    thread = answer_request(server, read_uwsgi, b"", [])
    with pytest.raises(ValueError, match="not HTTP"):
        send_request(path, "uwsgi", "/", "localhost", 5)
    thread.join(5)


class Probe:
    """Statuses (or errors) in turn, the last one repeated."""

    def __init__(self, *answers: int | Exception) -> None:
        self.answers = list(answers)
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_loaded_workers_are_waited_for_until_a_request_is_not_a_server_error() -> None:
    probe = Probe(ConnectionRefusedError(111, "Connection refused"), 502, 200)
    summary, reason, attempts, _ = wait(Script(IDLE), cwd=RELEASE, timeout=10, probe=probe)
    assert reason is None
    assert attempts == 3 and probe.calls == 3
    assert summary is not None and summary["request_status"] == 200


def test_an_app_that_answers_only_errors_fails_with_the_status() -> None:
    probe = Probe(500)
    summary, reason, _, _ = wait(Script(IDLE), cwd=RELEASE, timeout=1, probe=probe, probe_name="a GET of /")
    assert reason == "a GET of / was answered 500"
    assert summary is not None and summary["request_status"] == 500


def test_no_request_is_sent_before_the_workers_are_ready() -> None:
    probe = Probe(200)
    _, reason, attempts, _ = wait(Script(with_workers(IDLE, apps=[])), min_ready=1, timeout=1, probe=probe)
    assert reason is not None and "workers" in reason
    assert attempts == 3 and probe.calls == 0
