#!/usr/bin/env python3
# Copyright: wsgi.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run an app's commands, or check its WSGI callable, inside one release.

Installed on the host by the virtualenv_app role and run as the app's account
by the release's own Python, from the release directory:

  <venv>/bin/python app_run.py run COMMAND...            post_install: each command, in order
  <venv>/bin/python app_run.py once MARKER JSON           init_commands: each not yet run, once ever
  <venv>/bin/python app_run.py changed MARKER COMMAND...  migrate_commands: all, when the list is new here
  <venv>/bin/python app_run.py check MODULE CALLABLE PATH HOST TIMEOUT

The app's settings come on standard input as KEY=value lines (never on a
command line) and become the environment, with the release's virtualenv first
on PATH, as the app server gives them to the app. Commands run with /bin/sh -e
from the release directory; their output goes to standard error. Standard
output is one line of JSON: what ran ({"ran": [...], "skipped": [...]}) or
what the check saw. Any failure exits non-zero with the reason on standard
error.

``once`` keeps, in MARKER, one line per command that has succeeded (its
SHA-256): a command runs once in the app's life, a command added later runs
on the next deploy, and one whose ``creates`` path exists is recorded without
running. ``changed`` keeps the digest of the whole list in MARKER and runs
every command when it differs (a new release, or a changed list).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import io
import json
import os
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType
from typing import Any

FACTORY_HINT = "a factory: write `{module}:{name}()` so that the app server calls it once"


class CheckFailed(Exception):
    """The release must not go live; the message says why."""


def load_environment(text: str, venv: str) -> None:
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            os.environ[key] = value
    # What a login shell in the release directory would have (sudo leaves
    # PWD at the directory Ansible started from).
    os.environ["PWD"] = os.getcwd()
    os.environ["VIRTUAL_ENV"] = venv
    os.environ["PATH"] = f"{venv}/bin:" + os.environ.get("PATH", "/usr/bin:/bin")
    os.environ.pop("PYTHONHOME", None)
    os.umask(0o077)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def run_command(command: str) -> None:
    sys.stderr.write(f"$ {command}\n")
    sys.stderr.flush()
    done = subprocess.run(["/bin/sh", "-ec", command], stdout=sys.stderr, check=False)
    if done.returncode != 0:
        raise CheckFailed(f"command failed with exit {done.returncode}: {command}")


def run_all(commands: list[str]) -> dict[str, Any]:
    for command in commands:
        run_command(command)
    return {"ran": commands, "skipped": []}


def run_once(marker: Path, items: list[dict[str, str]]) -> dict[str, Any]:
    done = set(marker.read_text().split()) if marker.exists() else set()
    ran, skipped = [], []
    for item in items:
        command, creates = item["command"], item.get("creates") or ""
        if digest(command) in done:
            continue
        if creates and Path(creates).exists():
            skipped.append(command)
        else:
            run_command(command)
            ran.append(command)
        with marker.open("a") as handle:
            handle.write(digest(command) + "\n")
        done.add(digest(command))
    return {"ran": ran, "skipped": skipped}


def run_when_changed(marker: Path, commands: list[str]) -> dict[str, Any]:
    wanted = digest(json.dumps(commands))
    if marker.exists() and marker.read_text().strip() == wanted:
        return {"ran": [], "skipped": commands}
    run_all(commands)
    marker.write_text(wanted + "\n")
    return {"ran": commands, "skipped": []}


def resolve(module_name: str, name: str) -> Any:
    """Import the callable as the app server does: the release directory first on sys.path."""
    sys.path.insert(0, os.getcwd())
    factory = name.endswith("()")
    obj: Any = importlib.import_module(module_name)
    for part in (name[:-2] if factory else name).split("."):
        obj = getattr(obj, part)
    if factory:
        if not callable(obj):
            raise CheckFailed(f"{module_name}:{name[:-2]} is not callable (it is a {type(obj).__name__})")
        obj = obj()
    if not callable(obj):
        raise CheckFailed(f"{module_name}:{name} is not callable (it is a {type(obj).__name__})")
    return obj


def takes_wsgi_arguments(obj: Any) -> bool | None:
    """Whether obj can be called as app(environ, start_response); None when Python cannot tell."""
    try:
        # Not through __wrapped__: a decorator (Werkzeug's Request.application)
        # may turn f(request) into app(*args), and only the wrapper is called.
        signature = inspect.signature(obj, follow_wrapped=False)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind({}, None)
    except TypeError:
        return False
    return True


def environ_for(path: str, host: str) -> dict[str, Any]:
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": host,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": host,
        "HTTP_USER_AGENT": "wsgi.stack release check",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call_once(app: Callable[..., Iterable[bytes]], path: str, host: str) -> dict[str, Any]:
    """One GET request through the WSGI interface; the status and the start of the body."""
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        seen["status"] = status
        seen["headers"] = headers
        return lambda data: None

    body = b""
    result = app(environ_for(path, host), start_response)
    if callable(result) and not hasattr(result, "__iter__"):
        # A factory with optional arguments took the request as its settings.
        return {"app_object": f"a {type(result).__name__} object, not a response"}
    try:
        for chunk in result:
            if not isinstance(chunk, bytes):
                raise CheckFailed(f"the app's response body holds {type(chunk).__name__}, not bytes")
            if len(body) < 4096:
                body += chunk
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if "status" not in seen:
        raise CheckFailed("the app returned without calling start_response")
    return {"status": seen["status"], "body": body[:300].decode("utf-8", "replace")}


def callable_without_arguments(obj: Any) -> bool:
    """Whether obj can be called with no argument (an app factory can)."""
    try:
        inspect.signature(obj, follow_wrapped=False).bind()
    except (TypeError, ValueError):
        return False
    return True


def check(module_name: str, name: str, path: str, host: str) -> dict[str, Any]:
    app = resolve(module_name, name)
    shown = f"{module_name}:{name}"
    factory = f"{shown} is " + FACTORY_HINT.format(module=module_name, name=name)
    if not name.endswith("()") and takes_wsgi_arguments(app) is False:
        if callable_without_arguments(app):
            raise CheckFailed(factory)
        signature = inspect.signature(app, follow_wrapped=False)
        raise CheckFailed(f"{shown}{signature} cannot be called as a WSGI app(environ, start_response)")
    if not path:
        return {"callable": shown, "request": None}
    try:
        answer = call_once(app, path, host)
    except CheckFailed:
        raise
    except Exception as exc:
        traceback.print_exc()
        raise CheckFailed(f"GET {path} (Host: {host}) raised {type(exc).__name__}: {exc}") from exc
    if answer.get("app_object"):
        raise CheckFailed(f"{factory}: called with a request, it returned {answer['app_object']}")
    code = answer["status"].split(" ", 1)[0]
    if not code.isdigit() or int(code) >= 500:
        raise CheckFailed(f"GET {path} (Host: {host}) answered {answer['status']}: {answer['body']!r}")
    return {"callable": shown, "request": f"GET {path}", "status": answer["status"]}


def on_timeout(signum: int, frame: FrameType | None) -> None:
    raise CheckFailed("the release check did not finish in time (the app hangs on import or on the request)")


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("run", "once", "changed", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    load_environment(sys.stdin.read(), sys.prefix)
    action, args = argv[0], argv[1:]
    try:
        if action == "run":
            result = run_all(args)
        elif action == "once":
            result = run_once(Path(args[0]), json.loads(args[1]))
        elif action == "changed":
            result = run_when_changed(Path(args[0]), args[1:])
        else:
            module_name, name, path, host, timeout = args
            signal.signal(signal.SIGALRM, on_timeout)
            signal.alarm(int(timeout))
            result = check(module_name, name, path, host)
            signal.alarm(0)
    except CheckFailed as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except Exception as exc:
        if action != "check":
            raise
        traceback.print_exc()
        print(f"{argv[1]}:{argv[2]} cannot be used: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
