"""HTTPS in front of the sample app: the pair the nginx role made, TLS 1.2 and 1.3 only, HTTP/2, the app told https."""

from __future__ import annotations

import json
import socket
import ssl
import warnings
from http.client import HTTPResponse, HTTPSConnection
from pathlib import Path

import pytest

CERTIFICATE = "/etc/ssl/wsgi-stack/hello.crt"
KEY = "/etc/ssl/wsgi-stack/private/hello.key"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@pytest.fixture(scope="module")
def trust(host, tmp_path_factory) -> Path:
    """The host's self-signed certificate, the only one these clients trust."""
    path = tmp_path_factory.mktemp("tls") / "hello.crt"
    path.write_text(host.file(CERTIFICATE).content_string)
    return path


def context(trust: Path, version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    """A client that trusts only the host's pair, offers HTTP/2 first, and (given a version) only that version."""
    client = ssl.create_default_context(cafile=str(trust))
    client.set_alpn_protocols(["h2", "http/1.1"])
    if version is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            client.minimum_version = client.maximum_version = version
        # Allow this client the old versions' ciphers: only the server may refuse.
        client.set_ciphers("DEFAULT:@SECLEVEL=0")
    return client


def handshake(address: str, client: ssl.SSLContext) -> tuple[str | None, str | None]:
    """TLS version and ALPN protocol of one handshake with port 443, for the name "localhost"."""
    with (
        socket.create_connection((address, 443), timeout=10) as raw,
        client.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        return tls.version(), tls.selected_alpn_protocol()


def https_get(
    address: str, trust: Path, path: str, headers: dict[str, str] | None = None
) -> tuple[HTTPResponse, bytes]:
    client = ssl.create_default_context(cafile=str(trust))
    # Connected by address: the name in the certificate is checked by the handshakes above.
    client.check_hostname = False
    connection = HTTPSConnection(address, 443, context=client, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        return answer, answer.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("version", "name"), [(ssl.TLSVersion.TLSv1_3, "TLSv1.3"), (ssl.TLSVersion.TLSv1_2, "TLSv1.2")]
)
def test_https_speaks_tls_1_3_and_1_2_with_http2(address, trust, version, name):
    assert handshake(address.host, context(trust, version)) == (name, "h2")


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_1, ssl.TLSVersion.TLSv1])
def test_the_server_refuses_tls_older_than_1_2(address, trust, version):
    with pytest.raises(ssl.SSLError, match="TLSV1_ALERT_PROTOCOL_VERSION"):
        handshake(address.host, context(trust, version))


def test_the_app_is_told_https_and_the_real_client(address, trust):
    answer, body = https_get(
        address.host, trust, "/api/client", {"X-Forwarded-Proto": "http", "X-Forwarded-For": "203.0.113.66"}
    )
    client = json.loads(body)

    assert answer.status == 200
    assert client["scheme"] == "https"
    assert client["url_root"] == f"https://{address.host}/"
    assert client["remote_addr"] == address.gateway
    assert client["x_forwarded_proto"] == "https"


@pytest.mark.parametrize("path", ["/", "/static/hello.txt"])
def test_the_security_headers_are_sent_without_hsts_for_a_self_signed_pair(address, trust, http, path):
    answer, _ = https_get(address.host, trust, path)
    plain = http.get(path)

    assert answer.status == plain.status == 200
    for name, value in HEADERS.items():
        assert answer.headers[name] == value
        assert plain.headers[name] == value
    assert answer.headers["Strict-Transport-Security"] is None
    assert answer.headers["Server"] == "nginx"


def test_only_root_reads_the_private_key(file_stat):
    assert file_stat(KEY) == ("file", "root", "root", "0600")
    assert file_stat("/etc/ssl/wsgi-stack/private") == ("directory", "root", "root", "0700")


def test_gixy_finds_nothing_in_the_nginx_configuration(gixy):
    # Excused: no HSTS for the self-signed pair, by design.
    assert gixy(allow={"hsts_header": {"_"}}) == []
