"""Turn make bench's figures (bench.jsonl) into a Markdown table and a plot.

Usage: report.py BENCH_JSONL OUT_MD OUT_PNG
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STACKS = {
    "default": "default: nginx -> uWSGI vassal",
    "direct": "direct: the vassal over HTTP, no nginx",
    "gunicorn": "gunicorn: nginx -> Gunicorn app (app_server: gunicorn)",
    "classic": "classic: nginx -> Gunicorn, 1 sync worker",
}
ENDPOINTS = ["/", "/api/info", "/api/wait"]
PERCENTILES = [("p50_ms", "p50"), ("p99_ms", "p99"), ("p999_ms", "p99.9")]


def load(path: Path) -> tuple[dict[str, Any], dict[tuple[str, str, str], dict[str, Any]]]:
    converge: dict[str, Any] = {}
    runs: dict[tuple[str, str, str], dict[str, Any]] = {}
    for line in path.read_text().splitlines():
        row = json.loads(line)
        if row["mode"] == "converge":
            converge = row
        else:
            runs[(row["stack"], row["endpoint"], row["mode"])] = row
    return converge, runs


def ms(row: dict[str, Any]) -> str:
    return " / ".join(f"{row[key]:.1f}" for key, _ in PERCENTILES)


def table(converge: dict[str, Any], runs: dict[tuple[str, str, str], dict[str, Any]]) -> str:
    lines = [
        f"make bench, {time.strftime('%Y-%m-%d', time.gmtime())}: the sample app in a Debian 12 container on "
        f"{os.cpu_count()} cores, the load generators in the same container.",
        "",
        f"site.yml: cold converge {converge.get('cold_s', '?')} s, no-op converge {converge.get('noop_s', '?')} s.",
        "",
        "| stack | endpoint | req/s (fixed connections) | p50 / p99 / p99.9 ms | errors "
        "| constant rate, req/s | p50 / p99 / p99.9 ms | failed + unsent |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for stack in STACKS:
        for endpoint in ENDPOINTS:
            fixed = runs.get((stack, endpoint, "fixed"))
            paced = runs.get((stack, endpoint, "rate"))
            if not fixed or not paced:
                continue
            lines.append(
                f"| {stack} | `{endpoint}` | {fixed['rps']:.0f} | {ms(fixed)} | {fixed['errors']} "
                f"| {paced['rate']:.0f} | {ms(paced)} | {paced['failed'] + paced['unsent']} |"
            )
    lines += ["", "| stack | app-server processes | resident memory after the load (MiB) |", "|---|---|---|"]
    for stack in STACKS:
        memory = runs.get((stack, "", "memory"))
        if memory:
            lines.append(f"| {stack} | {memory['processes']} | {memory['rss_mib']:.1f} |")
    ratios = []
    for endpoint in ENDPOINTS:
        default, direct, classic = (runs.get((s, endpoint, "fixed")) for s in ("default", "direct", "classic"))
        if default and direct and classic:
            ratios.append(
                f"`{endpoint}` {default['rps'] / direct['rps']:.2f}x direct, {default['rps'] / classic['rps']:.2f}x classic"
            )
    if ratios:
        lines += ["", "The default stack's requests per second: " + "; ".join(ratios) + "."]
    others = []
    for endpoint in ENDPOINTS:
        gunicorn, classic = (runs.get((s, endpoint, "fixed")) for s in ("gunicorn", "classic"))
        if gunicorn and classic:
            others.append(f"`{endpoint}` {gunicorn['rps'] / classic['rps']:.2f}x classic")
    if others:
        lines += ["", "The Gunicorn app's requests per second (its defaults, gthread): " + "; ".join(others) + "."]
    return "\n".join(lines) + "\n"


def plot(runs: dict[tuple[str, str, str], dict[str, Any]], target: Path) -> None:
    fig, axes = plt.subplots(2, len(ENDPOINTS), figsize=(4.2 * len(ENDPOINTS), 7.5))
    colours = ["#1f77b4", "#2ca02c", "#9467bd", "#d62728"]
    for column, endpoint in enumerate(ENDPOINTS):
        top, bottom = axes[0][column], axes[1][column]
        names = [s for s in STACKS if (s, endpoint, "fixed") in runs]
        top.bar(names, [runs[(s, endpoint, "fixed")]["rps"] for s in names], color=colours[: len(names)])
        top.set_title(f"{endpoint}: requests/s, fixed connections")
        width = 0.8 / len(PERCENTILES)
        for k, (key, label) in enumerate(PERCENTILES):
            values = [runs[(s, endpoint, "rate")][key] for s in names]
            bottom.bar([i + (k - 1) * width for i in range(len(names))], values, width, label=label)
        bottom.set_xticks(range(len(names)), names)
        bottom.set_yscale("log")
        bottom.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        bottom.set_title(f"{endpoint}: latency (ms) at half that rate")
        bottom.legend(fontsize="small")
    fig.suptitle(" | ".join(STACKS.values()), fontsize="small")
    fig.tight_layout()
    fig.savefig(target, dpi=90)


def main() -> None:
    source, markdown, picture = (Path(arg) for arg in sys.argv[1:4])
    converge, runs = load(source)
    markdown.write_text(table(converge, runs))
    plot(runs, picture)


if __name__ == "__main__":
    main()
