"""flaskr after side_effect.yml: a post, an account, two releases and a refused one; the data in shared/."""

import posixpath
import re
import shlex
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml

WENT_LIVE = ".wsgi-stack-went-live"
ROOT = "/srv/flaskr"
INSTANCE = f"{ROOT}/shared/instance"
DATABASE = f"{INSTANCE}/flaskr.sqlite"
VASSAL_LOG = "/var/log/uwsgi/flaskr.log"
HOST = "flaskr.test"
BASE_TEMPLATE = "flaskr/templates/base.html"

# The account, the post and the template lines side_effect.yml used.
BLOG = yaml.safe_load((Path(__file__).parent.parent / "vars" / "blog.yml").read_text())
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def log_in(http, password):
    body = urlencode({"username": BLOG["blog_user"], "password": password}).encode()
    return http.request("POST", "/auth/login", host=HOST, headers=FORM, body=body)


def session_cookie(answer):
    """The "session=value" part of the session cookie an answer sets, or None (a deleted one counts as none)."""
    for header in answer.headers.get_all("Set-Cookie") or []:
        pair = header.split(";", 1)[0]
        if pair.startswith("session=") and pair != "session=":
            return pair
    return None


@pytest.fixture(scope="module")
def releases(host):
    """Each release directory of flaskr, by the note side_effect.yml put in its template (None: the first)."""
    found = {}
    for name in host.file(f"{ROOT}/releases").listdir():
        path = f"{ROOT}/releases/{name}"
        template = host.file(f"{path}/{BASE_TEMPLATE}").content_string
        notes = [key for key, line in BLOG["blog_release_notes"].items() if line in template]
        assert len(notes) <= 1, f"{path}: {notes}"
        assert (notes[0] if notes else None) not in found, f"two releases with the same code: {path}"
        found[notes[0] if notes else None] = path
    return found


def test_the_post_written_before_the_redeploy_is_on_the_index(http):
    index = http.get("/", host=HOST)

    assert index.status == 200
    assert BLOG["blog_post_title"] in index.text
    assert BLOG["blog_post_body"] in index.text
    assert f"by {BLOG['blog_user']} on " in index.text


def test_the_account_made_before_the_redeploy_logs_in(http):
    login = log_in(http, BLOG["blog_password"])
    cookie = session_cookie(login)
    index = http.get("/", host=HOST, headers={"Cookie": cookie or ""})

    assert (login.status, login.headers["Location"]) == (302, "/")
    assert cookie is not None
    assert f"<span>{BLOG['blog_user']}</span>" in index.text
    assert "Log Out" in index.text


def test_a_wrong_password_is_refused(http):
    login = log_in(http, BLOG["blog_password"] + "-wrong")

    assert login.status == 200
    assert "Incorrect password." in login.text
    assert session_cookie(login) is None


def test_the_second_release_is_live_and_the_first_is_kept(host, releases):
    current = host.file(f"{ROOT}/current")

    assert current.is_symlink
    assert "two" in releases
    assert current.linked_to == releases["two"]
    assert None in releases
    # A release is dated from the time it last went live: release one after
    # the rollback, release two after the roll forward.
    assert host.file(f"{releases[None]}/{WENT_LIVE}").mtime < host.file(f"{releases['two']}/{WENT_LIVE}").mtime


def test_the_release_with_the_wrong_callable_never_went_live(host, http, releases):
    index = http.get("/", host=HOST)
    vassal = host.file("/etc/uwsgi/vassals/flaskr.ini").content_string

    assert "two" in releases
    assert BLOG["blog_release_notes"]["two"] in index.text
    assert BLOG["blog_release_notes"]["three"] not in index.text
    assert host.file(f"{ROOT}/current").linked_to != releases.get("three")
    assert "three" in releases
    assert not host.file(f"{releases['three']}/{WENT_LIVE}").exists
    # The factory form only, from the second release.
    assert re.search(r"create_app\(\)", vassal)
    assert not re.search(r"create_app(?!\(\))", vassal)
    assert releases["two"] in vassal


def test_every_release_links_the_shared_instance_folder(host, releases):
    for path in releases.values():
        instance = host.file(f"{path}/instance")

        assert instance.is_symlink, path
        assert instance.linked_to == INSTANCE, path


def test_the_instance_folder_is_flaskrs_alone(file_stat):
    assert file_stat(INSTANCE) == ("directory", "flaskr", "flaskr", "0700")


@pytest.mark.parametrize("path", [f"{ROOT}/current/flaskr/__init__.py", DATABASE])
def test_nginx_reads_neither_flaskrs_code_nor_its_data(host, path):
    # www-data is in flaskr's group for flaskr/static, and passes through flaskr/ to it.
    assert host.file(path).exists
    tried = host.run(f"runuser -u www-data -- cat {path}")
    assert tried.rc != 0 and "Permission denied" in tried.stderr, tried.stdout[:40]


def test_the_database_is_in_shared_and_flaskrs_alone(host, file_stat):
    database = file_stat(DATABASE)

    assert (database.kind, database.user, database.group) == ("file", "flaskr", "flaskr")
    assert int(database.mode, 8) & 0o077 == 0, database.mode
    assert host.file(DATABASE).size > 0


def test_nginx_serves_flaskrs_stylesheet_without_the_app(host, http):
    css = http.get("/static/style.css", host=HOST)
    # A request flaskr does see, made afterwards: once it is in the vassal's
    # log, the stylesheet's would be there too had it reached the app.
    probe = f"/hello?probe={uuid.uuid4().hex}"
    assert http.get(probe, host=HOST).text == "Hello, World!"
    wait = f"until grep -qF -- {shlex.quote(probe)} {VASSAL_LOG}; do sleep 0.2; done"
    waited = host.run("timeout 10 sh -c %s", wait)
    log = host.file(VASSAL_LOG).content_string

    assert css.status == 200
    assert css.body == host.file(f"{ROOT}/current/flaskr/static/style.css").content
    assert waited.rc == 0
    assert "/static/style.css" not in log


def test_flaskr_runs_as_its_own_account(process_owners):
    assert process_owners(r"^flaskr uWSGI (master|worker)") == {"flaskr"}


def test_the_live_release_has_flaskr_installed_in_its_virtualenv(host):
    release = host.file(f"{ROOT}/current").linked_to
    show = host.run("%s/venv/bin/python -m pip show flaskr flask", release)

    assert show.rc == 0, show.stderr
    assert "Name: flaskr\n" in show.stdout
    assert "Name: Flask\n" in show.stdout
    assert posixpath.dirname(release) == f"{ROOT}/releases"
