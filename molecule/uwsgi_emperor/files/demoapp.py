"""A tiny WSGI app: says who runs it and echoes its settings; a path under /fail is answered 500."""

from __future__ import annotations

import os
import pwd
from collections.abc import Callable, Iterable
from typing import Any


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    lines = [
        f"user={pwd.getpwuid(os.getuid()).pw_name}",
        f"cwd={os.getcwd()}",
        f"greeting={os.environ.get('DEMO_GREETING', '<unset>')}",
        f"extra={os.environ.get('DEMO_EXTRA', '<unset>')}",
        f"other={os.environ.get('DEMO_OTHER', '<unset>')}",
        f"path={environ.get('PATH_INFO', '')}",
    ]
    body = ("\n".join(lines) + "\n").encode()
    status = "500 Internal Server Error" if environ.get("PATH_INFO", "").startswith("/fail") else "200 OK"
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
