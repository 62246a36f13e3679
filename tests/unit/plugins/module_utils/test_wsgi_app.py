"""One app definition: defaults derived once, bad input refused naming the variable."""

from __future__ import annotations

import re
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


def test_the_directories_above_the_static_dir_are_listed_for_the_web_server() -> None:
    assert one(static_dir="static")["static_dir_parents"] == []
    assert one(static_dir="src/hello/static/")["static_dir_parents"] == ["src", "src/hello"]
    assert one(static_dir="src/hello/static/")["static_path"] == "/srv/hello/current/src/hello/static"
    assert one()["static_dir_parents"] == []
    # A shared path beside the static directory, not above or in it, is fine.
    assert one(static_dir="static", shared_dirs=["static-cache", "instance"])["static_dir"] == "static"


def test_rate_limits_get_their_defaults_and_a_zone_of_the_apps_own() -> None:
    limits = one(rate_limits=[{"rate": "5r/s"}, {"path": "/login", "rate": "10r/m", "burst": 0}])["rate_limits"]
    assert limits == [
        {"path": "/", "rate": "5r/s", "burst": 20, "nodelay": True, "zone_size": "10m", "zone": "wsgi_stack_hello_0"},
        {
            "path": "/login",
            "rate": "10r/m",
            "burst": 0,
            "nodelay": True,
            "zone_size": "10m",
            "zone": "wsgi_stack_hello_1",
        },
    ]
    assert one()["rate_limits"] == []


def test_tcp_socket_and_http_upstream() -> None:
    assert one(socket="127.0.0.1:8001")["upstream"] == "127.0.0.1:8001"
    assert one(socket="127.0.0.1:8001", protocol="http")["upstream"] == "http://127.0.0.1:8001"
    assert one(protocol="http")["upstream"] == "http://unix:/run/uwsgi/hello.sock:"


def test_a_gunicorn_app_speaks_http_on_a_socket_systemd_holds() -> None:
    app = one(app_server="gunicorn")
    assert (app["protocol"], app["worker_class"]) == ("http", "gthread")
    assert app["socket_address"] == "/run/gunicorn/hello.sock"
    assert app["upstream"] == "http://unix:/run/gunicorn/hello.sock:"
    assert (app["server_packages"], app["service_name"]) == (["gunicorn"], "gunicorn-hello")
    assert one(app_server="gunicorn", worker_class="gevent")["server_packages"] == ["gunicorn", "gevent"]
    tcp = one(app_server="gunicorn", socket="127.0.0.1:8001", worker_class="sync")
    assert (tcp["upstream"], tcp["worker_class"]) == ("http://127.0.0.1:8001", "sync")
    uwsgi = one()
    assert (uwsgi["app_server"], uwsgi["protocol"], uwsgi["worker_class"]) == ("uwsgi", "uwsgi", None)
    assert (uwsgi["server_packages"], uwsgi["service_name"]) == ([], "")


def test_two_apps_never_share_a_gunicorn_socket() -> None:
    apps = [
        dict(HELLO, app_server="gunicorn", socket="127.0.0.1:8001"),
        dict(HELLO, name="other", socket="127.0.0.1:8001"),
    ]
    with pytest.raises(AppDefinitionError, match=r"wsgi_apps\[1\]\.socket: '127.0.0.1:8001' is already claimed"):
        normalize_apps(apps, var="wsgi_apps")


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
        ({"rate_limits": [{"burst": 5}]}, r"rate_limits\[0\]\.rate: must be requests per second or minute"),
        ({"rate_limits": [{"rate": "10/s"}]}, r"rate_limits\[0\]\.rate"),
        ({"rate_limits": [{"rate": "0r/s"}]}, r"rate_limits\[0\]\.rate"),
        (
            {"rate_limits": [{"rate": "1r/s", "burst": -1}]},
            r"rate_limits\[0\]\.burst: must be an integer of at least 0",
        ),
        ({"rate_limits": [{"rate": "1r/s", "nodelay": "yes"}]}, r"rate_limits\[0\]\.nodelay"),
        ({"rate_limits": [{"rate": "1r/s", "zone_size": "10 MB"}]}, r"rate_limits\[0\]\.zone_size"),
        ({"rate_limits": [{"rate": "1r/s", "path": "login"}]}, r"rate_limits\[0\]\.path: must be a URL path"),
        ({"rate_limits": [{"rate": "1r/s", "path": "/a b"}]}, r"rate_limits\[0\]\.path"),
        ({"rate_limits": [{"rate": "1r/s", "path": "/x;}"}]}, r"rate_limits\[0\]\.path"),
        ({"rate_limits": [{"rate": "1r/s", "per": "ip"}]}, r"rate_limits\[0\]\.per: unknown key"),
        ({"rate_limits": ["10r/s"]}, r"rate_limits\[0\]: must be a mapping"),
        (
            {"rate_limits": [{"rate": "1r/s", "path": "/static/x"}], "static_dir": "static"},
            r"rate_limits\[0\]\.path: '/static/x' is in static_url",
        ),
        (
            {"rate_limits": [{"rate": "1r/s"}, {"rate": "2r/s", "path": "/"}]},
            r"rate_limits\[1\]\.path: '/' has a limit already",
        ),
        ({"static_dir": "."}, r"wsgi_apps\[0\]\.static_dir: '\.' must name a directory inside the release"),
        ({"static_dir": "app/./static"}, r"wsgi_apps\[0\]\.static_dir"),
        ({"static_dir": "media", "shared_dirs": ["media"]}, r"static_dir: 'media' overlaps the shared path 'media'"),
        ({"static_dir": "media/up", "shared_dirs": ["media"]}, r"static_dir: 'media/up' overlaps"),
        ({"static_dir": "static", "shared_files": ["static/robots.txt"]}, r"static_dir: 'static' overlaps"),
        ({"listen": 70000}, r"wsgi_apps\[0\]\.listen: must be a port from 1 to 65535"),
        ({"listen": 0}, r"wsgi_apps\[0\]\.listen"),
        ({"socket": "127.0.0.1:99999"}, r"wsgi_apps\[0\]\.socket"),
        ({"user": "root"}, r"wsgi_apps\[0\]\.user: must be a non-root account"),
        ({"source": {"type": "svn"}}, r"wsgi_apps\[0\]\.source\.type"),
        ({"source": {"type": "git"}}, r"wsgi_apps\[0\]\.source\.repo: is required"),
        ({"source": {"type": "none"}}, r"wsgi_apps\[0\]\.packages: an app without source code"),
        ({"settings": {"BAD-NAME": "x"}}, r"wsgi_apps\[0\]\.settings"),
        ({"protocol": "fastcgi"}, r"wsgi_apps\[0\]\.protocol"),
        ({"app_server": "waitress"}, r"wsgi_apps\[0\]\.app_server: must be one of uwsgi, gunicorn"),
        ({"app_server": "gunicorn", "protocol": "uwsgi"}, r"wsgi_apps\[0\]\.protocol: must be http under"),
        ({"app_server": "gunicorn", "worker_class": "eventlet"}, r"wsgi_apps\[0\]\.worker_class: must be one of"),
        ({"worker_class": "gthread"}, r"wsgi_apps\[0\]\.worker_class: is Gunicorn's"),
        (
            {"app_server": "gunicorn", "uwsgi_options": {"lazy-apps": True}},
            r"wsgi_apps\[0\]\.uwsgi_options: are uWSGI's",
        ),
        ({"server_names": ["bad name"]}, r"wsgi_apps\[0\]\.server_names"),
        ({"threads": 0}, r"wsgi_apps\[0\]\.threads"),
        ({"max_requests": -1}, r"wsgi_apps\[0\]\.max_requests: must be a positive integer"),
        ({"colour": "blue"}, r"wsgi_apps\[0\]\.colour: unknown key"),
        ({"settings": {"TOKEN": "two\nlines"}}, r"wsgi_apps\[0\]\.settings\.TOKEN: must be a one-line"),
        ({"settings": {"TOKEN": {"a": 1}}}, r"wsgi_apps\[0\]\.settings\.TOKEN"),
        ({"secret_key_setting": "NOT-A-NAME"}, r"wsgi_apps\[0\]\.secret_key_setting"),
        ({"secret_key_aliases": ["bad alias"]}, r"wsgi_apps\[0\]\.secret_key_aliases"),
        ({"required_settings": ["A B"]}, r"wsgi_apps\[0\]\.required_settings"),
        ({"uwsgi_options": {"Bad Option": 1}}, r"wsgi_apps\[0\]\.uwsgi_options: 'Bad Option'"),
        ({"uwsgi_options": {"env": ["A=1", {"b": 2}]}}, r"wsgi_apps\[0\]\.uwsgi_options\.env"),
        ({"uwsgi_options": {"route": "a\nb"}}, r"wsgi_apps\[0\]\.uwsgi_options\.route"),
        ({"nginx_options": {"add-header": "x"}}, r"wsgi_apps\[0\]\.nginx_options: 'add-header'"),
        ({"nginx_options": {"gzip": {"on": True}}}, r"wsgi_apps\[0\]\.nginx_options\.gzip"),
        ({"shared_dirs": ["../data"]}, r"wsgi_apps\[0\]\.shared_dirs: '../data' must be a path relative"),
        ({"shared_dirs": ["/var/data"]}, r"wsgi_apps\[0\]\.shared_dirs"),
        ({"shared_dirs": ["venv"]}, r"wsgi_apps\[0\]\.shared_dirs: 'venv' is the release's own"),
        ({"shared_files": ["."]}, r"wsgi_apps\[0\]\.shared_files"),
        ({"shared_dirs": ["data"], "shared_files": ["data/db.sqlite"]}, r"wsgi_apps\[0\]\.shared_dirs: 'data'"),
        ({"shared_dirs": ["data", "data/"]}, r"wsgi_apps\[0\]\.shared_dirs: 'data' is listed twice"),
        ({"install_project": "yes"}, r"wsgi_apps\[0\]\.install_project: must be true or false"),
        ({"post_install": ["", "x"]}, r"wsgi_apps\[0\]\.post_install\[0\]: must be a non-empty"),
        ({"migrate_commands": [["flask", "db"]]}, r"wsgi_apps\[0\]\.migrate_commands\[0\]"),
        ({"init_commands": [{"cmd": "x"}]}, r"wsgi_apps\[0\]\.init_commands\[0\]: unknown key 'cmd'"),
        ({"init_commands": [{"creates": "x"}]}, r"wsgi_apps\[0\]\.init_commands\[0\]: must be a non-empty"),
        ({"init_commands": [{"command": "x", "creates": "../x"}]}, r"init_commands\[0\]\.creates"),
        ({"check_path": "health"}, r"wsgi_apps\[0\]\.check_path: must be a URL path"),
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


def test_release_lifetime_keys_are_normalised() -> None:
    app = one(
        shared_dirs=["instance/", "uploads"],
        shared_files="config/local.py",
        init_commands=["flask --app flaskr init-db", {"command": "seed", "creates": "instance/seeded"}],
        migrate_commands="flask db upgrade",
        post_install=None,
    )
    assert app["shared_dirs"] == ["instance", "uploads"]
    assert app["shared_files"] == ["config/local.py"]
    assert app["init_commands"] == [
        {"command": "flask --app flaskr init-db", "creates": ""},
        {"command": "seed", "creates": "instance/seeded"},
    ]
    assert app["migrate_commands"] == ["flask db upgrade"]
    assert app["post_install"] == []
    assert app["install_project"] is True
    assert app["secret_key_aliases"] == ["FLASK_SECRET_KEY"]


def test_check_path_and_host() -> None:
    assert (one()["check_path"], one()["check_host"]) == ("/", "localhost")
    assert one(check_path=None)["check_path"] == ""
    assert one(server_names=["_", "*.shop.test", "shop.test"])["check_host"] == "shop.test"


def test_settings_are_left_out_unless_asked_for() -> None:
    app = dict(HELLO, settings={"TOKEN": "s3cret"})
    assert normalize_apps([app])[0]["settings"] == {}
    assert normalize_apps([app], with_settings=True)[0]["settings"] == {"TOKEN": "s3cret"}


def test_a_bad_setting_value_is_never_shown() -> None:
    with pytest.raises(AppDefinitionError) as error:
        one(settings={"TOKEN": "s3cret-value\n"})
    assert "s3cret-value" not in str(error.value)


def test_required_settings_are_checked_against_what_the_app_gets() -> None:
    app = dict(HELLO, required_settings=["DATABASE_URL", "SECRET_KEY", "FLASK_SECRET_KEY", "LANG"])
    # Without the default settings only their form is checked.
    normalize_apps([app])
    with pytest.raises(AppDefinitionError, match=r"wsgi_apps\[0\]\.required_settings: DATABASE_URL missing"):
        normalize_apps([app], var="wsgi_apps", default_settings={"LANG": "C.UTF-8"})
    given = dict(app, settings={"DATABASE_URL": "sqlite://"})
    normalize_apps([given], default_settings={"LANG": "C.UTF-8"})
    # An empty value does not count; the secret key only counts while it is generated.
    with pytest.raises(AppDefinitionError, match="DATABASE_URL"):
        normalize_apps([dict(app, settings={"DATABASE_URL": ""})], default_settings={})
    with pytest.raises(AppDefinitionError, match="SECRET_KEY, FLASK_SECRET_KEY"):
        normalize_apps([dict(given, secret_key_setting="")], default_settings={"LANG": "C"})


def test_bad_default_settings_name_their_variable() -> None:
    with pytest.raises(AppDefinitionError, match=r"virtualenv_app_default_settings\.LANG: must be a one-line"):
        normalize_apps(
            [HELLO], default_settings={"LANG": "a\nb"}, default_settings_var="virtualenv_app_default_settings"
        )


CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nsecret-key-text\n-----END PRIVATE KEY-----\n"


def test_tls_is_off_by_default() -> None:
    tls = one()["tls"]
    assert (tls["enabled"], tls["source"], tls["certificate"], tls["key"]) == (False, "", "", "")


def test_self_signed_tls_names_the_pair_after_the_server_names() -> None:
    tls = one(server_names=["shop.test", "*.shop.test", "~^x", "_"], www_redirect=True, tls={"self_signed": True})[
        "tls"
    ]
    assert tls["enabled"] and tls["source"] == "self_signed"
    assert (tls["certificate"], tls["key"]) == (
        "/etc/ssl/wsgi-stack/hello.crt",
        "/etc/ssl/wsgi-stack/private/hello.key",
    )
    assert tls["subject_alt_names"] == ["DNS:shop.test", "DNS:*.shop.test", "DNS:www.shop.test"]
    assert tls["csr"] == "/etc/ssl/wsgi-stack/private/hello.csr"
    # No HSTS and no stapling for a pair no browser trusts.
    assert (tls["listen"], tls["redirect"], tls["hsts"], tls["stapling"]) == (443, True, 0, False)
    assert one(tls={"self_signed": True})["tls"]["subject_alt_names"] == ["DNS:localhost"]


def test_tls_from_files_and_content() -> None:
    files = one(tls={"certificate": "/etc/ssl/shop.pem", "key": "/etc/ssl/private/shop.key"})["tls"]
    assert (files["source"], files["certificate"], files["key"]) == (
        "files",
        "/etc/ssl/shop.pem",
        "/etc/ssl/private/shop.key",
    )
    assert (files["hsts"], files["stapling"]) == (63072000, False)
    content = one(tls={"certificate_content": CERT, "key_content": KEY, "hsts": 300, "stapling": True})["tls"]
    assert (content["source"], content["certificate"], content["hsts"], content["stapling"]) == (
        "content",
        "/etc/ssl/wsgi-stack/hello.crt",
        300,
        True,
    )
    assert content["certificate_content"] == CERT


def test_the_files_a_web_server_may_write_are_named_whatever_the_source() -> None:
    owned = [
        "/etc/ssl/wsgi-stack/hello.crt",
        "/etc/ssl/wsgi-stack/private/hello.key",
        "/etc/ssl/wsgi-stack/private/hello.csr",
    ]
    assert one()["tls"]["owned_files"] == owned
    assert one(state="absent")["tls"]["owned_files"] == owned
    assert one(tls={"certificate": "/etc/ssl/a.pem", "key": "/etc/ssl/a.key"})["tls"]["owned_files"] == owned


def test_the_private_key_text_is_left_out_unless_asked_for() -> None:
    app = dict(HELLO, tls={"certificate_content": CERT, "key_content": KEY})
    assert normalize_apps([app])[0]["tls"]["key_content"] == ""
    assert normalize_apps([app], with_tls_keys=True)[0]["tls"]["key_content"] == KEY


@pytest.mark.parametrize(
    ("tls", "message"),
    [
        ({"self_signed": "yes"}, "wsgi_apps[0].tls.self_signed: must be true or false"),
        ({"cert": "/x"}, "wsgi_apps[0].tls.cert: unknown key"),
        ({"self_signed": True, "certificate": "/a", "key": "/b"}, "wsgi_apps[0].tls: give one source"),
        ({"certificate": "/a"}, "wsgi_apps[0].tls.key: must be the absolute path"),
        ({"certificate": "a.pem", "key": "/b"}, "wsgi_apps[0].tls.certificate: must be the absolute path"),
        ({"certificate_content": CERT, "key_content": "not pem"}, "wsgi_apps[0].tls.key_content: must be PEM text"),
        ({"self_signed": True, "listen": 80}, "wsgi_apps[0].tls.listen: must differ from listen (80)"),
        ({"self_signed": True, "listen": 0}, "wsgi_apps[0].tls.listen: must be a port"),
        ({"self_signed": True, "hsts": -1}, "wsgi_apps[0].tls.hsts: must be the max-age"),
        ({"self_signed": True, "stapling": True}, "wsgi_apps[0].tls.stapling: needs a certificate from a CA"),
        ({"listen": 8443}, "wsgi_apps[0].tls: has settings but no certificate"),
        ([], "wsgi_apps[0].tls: must be a dict"),
    ],
)
def test_bad_tls_names_the_key(tls: Any, message: str) -> None:
    with pytest.raises(AppDefinitionError, match=re.escape(message)) as error:
        one(tls=tls)
    assert "secret-key-text" not in str(error.value)


def test_a_port_is_plain_http_or_tls_for_every_site() -> None:
    shop = dict(HELLO, name="shop", root="/srv/shop", server_names=["shop.test"], tls={"self_signed": True})
    with pytest.raises(
        AppDefinitionError, match=r"wsgi_apps\[0\].tls.listen: 443 is the plain HTTP port of wsgi_apps\[1\] \(hello\)"
    ):
        normalize_apps([shop, dict(HELLO, listen=443)], var="wsgi_apps")
    with pytest.raises(
        AppDefinitionError, match=r"wsgi_apps\[0\].listen: 8080 is the TLS port of wsgi_apps\[1\] \(shop\)"
    ):
        normalize_apps(
            [dict(HELLO, listen=8080), dict(shop, tls={"self_signed": True, "listen": 8080})], var="wsgi_apps"
        )
    # Two TLS sites on one port, and one name on the TLS port twice.
    blog = dict(HELLO, name="blog", root="/srv/blog", server_names=["blog.test"], tls={"self_signed": True})
    assert len(normalize_apps([shop, blog])) == 2
    with pytest.raises(AppDefinitionError, match=r"'shop.test' is already claimed"):
        normalize_apps([shop, dict(blog, server_names=["shop.test"], listen=8080)])
