"""One app definition: defaults derived once, bad input refused naming the variable."""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.wsgi.stack.plugins.filter.wsgi_apps import FilterModule
from ansible_collections.wsgi.stack.plugins.module_utils.wsgi_app import AppDefinitionError, normalize_apps

HELLO: dict[str, Any] = {"name": "hello", "module": "hello:app", "source": {"type": "dir", "path": "/tmp/hello"}}


def one(**changes: Any) -> dict[str, Any]:
    app: dict[str, Any] = normalize_apps([dict(HELLO, **changes)], var="wsgi_apps")[0]
    return app


def test_defaults_and_derived_paths() -> None:
    app = one(static_dir="static")
    assert (app["user"], app["group"], app["root"]) == ("hello", "hello", "/srv/hello")
    assert (app["wsgi_module"], app["wsgi_callable"]) == ("hello", "app")
    assert app["socket_address"] == "/run/uwsgi/hello.sock"
    assert app["upstream"] == "unix:/run/uwsgi/hello.sock"
    assert app["current_dir"] == "/srv/hello/current"
    assert app["env_file"] == "/srv/hello/shared/app.env"
    assert app["static_path"] == "/srv/hello/current/static"
    assert app["server_names"] == ["_"]


def test_tcp_socket_and_http_upstream() -> None:
    assert one(socket="127.0.0.1:8001")["upstream"] == "127.0.0.1:8001"
    assert one(socket="127.0.0.1:8001", protocol="http")["upstream"] == "http://127.0.0.1:8001"
    assert one(protocol="http")["upstream"] == "http://unix:/run/uwsgi/hello.sock:"


def test_input_is_not_modified() -> None:
    app = dict(HELLO)
    normalize_apps([app])
    assert app == HELLO


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "Hello-App"}, r"wsgi_apps\[0\]\.name: must match"),
        ({"name": "../x"}, r"wsgi_apps\[0\]\.name"),
        ({"module": "hello.app"}, r"wsgi_apps\[0\]\.module: must be 'package.module:callable'"),
        ({"root": "srv/hello"}, r"wsgi_apps\[0\]\.root: must be an absolute path"),
        ({"static_dir": "/srv/static"}, r"wsgi_apps\[0\]\.static_dir: must be a path relative"),
        ({"static_dir": "../etc"}, r"wsgi_apps\[0\]\.static_dir"),
        ({"listen": 70000}, r"wsgi_apps\[0\]\.listen: must be a port from 1 to 65535"),
        ({"listen": 0}, r"wsgi_apps\[0\]\.listen"),
        ({"socket": "127.0.0.1:99999"}, r"wsgi_apps\[0\]\.socket"),
        ({"user": "root"}, r"wsgi_apps\[0\]\.user: must be a non-root account"),
        ({"source": {"type": "svn"}}, r"wsgi_apps\[0\]\.source\.type"),
        ({"source": {"type": "git"}}, r"wsgi_apps\[0\]\.source\.repo: is required"),
        ({"source": {"type": "none"}}, r"wsgi_apps\[0\]\.packages: an app without source code"),
        ({"settings": {"BAD-NAME": "x"}}, r"wsgi_apps\[0\]\.settings"),
        ({"protocol": "fastcgi"}, r"wsgi_apps\[0\]\.protocol"),
        ({"server_names": ["bad name"]}, r"wsgi_apps\[0\]\.server_names"),
        ({"threads": 0}, r"wsgi_apps\[0\]\.threads"),
        ({"colour": "blue"}, r"wsgi_apps\[0\]\.colour: unknown key"),
    ],
)
def test_bad_input_names_the_variable(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(AppDefinitionError, match=message):
        one(**changes)


def test_two_apps_cannot_claim_one_server_name() -> None:
    apps = [dict(HELLO, server_names=["a.test"]), dict(HELLO, name="other", server_names=["b.test", "a.test"])]
    with pytest.raises(
        AppDefinitionError, match=r"wsgi_apps\[1\]\.server_names: 'a.test' is already claimed by wsgi_apps\[0\]"
    ):
        normalize_apps(apps, var="wsgi_apps")


def test_one_server_name_on_two_ports_is_fine() -> None:
    apps = [dict(HELLO, server_names=["a.test"]), dict(HELLO, name="other", server_names=["a.test"], listen=8080)]
    assert [a["listen"] for a in normalize_apps(apps)] == [80, 8080]


def test_two_apps_cannot_share_a_socket_or_root() -> None:
    with pytest.raises(AppDefinitionError, match=r"\.socket: '/tmp/s.sock' is already claimed"):
        normalize_apps(
            [dict(HELLO, socket="/tmp/s.sock"), dict(HELLO, name="b", socket="/tmp/s.sock", server_names=["b"])]
        )
    with pytest.raises(AppDefinitionError, match=r"\.root: '/srv/x' is already claimed"):
        normalize_apps([dict(HELLO, root="/srv/x"), dict(HELLO, name="b", root="/srv/x", server_names=["b"])])


def test_absent_app_needs_no_module() -> None:
    assert normalize_apps([{"name": "old", "state": "absent"}])[0]["state"] == "absent"


def test_not_a_list() -> None:
    with pytest.raises(AppDefinitionError, match="must be a list"):
        normalize_apps({"name": "x"}, var="nginx_apps")


def test_filter_raises_ansible_error() -> None:
    from ansible.errors import AnsibleFilterError

    with pytest.raises(AnsibleFilterError, match=r"nginx_apps\[0\]\.module"):
        FilterModule().filters()["wsgi_apps"]([{"name": "x"}], var="nginx_apps")
