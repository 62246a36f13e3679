"""The daemons of the stack run sandboxed: systemd-analyze security rates each unit under its target.

The figures are printed for every host. A unit file only says what systemd
would do: the running main process must be inside its sandbox too (nginx was
installed, and started, before the role wrote its drop-in).
"""

from __future__ import annotations

import re

import pytest

# systemd-analyze security: 0 is fully sandboxed, 10 not at all. Debian's
# nginx unit alone rates 9.6 ("UNSAFE").
# A Gunicorn app under its own account gets the service role's full sandbox.
TARGETS = {"uwsgi-emperor.service": 3.0, "nginx.service": 4.5, "gunicorn-hello_gunicorn.service": 2.0}


def exposure(host, unit: str) -> float:
    output = host.check_output(f"systemd-analyze security --no-pager {unit}")
    found = re.search(rf"Overall exposure level for {re.escape(unit)}: ([0-9]+[.][0-9]+)", output)
    assert found, output[-500:]
    return float(found.group(1))


def main_pid(host, unit: str) -> int:
    pid = int(host.check_output(f"systemctl show --property=MainPID --value {unit}"))
    assert pid > 0, f"{unit} is not running"
    return pid


@pytest.mark.parametrize(("unit", "target"), TARGETS.items())
def test_each_unit_is_rated_under_its_target(host, capsys, unit: str, target: float) -> None:
    rated = exposure(host, unit)
    with capsys.disabled():
        print(f"\n{host.backend.get_hostname()}: systemd-analyze security {unit}: {rated} (target <= {target})")
    assert rated <= target


def status_of(host, unit: str) -> dict[str, str]:
    """The fields of /proc/<main pid>/status of the unit's main process."""
    lines = host.file(f"/proc/{main_pid(host, unit)}/status").content_string.splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


@pytest.mark.parametrize("unit", TARGETS)
def test_the_running_main_process_is_in_its_sandbox(host, unit: str) -> None:
    status = status_of(host, unit)
    # SystemCallFilter: a seccomp filter (mode 2); the test containers run
    # unconfined, so only systemd can have put it there.
    assert status["Seccomp"].strip() == "2", status["Seccomp"]
    # CAP_SYS_ADMIN (bit 21) is out of the bounding set of both.
    bounding = int(status["CapBnd"].strip(), 16)
    assert not bounding & (1 << 21), f"{unit}: CapBnd {bounding:x}"


def test_nginx_cannot_gain_privileges(host) -> None:
    assert status_of(host, "nginx.service")["NoNewPrivs"].strip() == "1"
