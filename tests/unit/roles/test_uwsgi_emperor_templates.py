"""emperor.ini and the vassal, rendered as the uwsgi_emperor role renders them."""

from __future__ import annotations

from typing import Any

from ansible_collections.wsgi.stack.plugins.filter.wsgi_apps import wsgi_apps

from ..conftest import Render

EMPEROR = "etc/uwsgi/emperor.ini.j2"
VASSAL = "etc/uwsgi/vassals/vassal.ini.j2"

OPTIONS: dict[str, Any] = {"listen": 64, "env": ["A=1", "B=2"], "lazy-apps": True, "disable-logging": False}
OPTION_LINES = ["listen = 64", "env = A=1", "env = B=2", "lazy-apps = true", "disable-logging = false"]


def vassal(render: Render, **app: Any) -> str:
    checksum = app.pop("env_checksum", "0" * 64)
    definition = {"name": "demo", "module": "demoapp:application", "packages": ["flask"], **app}
    return render(
        "uwsgi_emperor",
        VASSAL,
        app=wsgi_apps([definition])[0],
        release="/srv/demo/releases/r1",
        processes=2,
        listen=4096,
        stats_dir="/run/uwsgi/demo",
        env_checksum=checksum,
    )


def test_emperor_options_close_the_file(render: Render) -> None:
    text = render("uwsgi_emperor", EMPEROR, uwsgi_emperor_options=OPTIONS)
    assert text.endswith("endif =\n" + "\n".join(OPTION_LINES) + "\n")


def test_emperor_without_options_ends_with_the_socket_directory(render: Render) -> None:
    assert render("uwsgi_emperor", EMPEROR).endswith("hook-asap = mkdir:/run/uwsgi\nendif =\n")


def test_vassal_options_come_last_so_they_win(render: Render) -> None:
    text = vassal(render, uwsgi_options=OPTIONS)
    block = "\n; The app's own uwsgi_options, last so they win.\n" + "\n".join(OPTION_LINES) + "\n"
    assert text.endswith(block)


def test_vassal_without_options_has_no_options_block(render: Render) -> None:
    text = vassal(render)
    assert "uwsgi_options" not in text
    assert text.endswith("for-readline = /srv/demo/shared/app.env\nenv = %(_)\nendfor =\n")


def test_new_settings_change_the_vassal_and_nothing_else_reloads_it(render: Render) -> None:
    before = vassal(render, env_checksum="a" * 64)
    after = vassal(render, env_checksum="b" * 64)
    assert before != after
    assert "b" * 64 in after
    assert "touch-reload" not in after


def test_without_a_settings_file_the_vassal_reads_none(render: Render) -> None:
    assert "for-readline" not in vassal(render, env_checksum="")


def test_workers_are_recycled_only_when_asked(render: Render) -> None:
    assert "max-requests" not in vassal(render)
    assert "\nmax-requests = 20000\n" in vassal(render, max_requests=20000)


def test_the_listen_queue_is_the_kernels_cap_unless_the_app_says_otherwise(render: Render) -> None:
    lines = vassal(render).splitlines()
    assert "listen = 4096" in lines
    own = vassal(render, uwsgi_options={"listen": 64}).splitlines()
    # uWSGI keeps the last value of an option: the app's own, after the default.
    assert own.index("listen = 64") > own.index("listen = 4096")
