"""nginx.conf and the site of an app, rendered as the nginx role renders them."""

from __future__ import annotations

from typing import Any

from ansible_collections.wsgi.stack.plugins.filter.wsgi_apps import wsgi_apps

from ..conftest import Render

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


def site(render: Render, **app: Any) -> str:
    definition = {"name": "shop", "module": "shop:app", "packages": ["flask"], "server_names": ["shop.test"], **app}
    return render("nginx", SITE, app=wsgi_apps([definition])[0])


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
