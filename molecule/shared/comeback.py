#!/usr/bin/python3
"""Kill a process with SIGKILL, then time how long until a URL answers again.

Polls the URL every 50 ms (each try times out after 1 s) until it answers
with a status below 500, then prints {"seconds": <since the kill>, "status":
<that status>, "tries": <n>} as JSON. Exits 1 when nothing answers within
--within seconds.
Usage: comeback.py --pid PID --url URL [--host HOST] [--within SECONDS]
"""

import argparse
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request


def status_of(url: str, host: str) -> int | None:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=1) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (OSError, ValueError):
        return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--host", default="")
    parser.add_argument("--within", type=float, default=30.0)
    args = parser.parse_args()
    start = time.monotonic()
    os.kill(args.pid, signal.SIGKILL)
    tries = 0
    while time.monotonic() - start < args.within:
        tries += 1
        status = status_of(args.url, args.host)
        if status is not None and status < 500:
            print(json.dumps({"seconds": round(time.monotonic() - start, 3), "status": status, "tries": tries}))
            return 0
        time.sleep(0.05)
    print(json.dumps({"seconds": None, "status": None, "tries": tries}))
    return 1


if __name__ == "__main__":
    sys.exit(main())
