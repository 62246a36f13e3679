#!/usr/bin/env python3
"""Check an nginx configuration with gixy (the gixy-ng package): no finding.

Reads the whole configuration as ``nginx -T`` prints it (one file, or ``-``
for stdin), runs gixy on it from this Python's environment, and prints every
finding that is not excused, one line each. Exits 1 when there is one.

An excuse names a gixy check and the server names it may report on, with the
reason written next to it where it is given: ``--allow
hsts_header=secure.test,www.secure.test`` excuses a missing HSTS header on
those two sites (HSTS is off by design for a self-signed pair) and nothing
else. The testinfra scenarios import :func:`unexcused`.

Usage: gixy_check.py DUMP [--allow CHECK=NAME[,NAME...]]...
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

SERVER_NAME_RE = re.compile(r"^\s*server_name\s+([^;]*);", re.M)


def findings(dump: str) -> list[dict[str, str]]:
    """gixy's findings on a configuration dump (``nginx -T``), as its JSON report has them."""
    gixy = Path(sys.executable).with_name("gixy")
    with tempfile.TemporaryDirectory() as work:
        config = Path(work, "nginx-T.conf")
        config.write_text(dump)
        run = subprocess.run(
            [str(gixy), "--format", "json", str(config)], capture_output=True, text=True, check=False, cwd=work
        )
    # gixy exits non-zero when it finds something; no JSON means it failed.
    try:
        report: list[dict[str, str]] = json.loads(run.stdout)
    except json.JSONDecodeError as error:
        raise RuntimeError(
            f"gixy failed (exit {run.returncode}): {run.stderr.strip() or run.stdout.strip()}"
        ) from error
    return report


def unexcused(dump: str, allow: Mapping[str, set[str]] | None = None) -> list[str]:
    """One line per finding not excused: a check in ``allow`` whose servers all have excused names."""
    lines = []
    for finding in findings(dump):
        names = {name for match in SERVER_NAME_RE.findall(finding.get("config", "")) for name in match.split()}
        excused = (allow or {}).get(finding["plugin"], set())
        if names and names <= excused:
            continue
        where = ", ".join(sorted(names)) or "http"
        lines.append(f"[{finding['plugin']}] {finding['severity']} at {where}: {finding['reason']}")
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", help="the output of nginx -T, or - for stdin")
    parser.add_argument("--allow", action="append", default=[], metavar="CHECK=NAME[,NAME...]")
    args = parser.parse_args(argv)
    allow: dict[str, set[str]] = {}
    for entry in args.allow:
        check, _, names = entry.partition("=")
        allow.setdefault(check, set()).update(name for name in names.split(",") if name)
    dump = sys.stdin.read() if args.dump == "-" else Path(args.dump).read_text()
    lines = unexcused(dump, allow)
    print("\n".join(lines) if lines else "gixy: no finding")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
