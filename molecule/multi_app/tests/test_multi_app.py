"""Two apps under one Emperor on one host: each on its own name and account, neither reading the other."""

import posixpath
from dataclasses import dataclass
from http.client import RemoteDisconnected

import pytest


@dataclass(frozen=True)
class App:
    name: str
    user: str
    server_name: str
    greeting: str

    @property
    def root(self):
        return f"/srv/{self.name}"

    @property
    def socket(self):
        return f"/run/uwsgi/{self.name}.sock"


ALPHA = App(name="alpha", user="alpha", server_name="alpha.test", greeting="Alpha speaking")
BETA = App(name="beta", user="betasvc", server_name="beta.test", greeting="Beta speaking")
APPS = [ALPHA, BETA]
OTHER = {ALPHA: BETA, BETA: ALPHA}


def by_name(app):
    return app.name


@pytest.mark.parametrize("app", APPS, ids=by_name)
def test_each_app_answers_on_its_own_host_name(http, app):
    page = http.get("/", host=app.server_name)

    assert page.status == 200
    assert f"<h1>{app.greeting}</h1>" in page.text
    assert OTHER[app].greeting not in page.text


def test_the_www_name_redirects_to_the_bare_name(http):
    answer = http.get("/some/path", host=f"www.{BETA.server_name}")

    assert answer.status == 301
    assert answer.headers["Location"] == f"http://{BETA.server_name}/some/path"


def test_a_host_name_no_app_claims_gets_no_answer(http):
    # nginx's "return 444": the connection is closed without a response.
    with pytest.raises(RemoteDisconnected):
        http.get("/", host="nobody.test")


@pytest.mark.parametrize("app", APPS, ids=by_name)
def test_each_vassal_runs_as_its_own_account(process_owners, app):
    assert process_owners(rf"^{app.name} uWSGI (master|worker)") == {app.user}


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
        (ALPHA, "cat /srv/beta/shared/app.env"),
        (ALPHA, "ls /srv/beta/current/"),
        (BETA, "cat /srv/alpha/shared/app.env"),
        (BETA, "cat /srv/alpha/current/hello/__init__.py"),
    ],
)
def test_an_account_cannot_read_the_other_apps_files(host, reader, command):
    with host.sudo(reader.user):
        attempt = host.run(f"{command} >/dev/null")

    assert attempt.rc != 0
    assert "Permission denied" in attempt.stderr


@pytest.mark.parametrize(
    ("reader", "command"),
    [
        (ALPHA, "cat /srv/alpha/shared/app.env"),
        (BETA, "ls /srv/beta/current/"),
    ],
)
def test_an_account_reads_its_own_apps_files(host, reader, command):
    with host.sudo(reader.user):
        attempt = host.run(f"{command} >/dev/null")

    assert attempt.rc == 0, attempt.stderr


@pytest.mark.parametrize("service", ["nginx", "uwsgi-emperor"])
def test_the_service_runs_and_starts_at_boot(host, service):
    assert host.service(service).is_running
    assert host.service(service).is_enabled
