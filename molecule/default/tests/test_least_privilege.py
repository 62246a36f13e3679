"""Least privilege, proved by trying: each account can do its job and nothing the others guard."""

from __future__ import annotations

import re
import shlex

import pytest

ROOT = "/srv/hello"
VASSAL = "/etc/uwsgi/vassals/hello.ini"
KEY = "/etc/ssl/wsgi-stack/private/hello.key"
LOOPBACK = re.compile(r"^(127\.[0-9.]+|\[::1\]|\[::ffff:127\.[0-9.]+\]):[0-9]+$")


def as_user(host, user: str, command: str):
    """Run a shell command as user (runuser needs no login shell); the result, whatever its exit status."""
    return host.run(f"runuser -u {user} -- sh -c {shlex.quote(command)}")


def test_the_app_account_has_no_login_shell(host):
    assert host.user("hello").shell == "/usr/sbin/nologin"
    assert host.run("su -c true hello").rc != 0


@pytest.mark.parametrize(
    "command",
    [
        f"echo 'uid = root' >> {VASSAL}",
        "echo '[uwsgi]' > /etc/uwsgi/vassals/other.ini",
        "echo 'emperor = /tmp' >> /etc/uwsgi/emperor.ini",
    ],
    ids=["its-vassal", "a-new-vassal", "the-emperor"],
)
def test_the_app_account_cannot_tell_the_emperor_to_run_anything(host, command):
    # The Emperor runs each vassal as the uid its file names: only root writes them.
    tried = as_user(host, "hello", command)
    assert tried.rc != 0, tried.stdout
    assert "uid = root" not in host.file(VASSAL).content_string
    assert not host.file("/etc/uwsgi/vassals/other.ini").exists


def test_the_app_account_can_read_its_vassal_and_settings(host):
    # What it must do: reread its vassal on reload, read its settings.
    assert as_user(host, "hello", f"cat {VASSAL} {ROOT}/shared/app.env > /dev/null").rc == 0


@pytest.mark.parametrize("path", [f"{ROOT}/shared/app.env", KEY])
def test_the_web_server_account_cannot_read_the_secrets(host, path):
    tried = as_user(host, "www-data", f"cat {path}")
    assert tried.rc != 0 and "Permission denied" in tried.stderr, tried.stdout[:40]


def test_the_web_server_account_can_read_the_static_files(host):
    assert as_user(host, "www-data", f"cat {ROOT}/current/static/hello.txt > /dev/null").rc == 0


@pytest.mark.parametrize(
    "path",
    [
        f"{ROOT}/current/hello/__init__.py",
        f"{ROOT}/current/requirements.txt",
        f"{ROOT}/current/venv/pyvenv.cfg",
        # Written by the app's post_install command.
        f"{ROOT}/shared/hello-db.json",
    ],
    ids=["code", "requirements", "virtualenv", "data"],
)
def test_the_web_server_account_reads_nothing_of_the_app_but_its_static_files(host, path):
    # It is in the app's group for the static files; the rest is the app's alone.
    assert host.file(path).exists
    tried = as_user(host, "www-data", f"cat {path}")
    assert tried.rc != 0 and "Permission denied" in tried.stderr, tried.stdout[:40]


def test_what_the_app_writes_at_run_time_is_its_own_alone(host):
    pids = host.check_output("ps -o pid= -u hello").split()
    assert pids
    umasks = {host.check_output(f"sed -n 's/^Umask:[[:space:]]*//p' /proc/{pid}/status") for pid in pids}
    assert umasks == {"0077"}


def test_the_app_account_cannot_read_another_accounts_secrets(host):
    assert as_user(host, "hello", f"cat {KEY}").rc != 0


def test_only_nginx_listens_beyond_loopback(host):
    listeners = host.check_output("ss --listening --tcp --numeric --processes --no-header").splitlines()
    open_to_all = [line for line in listeners if not LOOPBACK.match(line.split()[3])]
    assert open_to_all, listeners
    assert all('"nginx"' in line for line in open_to_all), open_to_all
    # The Emperor's stats server answers on loopback only (ss cannot name its
    # process: the Emperor's /proc entries are hidden from this shell).
    assert any(line.split()[3] == "127.0.0.1:9191" for line in listeners), listeners
