"""Bounded HTTP load for the scenarios: GETs at a steady rate, counted.

Sends GET requests to one address (a load balancer), or to several in turn
(--host once for each), from a few threads at a fixed total rate, until a
stop file appears, a number of requests has been sent, or a time limit is
reached, whichever comes first. Writes one JSON object: requests sent, failed
(anything but a 200 whose body is the app's JSON), the status codes and
errors seen, which app host and release answered how often, and the releases
each app host answered with. Only the given addresses are ever contacted.

    load.py --host 172.18.0.2 --stop-file /tmp/stop --max-seconds 240 --out result.json
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any


class Tally:
    """What every thread saw, under one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent = 0
        self.failed = 0
        self.statuses: Counter[str] = Counter()
        self.hosts: Counter[str] = Counter()
        self.releases: Counter[str] = Counter()
        self.host_releases: dict[str, Counter[str]] = {}
        self.errors: list[str] = []

    def record(self, status: str, answer: dict[str, Any] | None, error: str | None) -> None:
        with self.lock:
            self.sent += 1
            self.statuses[status] += 1
            if answer is None:
                self.failed += 1
                if error and len(self.errors) < 20:
                    self.errors.append(f"{time.strftime('%H:%M:%S')} {error}")
                return
            host, release = str(answer.get("host")), str(answer.get("release"))
            self.hosts[host] += 1
            self.releases[release] += 1
            self.host_releases.setdefault(host, Counter())[release] += 1


def one_request(host: str, port: int, path: str, timeout: float) -> tuple[str, dict[str, Any] | None, str | None]:
    """One GET on a new connection: (status, the app's JSON or None, error or None)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__, None, f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
    if response.status != 200:
        return str(response.status), None, f"HTTP {response.status}: {body[:120]!r}"
    try:
        answer = json.loads(body)
    except ValueError:
        return "200", None, f"not JSON: {body[:120]!r}"
    return "200", answer if isinstance(answer, dict) else None, None


def run(args: argparse.Namespace) -> dict[str, Any]:
    tally = Tally()
    stop_file = Path(args.stop_file) if args.stop_file else None
    started = time.monotonic()
    deadline = started + args.max_seconds
    interval = args.threads / args.rate
    budget = threading.Semaphore(args.count) if args.count else None

    def worker(offset: float, first: int) -> None:
        due = started + offset
        turn = first
        while time.monotonic() < deadline and not (stop_file and stop_file.exists()):
            if budget is not None and not budget.acquire(blocking=False):
                return
            address = args.host[turn % len(args.host)]
            turn += 1
            status, answer, error = one_request(address, args.port, args.path, args.timeout)
            tally.record(status, answer, error)
            due += interval
            time.sleep(max(0.0, due - time.monotonic()))

    threads = [
        threading.Thread(target=worker, args=(i * interval / args.threads, i), daemon=True) for i in range(args.threads)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    return {
        "sent": tally.sent,
        "failed": tally.failed,
        "seconds": round(seconds, 1),
        "rate": round(tally.sent / seconds, 1) if seconds else 0.0,
        "statuses": dict(tally.statuses),
        "hosts": dict(tally.hosts),
        "releases": dict(tally.releases),
        "host_releases": {host: dict(releases) for host, releases in tally.host_releases.items()},
        "errors": tally.errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True, action="append", help="once per address; requests go in turn")
    parser.add_argument("--port", type=int, default=80)
    parser.add_argument("--path", default="/api/info")
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second, all threads together")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    parser.add_argument("--count", type=int, default=0, help="stop after this many requests (0: no limit)")
    parser.add_argument("--max-seconds", type=float, default=240.0)
    parser.add_argument("--stop-file", default="", help="stop once this file exists")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    result = run(args)
    Path(args.out).write_text(json.dumps(result, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
