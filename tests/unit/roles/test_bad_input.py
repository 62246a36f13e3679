"""Bad input fails before anything changes, with a message that names the variable.

Each case runs the real role with ansible-playbook against this machine. The
role must stop at validation: the play's recap must show no change, and the
failure message must name the variable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ansible_playbook

APP: dict[str, Any] = {"name": "hello", "module": "hello:app", "source": {"type": "dir", "path": "/nonexistent"}}

CASES: list[tuple[str, dict[str, Any], str]] = [
    ("service", {"service_name": "x", "service_command": "/bin/true", "service_manager": "launchd"}, "service_manager"),
    ("service", {"service_name": "x"}, "service_command"),
    ("service", {"service_command": "/bin/true"}, "service_name"),
    ("service", {"service_name": "x", "service_command": "sleep 1"}, "service_command"),
    (
        "service",
        {"service_name": "x", "service_command": "/bin/true", "service_working_directory": "srv/x"},
        "service_working_directory",
    ),
    (
        "service",
        {"service_name": "x", "service_command": "/bin/true", "service_restart": "sometimes"},
        "service_restart",
    ),
    ("service", {"service_name": "bad name", "service_command": "/bin/true"}, "service_name"),
    (
        "service",
        {"service_name": "x", "service_command": "/bin/true", "service_sockets": ["run/x.sock"]},
        "service_sockets",
    ),
    (
        "service",
        {
            "service_name": "x",
            "service_command": "/bin/true",
            "service_sockets": ["/run/x.sock"],
            "service_socket_mode": "rw",
        },
        "service_socket_mode",
    ),
    # The app definition, through each role that reads it.
    ("virtualenv_app", {"virtualenv_app_apps": [dict(APP, name="Bad-Name")]}, "virtualenv_app_apps[0].name"),
    (
        "virtualenv_app",
        {"virtualenv_app_apps": [APP], "virtualenv_app_retire_timeout": 0},
        "virtualenv_app_retire_timeout",
    ),
    ("virtualenv_app", {"virtualenv_app_apps": [dict(APP, root="srv/hello")]}, "virtualenv_app_apps[0].root"),
    ("uwsgi_emperor", {"uwsgi_emperor_apps": [dict(APP, module="hello.app")]}, "uwsgi_emperor_apps[0].module"),
    ("uwsgi_emperor", {"uwsgi_emperor_apps": [dict(APP, socket="127.0.0.1:70000")]}, "uwsgi_emperor_apps[0].socket"),
    (
        "virtualenv_app",
        {"virtualenv_app_apps": [dict(APP, shared_dirs=["../data"])]},
        "virtualenv_app_apps[0].shared_dirs",
    ),
    (
        "virtualenv_app",
        {"virtualenv_app_apps": [dict(APP, required_settings=["DATABASE_URL"])]},
        "virtualenv_app_apps[0].required_settings: DATABASE_URL missing",
    ),
    (
        "uwsgi_emperor",
        {"uwsgi_emperor_apps": [dict(APP, uwsgi_options={"Bad Option": 1})]},
        "uwsgi_emperor_apps[0].uwsgi_options",
    ),
    ("nginx", {"nginx_apps": [dict(APP, nginx_options={"add-header": "x"})]}, "nginx_apps[0].nginx_options"),
    ("nginx", {"nginx_apps": [dict(APP, listen=70000)]}, "nginx_apps[0].listen"),
    ("nginx", {"nginx_apps": [dict(APP, listen=8081)]}, "nginx_status_listen (127.0.0.1:8081) is on port 8081"),
    ("nginx", {"nginx_apps": [dict(APP, static_dir="/var/www")]}, "nginx_apps[0].static_dir"),
    (
        "nginx",
        {"nginx_apps": [dict(APP, server_names=["a.test"]), dict(APP, name="other", server_names=["a.test"])]},
        "nginx_apps[1].server_names",
    ),
    # A load balancer: its upstreams and the app servers behind it.
    ("nginx", {"nginx_apps": [dict(APP, balance={"method": "fair"})]}, "nginx_apps[0].balance.method"),
    ("nginx", {"nginx_apps": [dict(APP, balance={"method": "hash"})]}, "nginx_apps[0].balance.hash_key"),
    ("nginx", {"nginx_apps": [dict(APP, balance={"max_fails": -1})]}, "nginx_apps[0].balance.max_fails"),
    (
        "nginx",
        {
            "nginx_apps": [dict(APP, balance={"method": "ip_hash"})],
            "nginx_backends": [{"name": "a"}, {"name": "b", "backup": True}],
        },
        "nginx_apps[0].balance.method",
    ),
    ("nginx", {"nginx_apps": [APP], "nginx_backends": [{"name": "a", "backup": True}]}, "nginx_backends"),
    ("nginx", {"nginx_apps": [APP], "nginx_backends": [{"name": "a", "address": "10.0.0.1; x"}]}, "nginx_backends[0]"),
    ("nginx", {"nginx_apps": [APP], "nginx_listen_address": "0.0.0.0:80"}, "nginx_listen_address"),
    ("nginx", {"nginx_apps": [APP], "nginx_real_ip_from": ["10.0.0.0/8; allow all"]}, "nginx_real_ip_from"),
    # The sandbox: systemd setting names, one-line values.
    (
        "nginx",
        {"nginx_apps": [APP], "nginx_service_hardening_overrides": {"private tmp": True}},
        "nginx_service_hardening",
    ),
    (
        "nginx",
        {"nginx_apps": [APP], "nginx_service_hardening_overrides": {"ProtectHome": "yes\nUser=root"}},
        "nginx_service_hardening",
    ),
    (
        "nginx",
        {"nginx_apps": [APP], "nginx_service_hardening": {"ReadWritePaths": ["/srv"]}},
        "nginx_service_hardening",
    ),
]


def run_role(role: str, role_vars: dict[str, Any], tmp_path: Path, *options: str) -> tuple[int, str]:
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        json.dumps(
            [
                {
                    "name": "Bad input",
                    "hosts": "localhost",
                    "gather_facts": False,
                    "tasks": [
                        {
                            "name": "Apply the role",
                            "ansible.builtin.include_role": {"name": f"wsgi.stack.{role}"},
                            "vars": role_vars,
                        }
                    ],
                }
            ]
        )
    )
    return ansible_playbook(tmp_path, "-i", "localhost,", "-c", "local", *options, str(playbook))


@pytest.mark.parametrize(
    ("role", "role_vars", "variable"), CASES, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)]
)
def test_bad_input_fails_before_any_change(role: str, role_vars: dict[str, Any], variable: str, tmp_path: Path) -> None:
    rc, output = run_role(role, role_vars, tmp_path)
    assert rc != 0, output
    # A check in a loop reports its failed item as "failed:", a single one as "fatal:".
    fatal = [line for line in output.splitlines() if line.startswith(("fatal:", "failed:"))]
    assert len(fatal) == 1, output
    message = json.loads(fatal[0].split("=> ", 1)[1])["msg"]
    assert variable in message, message
    assert "changed=0" in output, output


SECRET = "s3cret-token-value"


@pytest.mark.parametrize("role", ["virtualenv_app", "uwsgi_emperor", "nginx"])
def test_a_failing_run_never_prints_a_setting(role: str, tmp_path: Path) -> None:
    """Verbose, and failing on the app's settings: the value is named by its key, never shown."""
    app = dict(APP, settings={"API_TOKEN": SECRET + "\n", "OTHER": SECRET})
    rc, output = run_role(role, {f"{role}_apps": [app]}, tmp_path, "-vv")
    assert rc != 0, output
    assert f"{role}_apps[0].settings.API_TOKEN" in output, output
    assert SECRET not in output, output
