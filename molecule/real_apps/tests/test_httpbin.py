"""httpbin from PyPI alone, on port 8000: what an app behind nginx learns about its client."""

from http.client import RemoteDisconnected

import pytest

PORT = 8000
HOST = f"httpbin.test:{PORT}"
# What a client may claim; nginx must replace it or add to it, never pass it on alone.
FORGED = {
    "X-Forwarded-For": "203.0.113.66",
    "X-Forwarded-Host": "forged.example",
    "X-Forwarded-Port": "4443",
}


@pytest.fixture(scope="module")
def seen(http):
    """httpbin's /get (with the proxy headers it hides by default) for a client sending FORGED."""
    answer = http.get("/get?show_env=1", host=HOST, headers=FORGED, port=PORT)
    assert answer.status == 200, answer.text
    return answer.json()


def test_httpbin_sees_host_with_the_port_the_client_used(seen):
    assert seen["headers"]["Host"] == HOST
    assert seen["url"] == f"http://{HOST}/get?show_env=1"


def test_httpbin_sees_the_real_client(seen, address):
    assert seen["headers"]["X-Real-Ip"] == address.gateway
    # httpbin's origin is X-Forwarded-For: the forged hop, then the one nginx saw.
    assert seen["origin"] == f"203.0.113.66, {address.gateway}"


def test_nginx_sets_the_forwarded_host_and_port_itself(seen):
    assert seen["headers"]["X-Forwarded-Host"] == HOST
    assert seen["headers"]["X-Forwarded-Port"] == str(PORT)
    assert "forged.example" not in str(seen)


def test_httpbin_is_not_on_port_80(http):
    # Port 80 belongs to flaskr.test: nginx closes the connection ("return 444").
    with pytest.raises(RemoteDisconnected):
        http.get("/get", host="httpbin.test")


def test_httpbin_runs_as_its_own_account_from_its_release(host, process_owners):
    release = host.file("/srv/httpbin/current").linked_to

    assert process_owners(r"^httpbin uWSGI (master|worker)") == {"httpbinsvc"}
    assert host.file(f"{release}/venv/bin/python").exists
    assert host.run("%s/venv/bin/python -B -c 'import httpbin'", release).rc == 0
