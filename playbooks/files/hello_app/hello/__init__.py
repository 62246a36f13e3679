"""hello: the sample WSGI app deployed by the wsgi.stack collection.

Settings come from the environment (the env file the virtualenv_app role
writes): SECRET_KEY, HELLO_GREETING (the page's heading, default "Hello from
wsgi.stack"), HELLO_DATA_DIR (default: <app root>/shared).
"""

from __future__ import annotations

import html
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

import click
from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

# <root>/releases/<id>/hello/__init__.py: the release is the package's parent.
RELEASE_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = RELEASE_DIR / "static"

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>hello</title></head>
<body>
<h1>{greeting}</h1>
<p>Release {release}; static file: <a href="/static/hello.txt">hello.txt</a>.</p>
</body>
</html>
"""


def data_dir() -> Path:
    """Where the app keeps its data: HELLO_DATA_DIR or <app root>/shared."""
    default = RELEASE_DIR.parent.parent / "shared"
    return Path(os.environ.get("HELLO_DATA_DIR") or default)


def create_app() -> Flask:
    """Build the app; behind nginx, trust one proxy for client, scheme and host."""
    app = Flask(__name__, static_folder=str(STATIC_DIR), static_url_path="/static")
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "")
    # Exactly one proxy hop, nginx, which sets these headers itself: the last
    # X-Forwarded-For entry is the client, X-Forwarded-Proto the scheme, and
    # X-Forwarded-Host the host with the port the client used (absolute URLs
    # then carry it). X-Forwarded-Port is not read (x_port=0): the port is
    # already in the host.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    @app.get("/")
    def index() -> str:
        greeting = html.escape(os.environ.get("HELLO_GREETING", "Hello from wsgi.stack"))
        return PAGE.format(greeting=greeting, release=RELEASE_DIR.name)

    @app.get("/api/info")
    def info() -> dict[str, Any]:
        return {"app": "hello", "release": RELEASE_DIR.name, "python": sys.prefix, "host": socket.gethostname()}

    @app.get("/api/wait")
    def wait() -> dict[str, Any]:
        """Answer after 50 ms: a request that waits on I/O (a database, another service)."""
        time.sleep(0.05)
        return {"app": "hello", "waited_ms": 50}

    @app.get("/api/client")
    def client() -> dict[str, Any]:
        """The request as the app understands it, and the headers that told it so."""
        return {
            "remote_addr": request.remote_addr,
            "scheme": request.scheme,
            "host": request.host,
            "url_root": request.url_root,
            "x_forwarded_for": request.headers.get("X-Forwarded-For"),
            "x_forwarded_proto": request.headers.get("X-Forwarded-Proto"),
            "x_forwarded_host": request.headers.get("X-Forwarded-Host"),
            "x_forwarded_port": request.headers.get("X-Forwarded-Port"),
        }

    @app.cli.command("init-db")
    def init_db() -> None:
        """Create the app's data file (run once per release by post_install)."""
        target = data_dir()
        target.mkdir(parents=True, exist_ok=True)
        record = {
            "release": RELEASE_DIR.name,
            "python": sys.prefix,
            "secret_key_set": bool(app.config["SECRET_KEY"]),
        }
        (target / "hello-db.json").write_text(json.dumps(record, sort_keys=True) + "\n")
        click.echo(f"initialised {target / 'hello-db.json'}")

    return app


app = create_app()
