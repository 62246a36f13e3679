# Copyright: wsgi.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One WSGI app definition, normalised once for every role that reads it.

The virtualenv_app, uwsgi_emperor and nginx roles all take the same list of
app definitions. Each runs it through :func:`normalize_apps`, so the account,
paths, socket and server names they derive can never disagree, and bad input
fails before any role changes anything, with a message naming the variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
ACCOUNT_RE = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
MODULE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_.]*(\(\))?$")
SERVER_NAME_RE = re.compile(r"^(_|[A-Za-z0-9*]([A-Za-z0-9.*-]*[A-Za-z0-9])?|~.+)$")
SETTING_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

SOURCE_TYPES = ("git", "dir", "none")
PROTOCOLS = ("uwsgi", "http")
STATES = ("present", "absent")

# Defaults for every key a definition may carry; None means "derived".
APP_DEFAULTS: dict[str, Any] = {
    "state": "present",
    "user": None,  # the app name
    "group": None,  # the user
    "root": None,  # <apps_root>/<name>
    "module": None,  # required: "package.module:callable"
    "source": {"type": "none"},
    "packages": [],
    "requirements_file": "requirements.txt",
    "settings": {},
    "required_settings": [],
    "secret_key_setting": "SECRET_KEY",
    "post_install": [],
    "python": "/usr/bin/python3",
    "server_names": ["_"],
    "listen": 80,
    "www_redirect": False,
    "static_url": "/static/",
    "static_dir": "",
    "protocol": "uwsgi",
    "socket": "unix",
    "processes": 0,  # 0: derived from the CPU count by the emperor role
    "threads": 2,
    "harakiri": 30,
    "max_requests": 5000,
    "buffer_size": 32768,
    "client_max_body_size": "10m",
    "uwsgi_options": {},
    "nginx_options": {},
}


class AppDefinitionError(ValueError):
    """An app definition that cannot be used; the message names the variable."""


def _fail(var: str, index: int, key: str, msg: str) -> AppDefinitionError:
    return AppDefinitionError(f"{var}[{index}].{key}: {msg}")


def _absolute(path: Any) -> bool:
    return isinstance(path, str) and path.startswith("/") and "/../" not in path + "/"


def _relative(path: Any) -> bool:
    return isinstance(path, str) and not path.startswith("/") and ".." not in path.split("/")


def _port(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def normalize_app(app: Mapping[str, Any], index: int, var: str, apps_root: str, socket_dir: str) -> dict[str, Any]:
    """Return one definition with every default and derived value filled in."""
    if not isinstance(app, Mapping):
        raise AppDefinitionError(f"{var}[{index}]: each app must be a dict, got {type(app).__name__}")
    unknown = sorted(set(app) - set(APP_DEFAULTS) - {"name"})
    if unknown:
        raise _fail(var, index, unknown[0], f"unknown key (known: name, {', '.join(sorted(APP_DEFAULTS))})")
    name = app.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise _fail(var, index, "name", f"must match {NAME_RE.pattern} (a safe identifier), got {name!r}")
    out: dict[str, Any] = {"name": name}
    for key, default in APP_DEFAULTS.items():
        value = app.get(key, default)
        out[key] = dict(value) if isinstance(value, Mapping) else value

    if out["state"] not in STATES:
        raise _fail(var, index, "state", f"must be one of {', '.join(STATES)}")
    out["user"] = out["user"] or name
    out["group"] = out["group"] or out["user"]
    for key in ("user", "group"):
        if not ACCOUNT_RE.match(str(out[key])) or out[key] == "root":
            raise _fail(var, index, key, f"must be a non-root account name, got {out[key]!r}")
    out["root"] = out["root"] or f"{apps_root.rstrip('/')}/{name}"
    if not _absolute(out["root"]) or out["root"].rstrip("/") in ("", "/usr", "/etc", "/var", "/srv", "/home"):
        raise _fail(var, index, "root", f"must be an absolute path of the app's own, got {out['root']!r}")
    out["root"] = out["root"].rstrip("/")

    if out["state"] == "present" and (not isinstance(out["module"], str) or not MODULE_RE.match(out["module"])):
        raise _fail(var, index, "module", f"must be 'package.module:callable', got {out['module']!r}")
    module = out["module"] or ":"
    out["wsgi_module"], out["wsgi_callable"] = module.split(":", 1)

    source = out["source"]
    stype = source.get("type", "none")
    if stype not in SOURCE_TYPES:
        raise _fail(var, index, "source.type", f"must be one of {', '.join(SOURCE_TYPES)}, got {stype!r}")
    if stype == "git" and not source.get("repo"):
        raise _fail(var, index, "source.repo", "is required for a git source")
    if stype == "dir" and not source.get("path"):
        raise _fail(var, index, "source.path", "is required for a dir source (a directory on the controller)")
    source.setdefault("version", "HEAD")
    out["source"] = dict(source, type=stype)
    out["packages"] = _as_list(out["packages"])
    if stype == "none" and out["state"] == "present" and not out["packages"]:
        raise _fail(var, index, "packages", "an app without source code needs packages to install")
    if not _relative(out["requirements_file"]):
        raise _fail(var, index, "requirements_file", "must be a path relative to the release")
    for key in ("settings", "uwsgi_options", "nginx_options"):
        if not isinstance(out[key], Mapping):
            raise _fail(var, index, key, "must be a dict")
    for key in out["settings"]:
        if not SETTING_RE.match(str(key)):
            raise _fail(var, index, "settings", f"{key!r} is not a valid environment variable name")
    out["required_settings"] = _as_list(out["required_settings"])
    out["post_install"] = _as_list(out["post_install"])
    if not _absolute(out["python"]):
        raise _fail(var, index, "python", f"must be an absolute path, got {out['python']!r}")

    out["server_names"] = _as_list(out["server_names"])
    if not out["server_names"]:
        raise _fail(var, index, "server_names", "needs at least one name ('_' for any)")
    for server_name in out["server_names"]:
        if not isinstance(server_name, str) or not SERVER_NAME_RE.match(server_name):
            raise _fail(var, index, "server_names", f"{server_name!r} is not a valid server name")
    if not _port(out["listen"]):
        raise _fail(var, index, "listen", f"must be a port from 1 to 65535, got {out['listen']!r}")
    if not (
        isinstance(out["static_url"], str) and out["static_url"].startswith("/") and out["static_url"].endswith("/")
    ):
        raise _fail(var, index, "static_url", "must start and end with '/'")
    if out["static_dir"] and not _relative(out["static_dir"]):
        raise _fail(var, index, "static_dir", "must be a path relative to the release")
    if out["protocol"] not in PROTOCOLS:
        raise _fail(var, index, "protocol", f"must be one of {', '.join(PROTOCOLS)}")
    for key in ("processes", "threads", "harakiri", "max_requests", "buffer_size"):
        value = out[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < (0 if key == "processes" else 1):
            raise _fail(var, index, key, f"must be a positive integer, got {value!r}")

    # The socket: a unix path (default, in the emperor's socket directory) or host:port.
    socket = out["socket"]
    if socket == "unix":
        socket = f"{socket_dir.rstrip('/')}/{name}.sock"
    if isinstance(socket, str) and socket.startswith("/"):
        out["socket_type"] = "unix"
        out["socket_address"] = socket
    else:
        host, _, port = str(socket).rpartition(":")
        if not host or not port.isdigit() or not _port(int(port)):
            raise _fail(
                var, index, "socket", f"must be 'unix', an absolute path or host:port (1-65535), got {socket!r}"
            )
        out["socket_type"] = "tcp"
        out["socket_address"] = socket
    if out["protocol"] == "http" and out["socket_type"] == "unix":
        out["upstream"] = f"http://unix:{out['socket_address']}:"
    elif out["protocol"] == "http":
        out["upstream"] = f"http://{out['socket_address']}"
    else:
        out["upstream"] = out["socket_address"] if out["socket_type"] == "tcp" else f"unix:{out['socket_address']}"

    # Layout shared by every role.
    out["releases_dir"] = f"{out['root']}/releases"
    out["shared_dir"] = f"{out['root']}/shared"
    out["current_dir"] = f"{out['root']}/current"
    out["env_file"] = f"{out['shared_dir']}/app.env"
    out["static_path"] = f"{out['current_dir']}/{out['static_dir']}".rstrip("/") if out["static_dir"] else ""
    return out


def normalize_apps(
    apps: Sequence[Mapping[str, Any]] | None,
    var: str = "apps",
    apps_root: str = "/srv",
    socket_dir: str = "/run/uwsgi",
) -> list[dict[str, Any]]:
    """Normalise every definition and check what no app may share with another."""
    if apps is None:
        return []
    if isinstance(apps, (str, Mapping)) or not isinstance(apps, Sequence):
        raise AppDefinitionError(f"{var}: must be a list of app definitions")
    out = [normalize_app(app, i, var, apps_root, socket_dir) for i, app in enumerate(apps)]
    seen: dict[tuple[str, Any], int] = {}
    for i, app in enumerate(out):
        claims: list[tuple[str, Any]] = [("name", app["name"]), ("root", app["root"])]
        claims.append(("socket", app["socket_address"]))
        if app["state"] == "present":
            claims += [("server_names", (n, app["listen"])) for n in app["server_names"]]
        for claim in claims:
            if claim in seen:
                what = claim[1][0] if claim[0] == "server_names" else claim[1]
                raise _fail(
                    var,
                    i,
                    claim[0],
                    f"{what!r} is already claimed by {var}[{seen[claim]}] ({out[seen[claim]]['name']})",
                )
            seen[claim] = i
    return out
