"""The command line of a Gunicorn app, rendered as the gunicorn role renders it for wsgi.stack.service."""

from __future__ import annotations

import shlex
from typing import Any

import pytest

from ansible_collections.wsgi.stack.plugins.filter.wsgi_apps import wsgi_apps

from ..conftest import Render

RELEASE = "/srv/demo/releases/r1"


def command(render: Render, options: dict[str, Any] | None = None, **app: Any) -> list[str]:
    definition = {"name": "demo", "module": "demo.wsgi:create_app()", "app_server": "gunicorn", "packages": ["demo"]}
    text = render(
        "gunicorn",
        "command.j2",
        app=wsgi_apps([{**definition, **app}])[0],
        release=RELEASE,
        processes=3,
        gunicorn_options=options or {},
    )
    assert "\n" not in text.strip(), "the command must be one line"
    return shlex.split(text)


def test_gthread_workers_from_the_releases_virtualenv_on_the_socket_systemd_holds(render: Render) -> None:
    argv = command(render, max_requests=1000)
    assert argv[:3] == [f"{RELEASE}/venv/bin/python", "-m", "gunicorn"]
    assert argv[-1] == "demo.wsgi:create_app()"
    pairs = dict(zip(argv[3:-1:2], argv[4:-1:2], strict=True))
    assert pairs == {
        "--chdir": RELEASE,
        "--bind": "unix:/run/gunicorn/demo.sock",
        "--workers": "3",
        "--worker-class": "gthread",
        "--threads": "4",
        "--timeout": "30",
        "--graceful-timeout": "30",
        "--max-requests": "1000",
        "--access-logfile": "-",
        "--error-logfile": "-",
        "--name": "demo",
    }


@pytest.mark.parametrize("worker_class", ["sync", "gevent"])
def test_other_worker_classes_take_no_threads(render: Render, worker_class: str) -> None:
    argv = command(render, worker_class=worker_class, socket="127.0.0.1:8001")
    assert argv[argv.index("--worker-class") + 1] == worker_class
    assert "--threads" not in argv
    assert "--max-requests" not in argv
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8001"


def test_gunicorn_options_come_before_the_app_sorted_a_list_repeating_one(render: Render) -> None:
    options = {"backlog": 2048, "preload": True, "reuse-port": False, "forwarded-allow-ips": "10.0.0.1 10.0.0.2"}
    argv = command(render, options=dict(options, env=["A=1", "B=two words"]))
    assert argv[argv.index("--name") + 2 :] == [
        "--backlog=2048",
        "--env=A=1",
        "--env=B=two words",
        "--forwarded-allow-ips=10.0.0.1 10.0.0.2",
        "--preload",
        "demo.wsgi:create_app()",
    ]
