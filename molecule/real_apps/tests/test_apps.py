"""Several apps under one Emperor: each on its own name and account, neither reading the other; one retired."""

import posixpath
from dataclasses import dataclass
from http.client import RemoteDisconnected

import pytest


@dataclass(frozen=True)
class App:
    name: str
    user: str
    server_name: str
    port: int
    marker: str
    """Text in the app's answer to GET / that no other app gives."""

    @property
    def root(self):
        return f"/srv/{self.name}"

    @property
    def socket(self):
        return f"/run/uwsgi/{self.name}.sock"


FLASKR = App(name="flaskr", user="flaskr", server_name="flaskr.test", port=80, marker="<h1>Posts</h1>")
HTTPBIN = App(name="httpbin", user="httpbinsvc", server_name="httpbin.test", port=8000, marker="httpbin.org")
APPS = [FLASKR, HTTPBIN]
OTHER = {FLASKR: HTTPBIN, HTTPBIN: FLASKR}
# The app side_effect.yml retired with state: absent, and all it had.
RETIRED = "hello"
RETIRED_PATHS = [
    f"/srv/{RETIRED}",
    f"/etc/uwsgi/vassals/{RETIRED}.ini",
    f"/etc/nginx/sites-enabled/{RETIRED}.conf",
    f"/etc/nginx/sites-available/{RETIRED}.conf",
    f"/run/uwsgi/{RETIRED}.sock",
    f"/run/uwsgi/{RETIRED}",
]


def by_name(app):
    return app.name


def run_as(host, app, command):
    """Run a shell command as the app's account, its output discarded."""
    with host.sudo(app.user):
        return host.run(f"{command} >/dev/null")


@pytest.mark.parametrize("app", APPS, ids=by_name)
def test_each_app_answers_on_its_own_host_name(http, app):
    page = http.get("/", host=app.server_name, port=app.port)

    assert page.status == 200
    assert app.marker in page.text
    assert OTHER[app].marker not in page.text


def test_the_www_name_redirects_to_the_bare_name(http):
    answer = http.get("/auth/login", host=f"www.{FLASKR.server_name}")

    assert answer.status == 301
    assert answer.headers["Location"] == f"http://{FLASKR.server_name}/auth/login"


def test_a_host_name_no_app_claims_gets_no_answer(http):
    # nginx's "return 444": the connection is closed without a response.
    with pytest.raises(RemoteDisconnected):
        http.get("/", host="nobody.test")


@pytest.mark.parametrize("app", APPS, ids=by_name)
def test_each_socket_is_its_apps_shared_with_nginx_mode_660(file_stat, app):
    assert file_stat(app.socket) == ("socket", app.user, "www-data", "0660")


@pytest.mark.parametrize("app", APPS, ids=by_name)
def test_each_vassal_listens_on_its_socket(host, app):
    assert host.socket(f"unix://{app.socket}").is_listening


@pytest.mark.parametrize("app", APPS, ids=by_name)
@pytest.mark.parametrize("subdir", ["", "/releases", "/shared"])
def test_each_app_directory_is_its_apps_alone(file_stat, app, subdir):
    assert file_stat(app.root + subdir) == ("directory", app.user, app.user, "0750")


@pytest.mark.parametrize("app", APPS, ids=by_name)
def test_each_current_links_to_one_of_its_releases(host, file_stat, app):
    current = host.file(f"{app.root}/current")

    assert current.is_symlink
    assert posixpath.dirname(current.linked_to) == f"{app.root}/releases"
    assert file_stat(current.linked_to) == ("directory", app.user, app.user, "0750")


@pytest.mark.parametrize("app", APPS, ids=by_name)
def test_each_settings_file_is_readable_by_its_app_alone(file_stat, app):
    assert file_stat(f"{app.root}/shared/app.env") == ("file", app.user, app.user, "0600")


@pytest.mark.parametrize(
    ("reader", "command"),
    [
        (FLASKR, "cat /srv/httpbin/shared/app.env"),
        (FLASKR, "ls /srv/httpbin/current/"),
        (HTTPBIN, "cat /srv/flaskr/shared/app.env"),
        (HTTPBIN, "ls /srv/flaskr/shared/instance/"),
        (HTTPBIN, "cat /srv/flaskr/current/flaskr/__init__.py"),
    ],
)
def test_an_account_cannot_read_the_other_apps_files(host, reader, command):
    attempt = run_as(host, reader, command)

    assert attempt.rc != 0
    assert "Permission denied" in attempt.stderr


@pytest.mark.parametrize(
    ("reader", "command"),
    [
        (FLASKR, "cat /srv/flaskr/shared/app.env"),
        (FLASKR, "ls /srv/flaskr/shared/instance/"),
        (HTTPBIN, "ls /srv/httpbin/current/"),
    ],
)
def test_an_account_reads_its_own_apps_files(host, reader, command):
    attempt = run_as(host, reader, command)

    assert attempt.rc == 0, attempt.stderr


@pytest.mark.parametrize("service", ["nginx", "uwsgi-emperor"])
def test_the_service_runs_and_starts_at_boot(host, service):
    assert host.service(service).is_running
    assert host.service(service).is_enabled


@pytest.mark.parametrize("path", RETIRED_PATHS)
def test_the_retired_app_left_no_file(host, path):
    assert not host.file(path).exists


def test_the_retired_app_left_no_account_and_no_process(host):
    assert not host.user(RETIRED).exists
    assert not host.group(RETIRED).exists
    assert host.run("pgrep -f %s", f"^{RETIRED} uWSGI").rc == 1


def test_the_retired_app_gets_no_answer(http):
    with pytest.raises(RemoteDisconnected):
        http.get("/", host=f"{RETIRED}.test")


def test_gixy_finds_nothing_in_the_nginx_configuration(gixy):
    assert gixy() == []
