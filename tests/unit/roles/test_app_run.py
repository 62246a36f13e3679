"""The release's own runner: commands with the right lifetime, and the WSGI check before going live."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import REPO

APP_RUN = REPO / "roles" / "virtualenv_app" / "files" / "app_run.py"

APPS = """
import os
from flask import Flask

def create_app(test_config=None):
    app = Flask(__name__)

    @app.get("/")
    def index():
        return "token=" + os.environ.get("TOKEN", "")

    @app.get("/broken")
    def broken():
        raise RuntimeError("no such table: post")

    return app

app = create_app()
needs_config = lambda config: None
not_an_app = 42

def crashes_on_import():
    raise ValueError

from werkzeug.wrappers import Request, Response

@Request.application
def decorated(request):
    return Response("made by a decorator")

def plain(environ, start_response):
    start_response("404 NOT FOUND", [("Content-Type", "text/plain")])
    return [b"nothing here"]
"""


def app_run(release: Path, *args: str, env: str = "") -> subprocess.CompletedProcess[str]:
    # PWD elsewhere, as sudo leaves it.
    return subprocess.run(
        [sys.executable, str(APP_RUN), *args],
        cwd=release,
        input=env,
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, PWD="/"),
    )


@pytest.fixture
def release(tmp_path: Path) -> Path:
    (tmp_path / "webapp.py").write_text(APPS)
    return tmp_path


def test_a_working_app_passes_with_its_settings(release: Path) -> None:
    done = app_run(release, "check", "webapp", "app", "/", "shop.test", "20", env="TOKEN=t0k\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"callable": "webapp:app", "request": "GET /", "status": "200 OK"}


def test_the_factory_form_is_called_once(release: Path) -> None:
    done = app_run(release, "check", "webapp", "create_app()", "/", "localhost", "20")
    assert done.returncode == 0, done.stderr


def test_a_factory_without_parentheses_is_refused_with_the_fix(release: Path) -> None:
    done = app_run(release, "check", "webapp", "create_app", "/", "localhost", "20")
    assert done.returncode == 1
    assert "webapp:create_app is a factory: write `webapp:create_app()`" in done.stderr


def test_a_5xx_answer_is_refused_with_the_status_and_the_error(release: Path) -> None:
    done = app_run(release, "check", "webapp", "app", "/broken", "localhost", "20")
    assert done.returncode == 1
    assert "GET /broken (Host: localhost) answered 500 INTERNAL SERVER ERROR" in done.stderr
    assert "no such table: post" in done.stderr


def test_a_4xx_answer_is_fine_and_an_empty_path_only_imports(release: Path) -> None:
    assert app_run(release, "check", "webapp", "plain", "/", "localhost", "20").returncode == 0
    done = app_run(release, "check", "webapp", "create_app()", "", "localhost", "20")
    assert json.loads(done.stdout)["request"] is None


def test_a_decorated_app_is_judged_by_its_wrapper(release: Path) -> None:
    """Werkzeug's Request.application wraps f(request) as app(*args): the wrapper is what gets called."""
    done = app_run(release, "check", "webapp", "decorated", "/", "localhost", "20")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not_an_app", "webapp:not_an_app is not callable (it is a int)"),
        ("needs_config", "cannot be called as a WSGI app"),
        ("crashes_on_import()", "ValueError"),
        ("missing", "AttributeError"),
    ],
)
def test_what_cannot_serve_is_refused(release: Path, name: str, message: str) -> None:
    done = app_run(release, "check", "webapp", name, "/", "localhost", "20")
    assert done.returncode == 1
    assert message in done.stderr


def test_commands_get_the_settings_and_the_venv_on_path(release: Path) -> None:
    done = app_run(release, "run", 'echo "$TOKEN:$VIRTUAL_ENV:$(printenv PWD)" > out', env="TOKEN=abc\n")
    assert done.returncode == 0, done.stderr
    assert (release / "out").read_text() == f"abc:{sys.prefix}:{release}\n"
    assert json.loads(done.stdout) == {"ran": ['echo "$TOKEN:$VIRTUAL_ENV:$(printenv PWD)" > out'], "skipped": []}


def test_a_failing_command_stops_the_rest(release: Path) -> None:
    done = app_run(release, "run", "echo one >> log", "false", "echo three >> log")
    assert done.returncode == 1
    assert "command failed with exit 1: false" in done.stderr
    assert (release / "log").read_text() == "one\n"


def test_init_commands_run_once_ever_and_new_ones_once_too(release: Path) -> None:
    marker = release / "init.done"
    first = json.dumps([{"command": "echo init >> log", "creates": ""}])
    assert json.loads(app_run(release, "once", str(marker), first).stdout)["ran"] == ["echo init >> log"]
    assert json.loads(app_run(release, "once", str(marker), first).stdout)["ran"] == []
    more = json.dumps(
        [
            {"command": "echo init >> log", "creates": ""},
            {"command": "echo seed >> log", "creates": ""},
            {"command": "echo never >> log", "creates": "log"},
        ]
    )
    result = json.loads(app_run(release, "once", str(marker), more).stdout)
    assert result == {"ran": ["echo seed >> log"], "skipped": ["echo never >> log"]}
    assert (release / "log").read_text() == "init\nseed\n"


def test_a_failed_init_command_runs_again_next_time(release: Path) -> None:
    marker = release / "init.done"
    item = json.dumps([{"command": "test -e ready && echo ok >> log", "creates": ""}])
    assert app_run(release, "once", str(marker), item).returncode == 1
    (release / "ready").write_text("")
    assert json.loads(app_run(release, "once", str(marker), item).stdout)["ran"]


def test_migrations_run_for_a_new_release_or_a_changed_list(release: Path) -> None:
    marker = release / "migrated"
    assert json.loads(app_run(release, "changed", str(marker), "echo m1 >> log").stdout)["ran"]
    assert not json.loads(app_run(release, "changed", str(marker), "echo m1 >> log").stdout)["ran"]
    assert json.loads(app_run(release, "changed", str(marker), "echo m1 >> log", "echo m2 >> log").stdout)["ran"]
    assert (release / "log").read_text() == "m1\nm1\nm2\n"


def test_the_environment_says_where_the_command_runs(release: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """sudo leaves PWD where Ansible started; a command in the release must see the release."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("app_run", APP_RUN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.chdir(release)
    monkeypatch.setenv("PWD", "/")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    for name in ("TOKEN", "VIRTUAL_ENV"):  # restored after the test
        monkeypatch.setenv(name, "")
    monkeypatch.setattr(os, "umask", lambda mask: 0)
    module.load_environment("TOKEN=a=b\n", "/srv/app/releases/r1/venv")
    assert os.environ["PWD"] == str(release)
    assert os.environ["TOKEN"] == "a=b"
    assert os.environ["PATH"] == "/srv/app/releases/r1/venv/bin:/usr/bin:/bin"
    assert os.environ["VIRTUAL_ENV"] == "/srv/app/releases/r1/venv"
