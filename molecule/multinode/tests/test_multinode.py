"""The load-balancer tier: multinode-lb in front of multinode-app1 and multinode-app2.

Each test runs on every host and skips where it does not apply: the load
balancer's tests reach the apps through it, the app servers' tests check that
they listen on their private address only and believe only the load balancer
about the client's address.
"""

import json
import ssl
from collections import Counter
from http.client import HTTPSConnection

import pytest

APP_SERVERS = {"multinode-app1": "172.31.213.11", "multinode-app2": "172.31.213.12"}


def groups_of(host):
    return host.backend.get_variables().get("group_names", [])


@pytest.fixture(scope="module")
def lb(host):
    if "loadbalancers" not in groups_of(host):
        pytest.skip("load balancer only")
    return host


@pytest.fixture(scope="module")
def app_server(host):
    if "webservers" not in groups_of(host):
        pytest.skip("app servers only")
    return host


def test_the_load_balancer_spreads_the_requests_over_both_app_servers(lb, http):
    answers = [http.get("/api/info") for _ in range(40)]

    assert [a.status for a in answers] == [200] * 40
    hosts = Counter(a.json()["host"] for a in answers)
    print(f"40 requests through the load balancer, answered by: {dict(hosts)}")
    assert set(hosts) == set(APP_SERVERS)


def test_the_upstream_is_built_from_the_inventory(lb):
    config = lb.check_output("nginx -T 2>/dev/null")

    assert "upstream wsgi_stack_hello {" in config
    assert "least_conn;" in config
    for name, address in APP_SERVERS.items():
        assert f"server {address}:80 max_fails=1 fail_timeout=5s;  # {name}" in config
    assert "keepalive 16;" in config
    assert "proxy_next_upstream error timeout http_502 http_504;" in config
    assert "proxy_connect_timeout 1s;" in config


def test_static_files_come_through_the_load_balancer(lb, http):
    static = http.get("/static/hello.txt")

    assert static.status == 200
    assert static.body == b"Hello from the static files of wsgi.stack\n"


def test_the_app_sees_the_real_client_through_both_proxies(lb, http, address):
    for _ in range(4):  # both app servers, whichever least_conn picks
        client = http.get("/api/client", headers={"X-Forwarded-For": "203.0.113.66"}).json()

        assert client["remote_addr"] == address.gateway
        assert client["host"] == address.host
        assert client["scheme"] == "http"


def test_the_load_balancer_ends_https_and_the_app_is_told_so(lb, address):
    trust = ssl.create_default_context(cadata=lb.file("/etc/ssl/wsgi-stack/hello.crt").content_string)
    trust.check_hostname = False  # connected by address; the pair names localhost
    seen = Counter()
    for _ in range(4):
        connection = HTTPSConnection(address.host, 443, context=trust, timeout=10)
        try:
            connection.request("GET", "/api/client", headers={"X-Forwarded-Proto": "http"})
            answer = connection.getresponse()
            client = json.loads(answer.read())
        finally:
            connection.close()

        assert answer.status == 200
        assert client["scheme"] == "https"
        assert client["url_root"] == f"https://{address.host}/"
        assert client["remote_addr"] == address.gateway
        seen[tuple(answer.headers.get_all("X-Frame-Options") or ())] += 1
    # The app servers' nginx added the header; the load balancer did not add it again.
    assert seen == {("SAMEORIGIN",): 4}


def test_an_app_server_listens_on_its_private_address_only_and_not_for_https(app_server, address):
    listening = app_server.check_output("ss -Hltn 'sport = :80 or sport = :443'").split("\n")
    local = sorted(line.split()[3] for line in listening if line.strip())

    assert local == [f"{address.host}:80"]


def test_an_app_server_believes_only_the_load_balancer_about_the_client(app_server, http, address):
    config = app_server.check_output("nginx -T 2>/dev/null")
    direct = http.get("/api/client", headers={"X-Forwarded-For": "203.0.113.66", "X-Forwarded-Proto": "https"}).json()

    assert "set_real_ip_from 172.31.213.10;" in config
    assert direct["remote_addr"] == address.gateway
    assert direct["scheme"] == "http"


def test_each_app_server_runs_the_app_behind_its_own_nginx(app_server, process_owners):
    assert process_owners(r"^hello uWSGI ") == {"hello"}
    assert app_server.service("nginx").is_running


def test_gixy_finds_nothing_in_the_nginx_configuration(host, gixy):
    # Excused: no HSTS for the load balancer's self-signed pair, by design.
    allow = {"hsts_header": {"_"}} if "loadbalancers" in groups_of(host) else {}
    assert gixy(allow=allow) == []
