"""site.yml end to end on one host: the sample app "hello" behind nginx and the uWSGI Emperor."""

import os
import posixpath
import re
import tarfile
import time
import uuid
from pathlib import Path

import pytest
import yaml

ROOT = "/srv/hello"
SOCKET = "/run/uwsgi/hello.sock"
VASSAL_LOG = "/var/log/uwsgi/hello.log"


def read_until(host, path, text, timeout=10.0):
    """The file's content once it holds text, or as it is after timeout seconds."""
    deadline = time.monotonic() + timeout
    content = host.file(path).content_string
    while text not in content and time.monotonic() < deadline:
        time.sleep(0.2)
        content = host.file(path).content_string
    return content


def test_nginx_serves_the_apps_page(http):
    page = http.get("/")

    assert page.status == 200
    assert "<h1>Hello from wsgi.stack</h1>" in page.text


def test_the_answer_comes_from_the_live_releases_virtualenv(host, http):
    release = host.file(f"{ROOT}/current").linked_to

    info = http.get("/api/info").json()

    assert info == {
        "app": "hello",
        "release": posixpath.basename(release),
        "python": f"{release}/venv",
        "host": host.check_output("hostname"),
    }


def test_nginx_serves_static_files_without_the_app(host, http):
    static = http.get("/static/hello.txt")
    # A request the app does see, made afterwards: once it is in the vassal's
    # log, the static request would be there too had it reached the app.
    probe = f"/api/info?probe={uuid.uuid4().hex}"
    assert http.get(probe).status == 200
    log = read_until(host, VASSAL_LOG, probe)

    assert static.status == 200
    assert static.body == host.file(f"{ROOT}/current/static/hello.txt").content
    assert probe in log
    assert "/static/hello.txt" not in log


def test_a_rate_limited_path_answers_429_beyond_its_burst_and_nothing_else_does(http, capsys):
    # 1r/s with a burst of 2: of 10 requests sent one after the other in about
    # a second, 3 or 4 pass; the next path is not limited; the limit refills.
    statuses = [http.get("/api/wait").status for _ in range(10)]
    beside = http.get("/api/info").status
    time.sleep(2.5)
    later = http.get("/api/wait").status
    with capsys.disabled():
        print(f"\n/api/wait at 1r/s, burst 2: {statuses.count(200)} of 10 passed, {statuses.count(429)} got 429")
    assert set(statuses) == {200, 429}, statuses
    assert 3 <= statuses.count(200) <= 5, statuses
    assert (beside, later) == (200, 200)


def test_the_app_sees_the_real_client_despite_a_forged_forwarded_for(http, address):
    client = http.get("/api/client", headers={"X-Forwarded-For": "203.0.113.66"}).json()

    assert client["remote_addr"] == address.gateway
    assert client["scheme"] == "http"
    assert client["host"] == address.host
    assert client["x_forwarded_for"] == f"203.0.113.66, {address.gateway}"


def test_the_socket_is_the_apps_shared_with_nginx_mode_660(file_stat):
    assert file_stat(SOCKET) == ("socket", "hello", "www-data", "0660")


def test_the_vassal_listens_on_its_socket(host):
    assert host.socket(f"unix://{SOCKET}").is_listening


def test_the_vassals_listen_queue_is_the_kernels_cap(host):
    somaxconn = int(host.file("/proc/sys/net/core/somaxconn").content_string)
    said = re.findall(r"listen backlog is limited to (\d+) connections", host.file(VASSAL_LOG).content_string)

    assert said, "uWSGI did not say its listen queue"
    assert int(said[-1]) == somaxconn > 100


def test_nginx_listens_on_port_80(host):
    assert host.socket("tcp://0.0.0.0:80").is_listening


def test_nginx_workers_run_as_www_data(process_owners):
    assert process_owners(r"^nginx: worker process") == {"www-data"}


def test_the_vassal_runs_as_the_app_account(process_owners):
    assert process_owners(r"^hello uWSGI (master|worker)") == {"hello"}


@pytest.mark.parametrize("service", ["nginx", "uwsgi-emperor"])
def test_the_service_runs_and_starts_at_boot(host, service):
    assert host.service(service).is_running
    assert host.service(service).is_enabled


@pytest.mark.parametrize("path", [ROOT, f"{ROOT}/releases", f"{ROOT}/shared"])
def test_the_app_directory_is_the_apps_alone(file_stat, path):
    assert file_stat(path) == ("directory", "hello", "hello", "0750")


def test_current_links_to_a_release(host, file_stat):
    current = host.file(f"{ROOT}/current")

    assert current.is_symlink
    assert posixpath.dirname(current.linked_to) == f"{ROOT}/releases"
    assert file_stat(current.linked_to).kind == "directory"


def test_the_live_release_is_the_apps_alone(host, file_stat):
    release = host.file(f"{ROOT}/current").linked_to

    assert file_stat(release) == ("directory", "hello", "hello", "0750")


def test_the_settings_file_is_readable_by_the_app_alone(file_stat):
    assert file_stat(f"{ROOT}/shared/app.env") == ("file", "hello", "hello", "0600")


def _kept_wheels(archive_name):
    """The wheel names in each archive of that name in the scenario's wheelhouse on the controller."""
    wheelhouse = Path(os.environ["MOLECULE_PROJECT_DIRECTORY"], ".cache", "wheelhouse", "default")
    kept = []
    for archive in wheelhouse.glob(f"*/{archive_name}"):
        with tarfile.open(archive) as tar:
            kept.append(sorted(tar.getnames()))
    return kept


def test_uwsgi_was_compiled_once_per_platform_into_the_controllers_wheelhouse(host):
    project = Path(os.environ["MOLECULE_PROJECT_DIRECTORY"])
    version = yaml.safe_load((project / "roles/uwsgi_emperor/defaults/main.yml").read_text())["uwsgi_emperor_version"]
    on_host = sorted(host.check_output(f"ls /opt/uwsgi/venv/wheels-{version}").split())

    assert len(on_host) == 1 and on_host[0].startswith(f"uwsgi-{version}-cp")
    assert on_host in _kept_wheels(f"uwsgi-{version}.tar.gz")
    assert host.check_output("/opt/uwsgi/venv/bin/uwsgi --version") == version


def test_the_release_was_installed_from_its_wheels(host):
    release = host.file(f"{ROOT}/current").linked_to
    on_host = sorted(host.check_output(f"ls {release}/.wsgi-stack-wheels").split())

    assert any(name.startswith("flask-") for name in on_host), on_host
    assert on_host in _kept_wheels(f"hello-{posixpath.basename(release)}.tar.gz")


def test_no_copy_of_the_settings_outlives_the_run(host):
    # A run keeps the settings it replaces only until they are put back or
    # the new ones serve: the copies hold the secret key.
    copies = host.check_output(f"find {ROOT}/shared -maxdepth 1 -name 'app.env?*'")

    assert copies == ""
