# Copyright: wsgi.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter: normalise and validate a list of WSGI app definitions."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.wsgi.stack.plugins.module_utils.wsgi_app import AppDefinitionError, normalize_apps

DOCUMENTATION = r"""
name: wsgi_apps
short_description: Normalise and validate WSGI app definitions
version_added: 0.1.0
description:
  - Fills in every default and derived value of a list of app definitions
    (account, layout under the app root, socket, upstream address, static path)
    so that the virtualenv_app, uwsgi_emperor and nginx roles read one truth.
  - Fails, naming the variable and key, on an unsafe name, a module without
    C(:), relative paths, a port out of range, or two apps claiming one server
    name, root or socket.
options:
  _input:
    description: List of app definitions (see the collection README for the keys).
    type: list
    elements: dict
    required: true
  var:
    description: Variable name used in error messages.
    type: str
    default: apps
  apps_root:
    description: Directory under which each app gets C(<apps_root>/<name>) unless it sets C(root).
    type: str
    default: /srv
  socket_dir:
    description: Directory of the unix sockets of apps that use C(socket=unix).
    type: str
    default: /run/uwsgi
"""

EXAMPLES = r"""
- name: Normalise the apps once
  ansible.builtin.set_fact:
    apps: "{{ wsgi_apps | wsgi.stack.wsgi_apps(var='wsgi_apps') }}"
"""

RETURN = r"""
_value:
  description: The definitions with every key filled in, plus derived keys
    C(wsgi_module), C(wsgi_callable), C(socket_type), C(socket_address), C(upstream),
    C(releases_dir), C(shared_dir), C(current_dir), C(env_file) and C(static_path).
  type: list
  elements: dict
"""


def wsgi_apps(
    apps: Sequence[Mapping[str, Any]] | None,
    var: str = "apps",
    apps_root: str = "/srv",
    socket_dir: str = "/run/uwsgi",
) -> list[dict[str, Any]]:
    try:
        normalized: list[dict[str, Any]] = normalize_apps(apps, var=var, apps_root=apps_root, socket_dir=socket_dir)
    except AppDefinitionError as exc:
        raise AnsibleFilterError(str(exc)) from exc
    return normalized


class FilterModule:
    """WSGI app definition filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"wsgi_apps": wsgi_apps}
