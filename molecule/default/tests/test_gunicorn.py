"""The sample app "hello_gunicorn" under Gunicorn (gthread, systemd, socket activation) behind nginx, port 8080."""

import posixpath
import shlex
import time
import uuid

import pytest

ROOT = "/srv/hello_gunicorn"
SOCKET = "/run/gunicorn/hello_gunicorn.sock"
UNIT = "gunicorn-hello_gunicorn"
PORT = 8080


def journal_until(host, text, timeout=10.0):
    """The app's journal since its service started, once it holds text (or as it is after timeout seconds)."""
    command = f"journalctl --no-pager -o cat -u {UNIT}.service"
    deadline = time.monotonic() + timeout
    log = host.check_output(command)
    while text not in log and time.monotonic() < deadline:
        time.sleep(0.2)
        log = host.check_output(command)
    return log


def test_nginx_serves_the_page_from_gunicorn(http):
    page = http.get("/", port=PORT)

    assert page.status == 200
    assert "<h1>Hello from Gunicorn</h1>" in page.text


def test_the_answer_comes_from_the_live_releases_virtualenv(host, http):
    release = host.file(f"{ROOT}/current").linked_to

    info = http.get("/api/info", port=PORT).json()

    assert info["release"] == posixpath.basename(release)
    assert info["python"] == f"{release}/venv"


def test_nginx_serves_static_files_without_the_app(host, http):
    static = http.get("/static/hello.txt", port=PORT)
    # A request the app does see, made afterwards: once it is in Gunicorn's
    # access log (the journal), the static one would be there too had it
    # reached the app.
    probe = f"/api/info?probe={uuid.uuid4().hex}"
    assert http.get(probe, port=PORT).status == 200
    log = journal_until(host, probe)

    assert static.status == 200
    assert static.body == host.file(f"{ROOT}/current/static/hello.txt").content
    assert probe.split("?")[1] in log
    assert "/static/hello.txt" not in log


def test_the_app_sees_the_real_client_despite_a_forged_forwarded_for(http, address):
    client = http.get("/api/client", port=PORT, headers={"X-Forwarded-For": "203.0.113.66"}).json()

    assert client["remote_addr"] == address.gateway
    assert client["scheme"] == "http"
    assert client["x_forwarded_for"] == f"203.0.113.66, {address.gateway}"


def test_systemd_holds_the_socket_the_apps_shared_with_nginx_mode_660(host, file_stat):
    assert host.service(f"{UNIT}.socket").is_running
    assert host.service(f"{UNIT}.socket").is_enabled
    assert file_stat(SOCKET) == ("socket", "hello_gunicorn", "www-data", "0660")
    assert host.socket(f"unix://{SOCKET}").is_listening


def test_the_master_and_its_workers_run_as_the_app_account_from_the_live_release(host, process_owners):
    release = host.file(f"{ROOT}/current").linked_to
    pattern = rf"^{release}/venv/bin/python -m gunicorn .* hello:app$"

    assert host.service(f"{UNIT}.service").is_running
    assert host.service(f"{UNIT}.service").is_enabled
    assert process_owners(pattern) == {"hello_gunicorn"}
    # The master and the two workers of `processes: 2`.
    pids = host.check_output(f"systemctl show --property=MainPID --value {UNIT}.service")
    workers = host.run(f"pgrep -P {pids}").stdout.split()
    assert len(workers) == 2, workers


def test_what_the_app_writes_is_its_own_alone(host):
    pid = host.check_output(f"systemctl show --property=MainPID --value {UNIT}.service")
    status = host.file(f"/proc/{pid}/status").content_string

    assert "Umask:\t0077" in status


@pytest.mark.parametrize("path", ["current/hello/__init__.py", "shared/app.env", "current/venv/pyvenv.cfg"])
def test_the_web_server_cannot_read_the_apps_code_settings_or_virtualenv(host, path):
    tried = host.run(f"runuser -u www-data -- sh -c {shlex.quote(f'cat {ROOT}/{path} > /dev/null')}")

    assert tried.rc != 0
