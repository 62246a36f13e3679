"""nginx.conf and the site of an app, rendered as the nginx role renders them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from ansible_collections.wsgi.stack.plugins.filter.wsgi_apps import wsgi_apps

from ..conftest import Render, role_vars

PEM = "-----BEGIN X-----\nx\n-----END X-----\n"

MAIN = "etc/nginx/nginx.conf.j2"
SITE = "etc/nginx/sites-available/site.conf.j2"

OPTIONS: dict[str, Any] = {"add_header": ["X-A 1", "X-B 2"], "gzip": False, "etag": True, "keepalive_requests": 100}
OPTION_LINES = [
    "    add_header X-A 1;",
    "    add_header X-B 2;",
    "    gzip off;",
    "    etag on;",
    "    keepalive_requests 100;",
]


def site(
    render: Render,
    backends: list[dict[str, Any]] | None = None,
    overrides: dict[str, Any] | None = None,
    **app: Any,
) -> str:
    """The site of one app "shop"; with backends, as a load balancer renders it."""
    definition = {"name": "shop", "module": "shop:app", "packages": ["flask"], "server_names": ["shop.test"], **app}
    return render(
        "nginx", SITE, app=wsgi_apps([definition])[0], __nginx_lb_backends=backends or [], **(overrides or {})
    )


def test_http_options_before_the_includes(render: Render) -> None:
    text = render("nginx", MAIN, nginx_http_options=OPTIONS)
    block = "\n    # nginx_http_options\n" + "\n".join(OPTION_LINES) + "\n\n    include /etc/nginx/conf.d/*.conf;\n"
    assert block in text


def test_no_http_options_no_block(render: Render) -> None:
    assert "nginx_http_options" not in render("nginx", MAIN)


def test_app_options_in_the_server_block(render: Render) -> None:
    text = site(render, nginx_options=OPTIONS)
    block = "    client_max_body_size 10m;\n    # nginx_options of the app\n" + "\n".join(OPTION_LINES) + "\n\n"
    assert block in text


def test_no_app_options_no_block(render: Render) -> None:
    text = site(render)
    assert "nginx_options" not in text
    assert "    client_max_body_size 10m;\n\n    location / {\n" in text


# --- Headers the app can trust ----------------------------------------------
# The maps in nginx.conf decide Host, X-Forwarded-Host and X-Forwarded-Port.
# They are evaluated here the way nginx evaluates a map: exact strings first,
# then regular expressions in order (~* ignores case), else the default;
# captures ($1) and other variables are substituted into the value.
MAP_RE = re.compile(r'^\s*map\s+("[^"]*"|\S+)\s+\$(\w+)\s*\{(.*?)^\s*\}', re.M | re.S)
ENTRY_RE = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|\S+)\s+(\S+);\s*$')
VAR_RE = re.compile(r"\$(\w+|\d)")


def nginx_maps(text: str) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    maps = {}
    for source, name, body in MAP_RE.findall(text):
        entries = []
        for line in body.splitlines():
            if line.strip() and not line.strip().startswith("#"):
                match = ENTRY_RE.match(line)
                assert match, f"cannot read map entry {line!r}"
                entries.append((match[1].strip('"'), match[2].strip('"')))
        maps[name] = (source.strip('"'), entries)
    return maps


def evaluate(maps: dict[str, tuple[str, list[tuple[str, str]]]], name: str, request: dict[str, str]) -> str:
    def expand(text: str, groups: tuple[str, ...] = ()) -> str:
        def one(match: re.Match[str]) -> str:
            key = match[1]
            if key.isdigit():
                return groups[int(key) - 1] or ""
            return evaluate(maps, key, request) if key in maps else request[key]

        return VAR_RE.sub(one, text)

    source, entries = maps[name]
    value = expand(source)
    plain = {key: result for key, result in entries if not key.startswith("~")}
    if value in plain and value != "default":
        return expand(plain[value])
    for key, result in entries:
        if key.startswith("~"):
            flags = re.I if key.startswith("~*") else 0
            match = re.search(key.lstrip("~*").replace("\\\\", "\\"), value, flags)
            if match:
                return expand(result, match.groups())
    return expand(plain["default"])


@pytest.fixture
def maps(render: Render) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    return nginx_maps(render("nginx", MAIN))


# (scheme, $host as nginx derives it, the Host header as sent) -> (host, port) the app is told.
HOST_CASES = [
    ("http", "app.test", "app.test", "app.test", "80"),
    ("http", "app.test", "app.test:8080", "app.test:8080", "8080"),
    ("https", "app.test", "app.test", "app.test", "443"),
    ("https", "app.test", "app.test:8443", "app.test:8443", "8443"),
    # The Host header keeps the case the client used.
    ("http", "app.test", "App.Test:8080", "App.Test:8080", "8080"),
    # IPv6 literals: the port follows the bracket.
    ("http", "[::1]", "[::1]:8080", "[::1]:8080", "8080"),
    ("http", "[::1]", "[::1]", "[::1]", "80"),
    # HTTP/1.0 without Host: nginx's $host (the server name), the scheme's port.
    ("http", "app.test", "", "app.test", "80"),
    # An absolute URL in the request line chose the site: its host wins.
    ("http", "app.test", "evil.test:8080", "app.test", "80"),
    ("http", "app.test", "app.test.evil:8080", "app.test", "80"),
    ("http", "app.test", "app.test:80x", "app.test", "80"),
]


@pytest.mark.parametrize(("scheme", "host", "http_host", "told_host", "told_port"), HOST_CASES)
def test_the_app_is_told_the_host_and_port_the_client_used(
    maps: dict[str, tuple[str, list[tuple[str, str]]]],
    scheme: str,
    host: str,
    http_host: str,
    told_host: str,
    told_port: str,
) -> None:
    request = {"scheme": scheme, "host": host, "http_host": http_host}
    assert evaluate(maps, "wsgi_stack_host", request) == told_host
    assert evaluate(maps, "wsgi_stack_port", request) == told_port


def test_the_maps_are_in_the_http_block_once(render: Render) -> None:
    text = render("nginx", MAIN)
    http = text[text.index("http {") :]
    names = [name for _, name, _ in MAP_RE.findall(http)]
    assert names == [
        "wsgi_stack_host",
        "wsgi_stack_scheme",
        "wsgi_stack_https",
        "wsgi_stack_default_port",
        "wsgi_stack_port",
        "wsgi_stack_header_x_content_type_options",
        "wsgi_stack_header_x_frame_options",
        "wsgi_stack_header_referrer_policy",
    ]
    assert http.count("map ") == len(names)
    assert http.index("$wsgi_stack_port {") < http.index("include /etc/nginx/conf.d/*.conf;")


def test_site_never_passes_the_headers_of_the_client(render: Render) -> None:
    uwsgi = site(render)
    http = site(render, protocol="http", socket="127.0.0.1:8001")
    assert [line.strip() for line in uwsgi.splitlines() if "uwsgi_param HTTP_" in line] == [
        "uwsgi_param HTTP_HOST $wsgi_stack_host;",
        "uwsgi_param HTTP_X_REAL_IP $remote_addr;",
        "uwsgi_param HTTP_X_FORWARDED_FOR $proxy_add_x_forwarded_for;",
        "uwsgi_param HTTP_X_FORWARDED_PROTO $wsgi_stack_scheme;",
        "uwsgi_param HTTP_X_FORWARDED_HOST $wsgi_stack_host;",
        "uwsgi_param HTTP_X_FORWARDED_PORT $wsgi_stack_port;",
    ]
    assert [line.strip() for line in http.splitlines() if "proxy_set_header" in line] == [
        "proxy_set_header Host $wsgi_stack_host;",
        "proxy_set_header X-Real-IP $remote_addr;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $wsgi_stack_scheme;",
        "proxy_set_header X-Forwarded-Host $wsgi_stack_host;",
        "proxy_set_header X-Forwarded-Port $wsgi_stack_port;",
    ]
    for text in (uwsgi, http):
        directives = [line for line in text.split("location / {")[1].splitlines() if not line.strip().startswith("#")]
        assert not [line for line in directives if "$host" in line or "$http_host" in line]


def test_site_sends_one_host_over_uwsgi(render: Render) -> None:
    # Debian's uwsgi_params sets HTTP_HOST $host: including it would send a
    # second Host, without the port.
    uwsgi = site(render)
    assert "include uwsgi_params" not in uwsgi
    params = [line.split()[1] for line in uwsgi.splitlines() if line.strip().startswith("uwsgi_param ")]
    assert len(params) == len(set(params))
    assert {"REQUEST_METHOD", "REQUEST_URI", "PATH_INFO", "QUERY_STRING", "CONTENT_LENGTH", "SERVER_NAME"} < set(params)


def test_every_variable_a_site_uses_is_defined_in_nginx_conf(
    render: Render, maps: dict[str, tuple[str, list[tuple[str, str]]]]
) -> None:
    used = (
        set(VAR_RE.findall(site(render)))
        | set(VAR_RE.findall(site(render, protocol="http", socket="h:1")))
        | set(VAR_RE.findall(site(render, backends=[{"name": "a", "address": "10.0.0.1", "backup": False}])))
    )
    ours = {name for name in used if name.startswith("wsgi_stack_")}
    assert ours == {
        "wsgi_stack_host",
        "wsgi_stack_port",
        "wsgi_stack_scheme",
        "wsgi_stack_https",
        "wsgi_stack_header_x_content_type_options",
        "wsgi_stack_header_x_frame_options",
        "wsgi_stack_header_referrer_policy",
    }
    assert ours <= set(maps)


# --- The load balancer and the app servers behind it -------------------------
BACKENDS = [
    {"name": "app1", "address": "10.0.0.11", "backup": False},
    {"name": "app2", "address": "10.0.0.12", "backup": False},
]


def test_a_load_balancer_builds_one_upstream_per_app_from_its_backends(render: Render) -> None:
    text = site(render, backends=BACKENDS, static_dir="static")

    upstream = text[text.index("upstream wsgi_stack_shop {") : text.index("}", text.index("upstream"))]
    assert upstream.splitlines()[1:] == [
        "    least_conn;",
        "    server 10.0.0.11:80 max_fails=1 fail_timeout=10s;  # app1",
        "    server 10.0.0.12:80 max_fails=1 fail_timeout=10s;  # app2",
        "    keepalive 16;",
        "    keepalive_timeout 60s;",
    ]
    assert "        proxy_pass http://wsgi_stack_shop;\n" in text
    assert '        proxy_set_header Connection "";\n' in text
    assert "        proxy_next_upstream error timeout http_502 http_504;\n" in text
    assert "        proxy_next_upstream_tries 0;\n        proxy_next_upstream_timeout 10s;\n" in text
    assert "        proxy_connect_timeout 2s;\n" in text
    # harakiri 30 + twice the margin: the app server's nginx gives up first.
    assert "        proxy_read_timeout 40s;\n" in text
    # Static files are the app servers' (the load balancer has no release).
    assert "alias" not in text
    assert "uwsgi_pass" not in text


@pytest.mark.parametrize(("server_timeout", "line"), [(65, "60s"), (20, "15s"), (3, "1s")])
def test_kept_alive_upstream_connections_close_before_the_app_servers_do(
    render: Render, server_timeout: int, line: str
) -> None:
    text = site(render, backends=BACKENDS, overrides={"nginx_keepalive_timeout": server_timeout})

    assert f"    keepalive_timeout {line};\n" in text


@pytest.mark.parametrize(
    ("balance", "line"),
    [
        ({"method": "ip_hash"}, "    ip_hash;"),
        ({"method": "hash", "hash_key": "$host $request_uri"}, '    hash "$host $request_uri" consistent;'),
        ({"method": "round_robin"}, "    server 10.0.0.11:80 max_fails=1 fail_timeout=10s;  # app1"),
    ],
)
def test_the_balance_method_of_the_app_picks_the_upstream_method(render: Render, balance: Any, line: str) -> None:
    text = site(render, backends=BACKENDS, balance=balance)

    assert text.splitlines()[text.splitlines().index("upstream wsgi_stack_shop {") + 1] == line


def test_a_backup_backend_and_the_failure_settings(render: Render) -> None:
    backends = [
        *BACKENDS,
        {"name": "spare", "address": "spare.internal", "backup": True},
        {"name": "six", "address": "fd00::6", "backup": False},
    ]
    balance = {"max_fails": 3, "fail_timeout": 30, "keepalive": 0, "next_upstream_tries": 2, "connect_timeout": 1}
    text = site(render, backends=backends, balance=balance, listen=8000)

    assert "    server 10.0.0.12:8000 max_fails=3 fail_timeout=30s;  # app2\n" in text
    assert "    server spare.internal:8000 max_fails=3 fail_timeout=30s backup;  # spare\n" in text
    assert "    server [fd00::6]:8000 max_fails=3 fail_timeout=30s;  # six\n" in text
    assert "    keepalive " not in text
    assert "        proxy_next_upstream_tries 2;\n" in text
    assert "        proxy_connect_timeout 1s;\n" in text


@pytest.mark.parametrize(
    ("address", "listen"),
    [
        ("", "80 default_server"),
        ("10.0.0.11", "10.0.0.11:80 default_server"),
        ("fd00::11", "[fd00::11]:80 default_server"),
    ],
)
def test_an_app_server_listens_on_its_private_address_only(render: Render, address: str, listen: str) -> None:
    text = site(render, server_names=["_", "shop.test"], overrides={"nginx_listen_address": address})

    listens = [line.strip() for line in text.splitlines() if line.strip().startswith("listen ")]
    assert listens == [f"listen {listen};"] + (["listen [::]:80 default_server;"] if not address else [])


def test_an_app_server_takes_the_client_address_from_its_load_balancers_only(render: Render) -> None:
    text = render("nginx", MAIN, nginx_real_ip_from=["10.0.0.10", "lb2.internal"])

    assert (
        "    set_real_ip_from 10.0.0.10;\n    set_real_ip_from lb2.internal;\n"
        "    real_ip_header X-Forwarded-For;\n    real_ip_recursive on;\n"
    ) in text
    assert "set_real_ip_from" not in render("nginx", MAIN)


# --- TLS, the scheme the app is told, security headers -------------------------
# (realip_remote_addr, remote_addr, X-Forwarded-Proto, scheme) -> the scheme the app is told.
SCHEME_CASES = [
    # Not relayed (realip left the address alone): the client's own scheme,
    # whatever it sends in X-Forwarded-Proto.
    ("203.0.113.9", "203.0.113.9", "https", "http", "http"),
    ("203.0.113.9", "203.0.113.9", "", "https", "https"),
    # Relayed by a trusted load balancer: its X-Forwarded-Proto.
    ("10.0.0.2", "203.0.113.9", "https", "http", "https"),
    ("10.0.0.2", "203.0.113.9", "http", "http", "http"),
    # A value that is no scheme is not taken.
    ("10.0.0.2", "203.0.113.9", "javascript", "http", "http"),
    ("10.0.0.2", "203.0.113.9", "", "http", "http"),
]


@pytest.mark.parametrize(("realip", "remote", "forwarded", "scheme", "told"), SCHEME_CASES)
def test_offloaded_tls_takes_the_scheme_from_the_load_balancer_only(
    render: Render, realip: str, remote: str, forwarded: str, scheme: str, told: str
) -> None:
    maps = nginx_maps(render("nginx", MAIN, nginx_tls_offloaded=True, nginx_real_ip_from=["10.0.0.2"]))
    request = {
        "realip_remote_addr": realip,
        "remote_addr": remote,
        "http_x_forwarded_proto": forwarded,
        "scheme": scheme,
    }
    assert evaluate(maps, "wsgi_stack_scheme", request) == told
    assert evaluate(maps, "wsgi_stack_https", request) == ("on" if told == "https" else "")


def test_without_offloading_the_scheme_is_nginx_own(maps: dict[str, tuple[str, list[tuple[str, str]]]]) -> None:
    for scheme in ("http", "https"):
        request = {"scheme": scheme, "http_x_forwarded_proto": "https"}
        assert evaluate(maps, "wsgi_stack_scheme", request) == scheme


def test_security_headers_are_added_unless_the_app_sent_its_own(
    maps: dict[str, tuple[str, list[tuple[str, str]]]],
) -> None:
    request = {"upstream_http_x_frame_options": ""}
    assert evaluate(maps, "wsgi_stack_header_x_frame_options", request) == "SAMEORIGIN"
    request = {"upstream_http_x_frame_options": "DENY"}
    assert evaluate(maps, "wsgi_stack_header_x_frame_options", request) == ""


def tls_site(render: Render, version: str = "1.22.1-9+deb12u9", **app: Any) -> str:
    dpkg = {"stdout_lines": [f"nginx installed {version}"]}
    return site(render, overrides={"__nginx_dpkg": dpkg, **app.pop("overrides", {})}, **app)


def server_blocks(text: str) -> list[str]:
    return re.findall(r"^server \{\n.*?^\}", text, re.M | re.S)


def test_tls_site_redirects_plain_http_and_serves_https(render: Render) -> None:
    text = tls_site(render, tls={"self_signed": True})
    redirect, app = server_blocks(text)
    assert "    listen 80;\n    listen [::]:80;\n    server_name shop.test;\n" in redirect
    assert "    return 301 https://$host$request_uri;\n" in redirect
    assert "location" not in redirect
    assert "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n" in app
    assert "listen 80" not in app
    assert "    ssl_certificate /etc/ssl/wsgi-stack/shop.crt;\n" in app
    assert "    ssl_certificate_key /etc/ssl/wsgi-stack/private/shop.key;\n" in app
    # Self-signed: no HSTS, no stapling; the security headers always.
    assert "Strict-Transport-Security" not in app
    assert "ssl_stapling" not in app
    assert "    add_header X-Frame-Options $wsgi_stack_header_x_frame_options always;\n" in app


def test_tls_site_with_a_ca_certificate_on_another_port_without_redirect(render: Render) -> None:
    text = tls_site(
        render,
        version="1.26.3-3+deb13u1",
        tls={
            "certificate": "/etc/ssl/shop.pem",
            "key": "/etc/ssl/private/shop.key",
            "listen": 8443,
            "redirect": False,
            "stapling": True,
        },
    )
    (app,) = server_blocks(text)
    assert (
        "    listen 80;\n    listen [::]:80;\n    # HTTPS (files certificate).\n"
        "    listen 8443 ssl;\n    listen [::]:8443 ssl;\n    http2 on;\n"
    ) in app
    assert '    add_header Strict-Transport-Security "max-age=63072000" always;\n' in app
    assert "    ssl_stapling on;\n    ssl_stapling_verify on;\n" in app


def test_www_redirect_goes_to_https(render: Render) -> None:
    text = tls_site(render, www_redirect=True, tls={"self_signed": True, "listen": 8443})
    www = server_blocks(text)[-1]
    assert "server_name www.shop.test;" in www
    assert "    listen 8443 ssl http2;\n" in www
    assert "    return 301 https://shop.test:8443$request_uri;\n" in www


def test_behind_a_load_balancer_that_ends_tls_the_site_is_plain_http(render: Render) -> None:
    text = tls_site(render, tls={"self_signed": True}, overrides={"nginx_tls_offloaded": True})
    (app,) = server_blocks(text)
    assert "ssl" not in text
    assert "return 301" not in text
    assert "    listen 80;\n" in app


def test_a_load_balancer_ends_tls_and_tells_the_app_servers_the_scheme(render: Render) -> None:
    text = tls_site(render, tls={"self_signed": True}, backends=BACKENDS)
    app = server_blocks(text)[-1]
    assert "    listen 443 ssl http2;\n" in app
    assert "        proxy_set_header X-Forwarded-Proto $wsgi_stack_scheme;\n" in app


def test_the_catch_all_refuses_tls_handshakes_for_unknown_names(render: Render) -> None:
    apps = wsgi_apps(
        [
            {
                "name": "shop",
                "module": "shop:app",
                "packages": ["flask"],
                "server_names": ["shop.test"],
                "tls": {"self_signed": True},
            }
        ]
    )
    text = render(
        "nginx",
        "etc/nginx/conf.d/wsgi-stack-default.conf.j2",
        __nginx_apps=apps,
        __nginx_dpkg={"stdout_lines": ["nginx installed 1.26.3-3"]},
    )
    plain, secure = server_blocks(text)
    assert "listen 80 default_server;" in plain and "return 444;" in plain
    assert "    listen 443 ssl default_server;\n" in secure
    assert "    http2 on;\n" in secure
    assert "    ssl_reject_handshake on;\n" in secure
    assert "        return 421;\n" in secure


def test_nginx_asks_the_resolver_it_is_given(render: Render) -> None:
    assert "resolver" not in render("nginx", MAIN)
    text = render("nginx", MAIN, nginx_resolver=["127.0.0.53", "[::1]:53"])
    assert "    resolver 127.0.0.53 [::1]:53 valid=300s;\n    resolver_timeout 5s;\n" in text


def test_only_the_files_no_site_uses_any_more_are_removed() -> None:
    apps = wsgi_apps(
        [
            {"name": "gone", "state": "absent"},
            {
                "name": "own",
                "module": "a:b",
                "packages": ["x"],
                "tls": {"certificate": "/etc/x.pem", "key": "/etc/x.key"},
            },
            {
                "name": "made",
                "module": "a:b",
                "packages": ["x"],
                "server_names": ["made"],
                "tls": {"self_signed": True},
            },
            {
                "name": "given",
                "module": "a:b",
                "packages": ["x"],
                "server_names": ["given"],
                "tls": {"certificate_content": PEM, "key_content": PEM},
            },
        ]
    )
    variables = {**role_vars("nginx"), "__nginx_apps": apps}
    templar = Templar(loader=DataLoader(), variables=variables)
    owned = set(templar.template(trust_as_template("{{ __nginx_tls_files_owned }}")))
    in_use = set(templar.template(trust_as_template("{{ __nginx_tls_files_in_use }}")))
    removed = owned - in_use
    assert removed == {
        f"/etc/ssl/wsgi-stack/{name}" for name in ("gone.crt", "private/gone.key", "private/gone.csr")
    } | {f"/etc/ssl/wsgi-stack/{name}" for name in ("own.crt", "private/own.key", "private/own.csr")} | {
        "/etc/ssl/wsgi-stack/private/given.csr"
    }
    assert "/etc/x.key" not in owned
    # Behind load balancers that end TLS, no key stays on the app servers.
    templar = Templar(loader=DataLoader(), variables={**variables, "nginx_tls_offloaded": True})
    assert templar.template(trust_as_template("{{ __nginx_tls_files_in_use }}")) == []


def test_rate_limits_count_per_client_and_answer_429_where_they_are_set(render: Render) -> None:
    text = site(
        render,
        static_dir="static",
        rate_limits=[{"rate": "5r/s"}, {"path": "/login", "rate": "10r/m", "burst": 0, "nodelay": False}],
    )
    zones = [line for line in text.splitlines() if line.startswith("limit_req_zone")]
    # In the http block (the site file's top level), before the server that uses them.
    assert zones == [
        "limit_req_zone $binary_remote_addr zone=wsgi_stack_shop_0:10m rate=5r/s;",
        "limit_req_zone $binary_remote_addr zone=wsgi_stack_shop_1:10m rate=10r/m;",
    ]
    assert text.index("limit_req_zone") < text.index("server {")
    locations = re.findall(r"\n    location (\S+) \{\n(.*?)\n    \}\n", text, re.S)
    by_path = {path: body for path, body in locations}
    assert list(by_path) == ["/static/", "/login", "/"]
    assert "limit_req" not in by_path["/static/"]
    assert "        limit_req zone=wsgi_stack_shop_1;\n        limit_req_status 429;\n" in by_path["/login"]
    assert "        limit_req zone=wsgi_stack_shop_0 burst=20 nodelay;\n" in by_path["/"]
    # A limited path reaches the app exactly as / does.
    assert by_path["/login"].split("limit_req_status 429;\n")[1] == by_path["/"].split("limit_req_status 429;\n")[1]


def test_a_load_balancer_limits_before_it_proxies(render: Render) -> None:
    text = site(render, backends=BACKENDS, rate_limits=[{"path": "/api/", "rate": "1r/s", "burst": 2}])
    api = text.split("    location /api/ {\n")[1].split("\n    }\n")[0]
    assert "limit_req zone=wsgi_stack_shop_0 burst=2 nodelay;" in api
    assert "proxy_pass http://wsgi_stack_shop;" in api
    assert "limit_req" not in text.split("    location / {\n")[1]


def test_no_rate_limits_no_zone(render: Render) -> None:
    assert "limit_req" not in site(render)
