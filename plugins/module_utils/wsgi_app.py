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
from collections.abc import Callable, Mapping, Sequence
from typing import Any

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
ACCOUNT_RE = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
MODULE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_.]*(\(\))?$")
SERVER_NAME_RE = re.compile(r"^(_|[A-Za-z0-9*]([A-Za-z0-9.*-]*[A-Za-z0-9])?|~.+)$")
SETTING_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
UWSGI_OPTION_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
NGINX_DIRECTIVE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
ONE_LINE_RE = re.compile(r"[\r\n\x00]")

SOURCE_TYPES = ("git", "dir", "none")
PROTOCOLS = ("uwsgi", "http")
# The app server that runs the app: a vassal of the uWSGI Emperor, or a
# Gunicorn master of its own, supervised through the service role (systemd
# holds its socket, so a restart refuses no connection).
APP_SERVERS = ("uwsgi", "gunicorn")
GUNICORN_WORKER_CLASSES = ("sync", "gthread", "gevent")
# Where a Gunicorn app's unix socket is (systemd creates it, for its .socket unit).
GUNICORN_SOCKET_DIR = "/run/gunicorn"
# What an app server needs in the release's virtualenv (the virtualenv_app
# role pins each name to a version).
SERVER_PACKAGES: dict[tuple[str, str], list[str]] = {
    ("gunicorn", "sync"): ["gunicorn"],
    ("gunicorn", "gthread"): ["gunicorn"],
    ("gunicorn", "gevent"): ["gunicorn", "gevent"],
}
STATES = ("present", "absent")
# How a load balancer picks a backend for an app (nginx's upstream methods;
# round_robin is nginx's default, written as no directive).
BALANCE_METHODS = ("least_conn", "round_robin", "ip_hash", "hash")
BALANCE_DEFAULTS: dict[str, Any] = {
    "method": "least_conn",
    "hash_key": "",  # required with method hash: an nginx variable expression
    "max_fails": 1,
    "fail_timeout": 10,
    "connect_timeout": 2,
    "keepalive": 16,
    "next_upstream_tries": 0,  # 0: every backend once
    "next_upstream_timeout": 10,
}
# One nginx limit_req zone of the app's site: requests per client address to
# a URL prefix of the app ("/": every request that reaches the app; static
# files are never limited). The excess is answered 429.
RATE_LIMIT_DEFAULTS: dict[str, Any] = {
    "path": "/",
    "rate": None,  # required: "<n>r/s" or "<n>r/m"
    "burst": 20,  # requests above the rate let through at once (nodelay) or queued
    "nodelay": True,
    "zone_size": "10m",  # shared memory for the client addresses (about 16,000 per MB)
}
RATE_RE = re.compile(r"^[1-9][0-9]*r/[sm]$")
SIZE_RE = re.compile(r"^[1-9][0-9]*[km]$")
LOCATION_RE = re.compile(r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$")
# TLS of the app's site. Enabled by one source of certificate and key: a
# self-signed pair made on the host (demo, tests), paths of files already on
# the host, or PEM text that the web server role writes there.
TLS_DEFAULTS: dict[str, Any] = {
    "self_signed": False,
    "certificate": "",  # path on the host: the certificate, then its chain
    "key": "",  # path on the host
    "certificate_content": "",  # PEM text
    "key_content": "",  # PEM text; kept out of the definitions unless asked for
    "listen": 443,
    "redirect": True,  # plain HTTP on listen answers 301 to https
    "hsts": None,  # Strict-Transport-Security max-age; 2 years, 0 (off) when self-signed
    "stapling": False,  # OCSP stapling; needs a CA's responder and a resolver
}
# Where generated pairs and PEM text given in the definition are written.
TLS_DIR = "/etc/ssl/wsgi-stack"
HSTS_DEFAULT = 63072000
PEM_RE = re.compile(r"^\s*-----BEGIN [A-Z0-9 ]+-----[\s\S]+-----END [A-Z0-9 ]+-----\s*$")
HOST_NAME_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")
IPV6_RE = re.compile(r"^[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*$")

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
    "secret_key_aliases": ["FLASK_SECRET_KEY"],
    "shared_dirs": [],
    "shared_files": [],
    "install_project": True,
    "post_install": [],
    "init_commands": [],
    "migrate_commands": [],
    "check_path": "/",
    "python": "/usr/bin/python3",
    "server_names": ["_"],
    "listen": 80,
    "www_redirect": False,
    "static_url": "/static/",
    "static_dir": "",
    "app_server": "uwsgi",  # see APP_SERVERS
    "worker_class": None,  # Gunicorn's: gthread (default), sync or gevent
    "protocol": None,  # uwsgi under uWSGI, http under any other app server
    "socket": "unix",
    "processes": 0,  # 0: derived from the CPU count by the emperor role
    "threads": 4,  # per process: requests that wait on I/O do not hold the CPU (uwsgi_emperor README)
    "harakiri": 30,
    "max_requests": 0,  # 0: workers are not recycled; a recycle stalls requests (uwsgi_emperor README)
    "buffer_size": 32768,
    "client_max_body_size": "10m",
    "uwsgi_options": {},
    "nginx_options": {},
    "balance": {},  # read by a load balancer in front of the app's hosts
    "rate_limits": [],  # see RATE_LIMIT_DEFAULTS; nginx limit_req per URL prefix
    "tls": {},  # see TLS_DEFAULTS; empty: plain HTTP only
}


class AppDefinitionError(ValueError):
    """An app definition that cannot be used; the message names the variable."""


# Builds the error for one key of the app being checked.
Fail = Callable[[str, str], AppDefinitionError]


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
    if isinstance(value, (str, Mapping)):
        return [value]
    return list(value)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _one_line(value: Any) -> bool:
    return not ONE_LINE_RE.search(str(value))


def _check_options(out: dict[str, Any], key: str, name_re: re.Pattern[str], fail: Fail) -> None:
    """uwsgi_options / nginx_options: option names as keys, one-line scalars (or lists of them) as values."""
    for option, value in out[key].items():
        if not isinstance(option, str) or not name_re.match(option):
            raise fail(key, f"{option!r} is not an option name (must match {name_re.pattern})")
        values = value if isinstance(value, list) else [value]
        if not all(_scalar(one) and _one_line(one) for one in values):
            raise fail(f"{key}.{option}", "must be a one-line string, number or boolean, or a list of them")


def _check_paths(out: dict[str, Any], key: str, fail: Fail) -> list[str]:
    """shared_dirs / shared_files: distinct release-relative paths, never the release's own venv."""
    paths = []
    for raw in _as_list(out[key]):
        path = raw.rstrip("/") if isinstance(raw, str) else raw
        if not path or not _relative(path) or path == "." or "/./" in f"/{path}/":
            raise fail(key, f"{raw!r} must be a path relative to the release, without '..'")
        if path == "venv" or path.startswith("venv/") or path.startswith(".wsgi-stack"):
            raise fail(key, f"{raw!r} is the release's own virtualenv or marker, which cannot be shared")
        paths.append(path)
    return paths


def _check_static_dir(out: dict[str, Any], fail: Fail) -> None:
    """static_dir: outside the shared paths; the web server reads it, and only it, in a release."""
    static = out["static_dir"] = out["static_dir"].rstrip("/")
    if static and ("/./" in f"/{static}/" or "//" in static):
        raise fail("static_dir", f"{static!r} must name a directory inside the release ('.' would be its code)")
    for path in out["shared_dirs"] + out["shared_files"] if static else []:
        if static == path or static.startswith(path + "/") or path.startswith(static + "/"):
            raise fail(
                "static_dir",
                f"{static!r} overlaps the shared path {path!r}: what the app writes is its own alone, "
                "so the web server could not serve it (serve such files through the app)",
            )
    # The directories above it in the release: the web server may pass through them, not read them.
    parts = static.split("/") if static else []
    out["static_dir_parents"] = ["/".join(parts[:n]) for n in range(1, len(parts))]


def _check_commands(out: dict[str, Any], key: str, fail: Fail, creates: bool = False) -> list[Any]:
    """Command lists: non-empty strings; init_commands items may be {command, creates}."""
    commands: list[Any] = []
    for i, item in enumerate(_as_list(out[key])):
        if creates and isinstance(item, Mapping):
            extra = sorted(set(item) - {"command", "creates"})
            if extra:
                raise fail(f"{key}[{i}]", f"unknown key {extra[0]!r} (known: command, creates)")
            command, guard = item.get("command"), item.get("creates") or ""
            if guard and not (_absolute(guard) or _relative(guard)):
                raise fail(
                    f"{key}[{i}].creates", f"must be a path (relative to the release or absolute), got {guard!r}"
                )
        else:
            command, guard = item, ""
        if not isinstance(command, str) or not command.strip():
            raise fail(f"{key}[{i}]", f"must be a non-empty shell command, got {command!r}")
        commands.append({"command": command, "creates": guard} if creates else command)
    return commands


def normalize_app(
    app: Mapping[str, Any],
    index: int,
    var: str,
    apps_root: str,
    socket_dir: str,
    default_settings: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return one definition with every default and derived value filled in.

    ``default_settings`` (the settings every app gets before its own) is given
    by the role that writes the settings: only then are ``required_settings``
    checked against what the app will really have.
    """
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

    def fail(key: str, msg: str) -> AppDefinitionError:
        return _fail(var, index, key, msg)

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
    for key in ("settings", "uwsgi_options", "nginx_options", "balance", "tls"):
        if not isinstance(out[key], Mapping):
            raise _fail(var, index, key, "must be a dict")
    _check_settings(out, fail, default_settings)
    _check_options(out, "uwsgi_options", UWSGI_OPTION_RE, fail)
    _check_options(out, "nginx_options", NGINX_DIRECTIVE_RE, fail)
    out["shared_dirs"] = _check_paths(out, "shared_dirs", fail)
    out["shared_files"] = _check_paths(out, "shared_files", fail)
    shared = out["shared_dirs"] + out["shared_files"]
    for path in shared:
        inside = [other for other in shared if other != path and other.startswith(path + "/")]
        if inside or shared.count(path) > 1:
            raise fail(
                "shared_files" if path in out["shared_files"] else "shared_dirs",
                f"{path!r} is listed twice or contains {inside[0] if inside else path!r}",
            )
    if not isinstance(out["install_project"], bool):
        raise fail("install_project", f"must be true or false, got {out['install_project']!r}")
    out["post_install"] = _check_commands(out, "post_install", fail)
    out["migrate_commands"] = _check_commands(out, "migrate_commands", fail)
    out["init_commands"] = _check_commands(out, "init_commands", fail, creates=True)
    if out["check_path"] is None or out["check_path"] is False:
        out["check_path"] = ""
    if out["check_path"] != "" and not (
        isinstance(out["check_path"], str) and out["check_path"].startswith("/") and _one_line(out["check_path"])
    ):
        raise fail(
            "check_path",
            f"must be a URL path starting with '/' (or empty: import check only), got {out['check_path']!r}",
        )
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
    _check_static_dir(out, fail)
    _check_app_server(out, fail)
    for key in ("processes", "threads", "harakiri", "max_requests", "buffer_size"):
        value = out[key]
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or value < (0 if key in ("processes", "max_requests") else 1)
        ):
            raise _fail(var, index, key, f"must be a positive integer, got {value!r}")

    out["balance"] = _check_balance(out["balance"], fail)
    out["rate_limits"] = _check_rate_limits(out, fail)
    out["tls"] = _check_tls(out, fail)

    # The socket: a unix path (default, in the emperor's socket directory) or host:port.
    socket = out["socket"]
    if socket == "unix":
        socket_home = socket_dir if out["app_server"] == "uwsgi" else GUNICORN_SOCKET_DIR
        socket = f"{socket_home.rstrip('/')}/{name}.sock"
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
    # The Host of the release check's request: the first plain server name.
    plain = [n for n in out["server_names"] if n != "_" and not n.startswith("~") and "*" not in n]
    out["check_host"] = plain[0] if plain else "localhost"
    return out


def _check_app_server(out: dict[str, Any], fail: Fail) -> None:
    """app_server, its worker class and protocol; adds server_packages and service_name."""
    server = out["app_server"]
    if server not in APP_SERVERS:
        raise fail("app_server", f"must be one of {', '.join(APP_SERVERS)}, got {server!r}")
    if out["protocol"] is None:
        out["protocol"] = "uwsgi" if server == "uwsgi" else "http"
    if out["protocol"] not in PROTOCOLS:
        raise fail("protocol", f"must be one of {', '.join(PROTOCOLS)}")
    if server == "uwsgi":
        if out["worker_class"] is not None:
            raise fail("worker_class", "is Gunicorn's (app_server: gunicorn); uWSGI runs processes and threads")
        out["server_packages"] = []
        out["service_name"] = ""
        return
    if out["protocol"] != "http":
        raise fail("protocol", f"must be http under app_server {server} (only uWSGI speaks uwsgi)")
    if out["uwsgi_options"]:
        raise fail("uwsgi_options", f"are uWSGI's; app_server {server} does not read them")
    if out["worker_class"] is None:
        out["worker_class"] = "gthread"
    if out["worker_class"] not in GUNICORN_WORKER_CLASSES:
        raise fail("worker_class", f"must be one of {', '.join(GUNICORN_WORKER_CLASSES)}, got {out['worker_class']!r}")
    out["server_packages"] = SERVER_PACKAGES[(server, out["worker_class"])]
    out["service_name"] = f"{server}-{out['name']}"


def _with_defaults(value: Mapping[str, Any], defaults: dict[str, Any], key: str, fail: Fail) -> dict[str, Any]:
    """A mapping key of the definition (balance, tls, a rate limit) over its defaults; unknown keys fail."""
    unknown = sorted(set(value) - set(defaults))
    if unknown:
        raise fail(f"{key}.{unknown[0]}", f"unknown key (known: {', '.join(sorted(defaults))})")
    return dict(defaults, **value)


def _check_balance(balance: Mapping[str, Any], fail: Fail) -> dict[str, Any]:
    """The upstream a load balancer builds for the app: method and failure handling."""
    out = _with_defaults(balance, BALANCE_DEFAULTS, "balance", fail)
    if out["method"] not in BALANCE_METHODS:
        raise fail(
            "balance.method",
            f"must be one of {', '.join(BALANCE_METHODS)} (nginx upstream methods), got {out['method']!r}",
        )
    key = out["hash_key"]
    # Rendered in double quotes: anything but a quote, a backslash or a line break.
    if not isinstance(key, str) or not _one_line(key) or '"' in key or "\\" in key:
        raise fail("balance.hash_key", "must be one line of nginx variables and text, without quotes or backslashes")
    if out["method"] == "hash" and not key.strip():
        raise fail("balance.hash_key", "is required with method hash (for example $request_uri)")
    for name in (
        "max_fails",
        "fail_timeout",
        "connect_timeout",
        "keepalive",
        "next_upstream_tries",
        "next_upstream_timeout",
    ):
        value = out[name]
        low = 1 if name in ("fail_timeout", "connect_timeout") else 0
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise fail(f"balance.{name}", f"must be an integer of at least {low}, got {value!r}")
    return out


def _check_rate_limits(app: Mapping[str, Any], fail: Fail) -> list[dict[str, Any]]:
    """rate_limits: one limit_req zone per URL prefix of the app, never on its static files."""
    limits: list[dict[str, Any]] = []
    for i, item in enumerate(_as_list(app["rate_limits"])):
        key = f"rate_limits[{i}]"
        if not isinstance(item, Mapping):
            raise fail(key, f"must be a mapping with at least 'rate', got {item!r}")
        limit = _with_defaults(item, RATE_LIMIT_DEFAULTS, key, fail)
        if not isinstance(limit["rate"], str) or not RATE_RE.match(limit["rate"]):
            raise fail(
                f"{key}.rate", f"must be requests per second or minute like '10r/s' or '30r/m', got {limit['rate']!r}"
            )
        burst = limit["burst"]
        if not isinstance(burst, int) or isinstance(burst, bool) or burst < 0:
            raise fail(f"{key}.burst", f"must be an integer of at least 0, got {burst!r}")
        if not isinstance(limit["nodelay"], bool):
            raise fail(f"{key}.nodelay", f"must be true or false, got {limit['nodelay']!r}")
        if not isinstance(limit["zone_size"], str) or not SIZE_RE.match(limit["zone_size"]):
            raise fail(f"{key}.zone_size", f"must be a size like '10m' or '512k', got {limit['zone_size']!r}")
        path = limit["path"]
        if not isinstance(path, str) or not LOCATION_RE.match(path):
            raise fail(f"{key}.path", f"must be a URL path starting with '/', got {path!r}")
        if app["static_dir"] and path.startswith(app["static_url"]):
            raise fail(
                f"{key}.path", f"{path!r} is in static_url {app['static_url']!r}: nginx serves those, not the app"
            )
        if path in [one["path"] for one in limits]:
            raise fail(f"{key}.path", f"{path!r} has a limit already (one limit per path)")
        limit["zone"] = f"wsgi_stack_{app['name']}_{i}"
        limits.append(limit)
    return limits


def _check_tls(app: Mapping[str, Any], fail: Fail) -> dict[str, Any]:
    """The app's TLS: one source of certificate and key, the port, redirect, HSTS and stapling.

    Adds ``enabled``, ``source`` (self_signed, files or content, "" when
    off), for a self-signed pair ``subject_alt_names`` and ``csr`` (its
    signing request), and ``owned_files`` (every file a web server role may
    write for the app); ``certificate`` and ``key`` always name the files
    the web server reads.
    """
    tls = app["tls"]
    out = _with_defaults(tls, TLS_DEFAULTS, "tls", fail)
    for key in ("self_signed", "redirect"):
        if not isinstance(out[key], bool):
            raise fail(f"tls.{key}", f"must be true or false, got {out[key]!r}")
    for key in ("certificate", "key", "certificate_content", "key_content"):
        if not isinstance(out[key], str):
            raise fail(f"tls.{key}", "must be a string")
    sources = [
        name
        for name, given in (
            ("self_signed", out["self_signed"]),
            ("files", out["certificate"] or out["key"]),
            ("content", out["certificate_content"] or out["key_content"]),
        )
        if given
    ]
    if len(sources) > 1:
        raise fail(
            "tls",
            "give one source of certificate and key: self_signed, certificate and key (paths),"
            " or certificate_content and key_content (PEM text)",
        )
    source = sources[0] if sources else ""
    if tls and not source:
        raise fail(
            "tls",
            "has settings but no certificate: give self_signed, certificate and key (paths),"
            " or certificate_content and key_content (PEM text)",
        )
    out["enabled"] = bool(source)
    out["source"] = source
    if source == "files":
        for key in ("certificate", "key"):
            if not _absolute(out[key]) or not _one_line(out[key]) or '"' in out[key]:
                raise fail(f"tls.{key}", f"must be the absolute path of a file on the host, got {out[key]!r}")
    elif source:
        if source == "content":
            for key in ("certificate_content", "key_content"):
                # The key's text is never shown, not even in part.
                if not PEM_RE.match(out[key]):
                    raise fail(f"tls.{key}", "must be PEM text (-----BEGIN ...----- to -----END ...-----)")
        out["certificate"] = f"{TLS_DIR}/{app['name']}.crt"
        out["key"] = f"{TLS_DIR}/private/{app['name']}.key"
    if not _port(out["listen"]):
        raise fail("tls.listen", f"must be a port from 1 to 65535, got {out['listen']!r}")
    if source and out["listen"] == app["listen"]:
        raise fail("tls.listen", f"must differ from listen ({app['listen']}), which stays plain HTTP")
    if out["hsts"] is None:
        out["hsts"] = 0 if source == "self_signed" else HSTS_DEFAULT
    if not isinstance(out["hsts"], int) or isinstance(out["hsts"], bool) or out["hsts"] < 0:
        raise fail("tls.hsts", f"must be the max-age in seconds (0: no header), got {out['hsts']!r}")
    if not isinstance(out["stapling"], bool):
        raise fail("tls.stapling", f"must be true or false, got {out['stapling']!r}")
    if out["stapling"] and source == "self_signed":
        raise fail("tls.stapling", "needs a certificate from a CA with an OCSP responder, not a self-signed one")
    if source == "self_signed":
        # The names the pair is made for: plain names and "*.domain" wildcards
        # (and their www. form when www_redirect answers it), else localhost.
        names = [
            name
            for name in app["server_names"]
            if name != "_" and not name.startswith("~") and ("*" not in name or re.match(r"^\*\.[^*]+$", name))
        ]
        if app["www_redirect"]:
            names += [f"www.{name}" for name in names if "*" not in name and not name.startswith("www.")]
        out["subject_alt_names"] = [f"DNS:{name}" for name in dict.fromkeys(names or ["localhost"])]
        out["csr"] = f"{TLS_DIR}/private/{app['name']}.csr"
    # Every file the web server role may write for the app, in use or not:
    # what it removes once the app is absent or stops using them.
    out["owned_files"] = [
        f"{TLS_DIR}/{app['name']}.crt",
        f"{TLS_DIR}/private/{app['name']}.key",
        f"{TLS_DIR}/private/{app['name']}.csr",
    ]
    return out


def check_backends(backends: Any, apps: Sequence[Mapping[str, Any]], var: str, apps_var: str) -> list[dict[str, Any]]:
    """Check the backends a load balancer spreads the apps over; return them completed.

    ``backends`` is a list of dicts with ``name`` (the inventory host),
    ``address`` (a host name or IP address the load balancer reaches it at)
    and ``backup``; ``apps`` the normalised definitions the load balancer
    serves (each app runs on every backend, on its ``listen`` port).
    """
    if isinstance(backends, (str, Mapping)) or not isinstance(backends, Sequence):
        raise AppDefinitionError(f"{var}: must be a list of backends (dicts with name, address, backup)")
    out: list[dict[str, Any]] = []
    for i, backend in enumerate(backends):
        if not isinstance(backend, Mapping) or not isinstance(backend.get("name"), str) or not backend["name"]:
            raise AppDefinitionError(f"{var}[{i}]: must be a dict with a name (the host)")
        unknown = sorted(set(backend) - {"name", "address", "backup"})
        if unknown:
            raise AppDefinitionError(f"{var}[{i}].{unknown[0]}: unknown key (known: address, backup, name)")
        address = backend.get("address") or backend["name"]
        if isinstance(address, str) and address.startswith("[") and address.endswith("]"):
            address = address[1:-1]  # IPv6 in brackets: kept bare, bracketed where nginx needs it
        if not isinstance(address, str) or not (HOST_NAME_RE.match(address) or IPV6_RE.match(address)):
            raise AppDefinitionError(
                f"{var}[{i}].address: {address!r} is not a host name or IP address ({backend['name']})"
            )
        backup = backend.get("backup", False)
        if not isinstance(backup, bool):
            raise AppDefinitionError(f"{var}[{i}].backup: must be true or false, got {backup!r} ({backend['name']})")
        if any(address == other["address"] for other in out):
            raise AppDefinitionError(f"{var}[{i}].address: {address!r} is listed twice ({backend['name']})")
        out.append({"name": backend["name"], "address": address, "backup": backup})
    if not out:
        return out
    if all(backend["backup"] for backend in out):
        raise AppDefinitionError(f"{var}: every backend is a backup; at least one must serve")
    backups = [backend["name"] for backend in out if backend["backup"]]
    for i, app in enumerate(apps):
        method = app["balance"]["method"]
        if backups and method in ("ip_hash", "hash") and app["state"] == "present":
            raise AppDefinitionError(
                f"{apps_var}[{i}].balance.method: nginx allows no backup server ({backups[0]}, in {var}) with {method}"
            )
    return out


def _check_settings(out: dict[str, Any], fail: Fail, default_settings: Mapping[str, Any] | None) -> None:
    """Settings become KEY=value lines of the env file: names, one-line values, the required ones present."""
    for key, value in out["settings"].items():
        if not isinstance(key, str) or not SETTING_RE.match(key):
            raise fail("settings", f"{key!r} is not a valid environment variable name")
        # The value is never part of a message: it may be a secret.
        if not _scalar(value) or not _one_line(value):
            raise fail(f"settings.{key}", "must be a one-line string, number or boolean (the value is not shown)")
    secret = out["secret_key_setting"] or ""
    if secret and not (isinstance(secret, str) and SETTING_RE.match(secret)):
        raise fail("secret_key_setting", f"must be an environment variable name or empty, got {secret!r}")
    out["secret_key_setting"] = secret
    for key in ("required_settings", "secret_key_aliases"):
        out[key] = _as_list(out[key])
        for name in out[key]:
            if not isinstance(name, str) or not SETTING_RE.match(name):
                raise fail(key, f"{name!r} is not a valid environment variable name")
    if default_settings is None:
        return
    given = dict(default_settings, **out["settings"])
    available = {k for k, v in given.items() if v is not None and v != ""}
    if secret:
        available |= {secret, *out["secret_key_aliases"]}
    missing = [name for name in out["required_settings"] if name not in available]
    if missing and out["state"] == "present":
        raise fail(
            "required_settings",
            f"{', '.join(missing)} missing or empty in settings (and not the generated secret key)",
        )


def normalize_apps(
    apps: Sequence[Mapping[str, Any]] | None,
    var: str = "apps",
    apps_root: str = "/srv",
    socket_dir: str = "/run/uwsgi",
    default_settings: Mapping[str, Any] | None = None,
    with_settings: bool = False,
    default_settings_var: str = "default_settings",
    with_tls_keys: bool = False,
) -> list[dict[str, Any]]:
    """Normalise every definition and check what no app may share with another.

    Unless ``with_settings`` is true the settings are checked and then left
    out of the result (``settings`` becomes ``{}``), so that a role which does
    not write them can loop over the definitions without ever printing one.
    The same goes for ``tls.key_content`` unless ``with_tls_keys`` is true.
    """
    if apps is None:
        return []
    if isinstance(apps, (str, Mapping)) or not isinstance(apps, Sequence):
        raise AppDefinitionError(f"{var}: must be a list of app definitions")
    if default_settings is not None:
        if not isinstance(default_settings, Mapping):
            raise AppDefinitionError(f"{default_settings_var}: must be a dict")
        for key, value in default_settings.items():
            if not isinstance(key, str) or not SETTING_RE.match(key):
                raise AppDefinitionError(f"{default_settings_var}: {key!r} is not a valid environment variable name")
            if not _scalar(value) or not _one_line(value):
                raise AppDefinitionError(f"{default_settings_var}.{key}: must be a one-line string, number or boolean")
    out = [normalize_app(app, i, var, apps_root, socket_dir, default_settings) for i, app in enumerate(apps)]
    if not with_settings:
        for app in out:
            app["settings"] = {}
    if not with_tls_keys:
        for app in out:
            app["tls"]["key_content"] = ""
    seen: dict[tuple[str, Any], int] = {}
    for i, app in enumerate(out):
        claims: list[tuple[str, Any]] = [("name", app["name"]), ("root", app["root"])]
        claims.append(("socket", app["socket_address"]))
        if app["state"] == "present":
            ports = [app["listen"]] + ([app["tls"]["listen"]] if app["tls"]["enabled"] else [])
            claims += [("server_names", (n, port)) for n in app["server_names"] for port in ports]
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
    # One port is either plain HTTP or TLS for every site on it.
    plain: dict[int, int] = {}
    secure: dict[int, int] = {}
    for i, app in enumerate(out):
        if app["state"] == "present":
            plain.setdefault(app["listen"], i)
            if app["tls"]["enabled"]:
                secure.setdefault(app["tls"]["listen"], i)
    for i, app in enumerate(out):
        if app["state"] != "present":
            continue
        if app["listen"] in secure:
            other = secure[app["listen"]]
            raise _fail(var, i, "listen", f"{app['listen']} is the TLS port of {var}[{other}] ({out[other]['name']})")
        if app["tls"]["enabled"] and app["tls"]["listen"] in plain:
            other = plain[app["tls"]["listen"]]
            raise _fail(
                var,
                i,
                "tls.listen",
                f"{app['tls']['listen']} is the plain HTTP port of {var}[{other}] ({out[other]['name']})",
            )
    return out
