"""The sample app shipped for the demo and the Molecule scenarios."""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from ..conftest import REPO

sys.path.insert(0, str(REPO / "playbooks" / "files" / "hello_app"))

import hello


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Flask]:
    monkeypatch.setenv("HELLO_GREETING", "Hi <there>")
    monkeypatch.setenv("HELLO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    yield hello.create_app()


def test_page_shows_the_greeting_escaped(app: Flask) -> None:
    page = app.test_client().get("/")
    assert page.status_code == 200
    assert "<h1>Hi &lt;there&gt;</h1>" in page.text


def test_info_names_the_release_and_the_interpreter(app: Flask) -> None:
    info = app.test_client().get("/api/info").get_json()
    assert info == {
        "app": "hello",
        "release": hello.RELEASE_DIR.name,
        "python": sys.prefix,
        "host": socket.gethostname(),
    }


def test_wait_endpoint_answers_after_50_ms(app: Flask) -> None:
    start = time.monotonic()
    answer = app.test_client().get("/api/wait")
    assert answer.get_json() == {"app": "hello", "waited_ms": 50}
    assert time.monotonic() - start >= 0.05


def test_client_endpoint_trusts_exactly_one_proxy(app: Flask) -> None:
    # What nginx sends: the client's forged header with the real address appended.
    seen = (
        app.test_client()
        .get(
            "/api/client",
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
            headers={
                "X-Forwarded-For": "203.0.113.66, 198.51.100.7",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "shop.example.com",
            },
        )
        .get_json()
    )
    assert seen["remote_addr"] == "198.51.100.7"
    assert seen["scheme"] == "https"
    assert seen["host"] == "shop.example.com"
    assert seen["url_root"] == "https://shop.example.com/"


def test_client_endpoint_keeps_the_port_nginx_passes(app: Flask) -> None:
    # What nginx sends for http://shop.test:8080/ (uwsgi_param HTTP_HOST and
    # HTTP_X_FORWARDED_*), whatever forwarded headers the client sent.
    seen = (
        app.test_client()
        .get(
            "/api/client",
            base_url="http://shop.test:8080",
            environ_base={"REMOTE_ADDR": "127.0.0.1", "SERVER_NAME": "shop.test", "SERVER_PORT": "8080"},
            headers={
                "X-Forwarded-For": "192.0.2.10",
                "X-Forwarded-Proto": "http",
                "X-Forwarded-Host": "shop.test:8080",
                "X-Forwarded-Port": "8080",
            },
        )
        .get_json()
    )
    assert seen == {
        "remote_addr": "192.0.2.10",
        "scheme": "http",
        "host": "shop.test:8080",
        "url_root": "http://shop.test:8080/",
        "x_forwarded_for": "192.0.2.10",
        "x_forwarded_proto": "http",
        "x_forwarded_host": "shop.test:8080",
        "x_forwarded_port": "8080",
    }


def test_only_the_last_forwarded_host_is_trusted(app: Flask) -> None:
    # A second hop would append; the app trusts one, so a value in front
    # (a client's) is ignored.
    seen = (
        app.test_client()
        .get("/api/client", headers={"X-Forwarded-Host": "forged.test, shop.test:8443", "X-Forwarded-Proto": "https"})
        .get_json()
    )
    assert (seen["host"], seen["url_root"]) == ("shop.test:8443", "https://shop.test:8443/")


def test_init_db_records_the_release(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "hello-db.json").read_text())
    assert record == {"release": hello.RELEASE_DIR.name, "python": sys.prefix, "secret_key_set": True}
