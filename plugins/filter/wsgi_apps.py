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
    name, root or socket; on settings that do not fit an env file (their values are never shown),
    C(uwsgi_options)/C(nginx_options) that are not option names with one-line values, shared paths
    outside the release, commands that are not strings, and a C(tls) key with no source or more than one
    of certificate and key, text that is not PEM, or a port that is plain HTTP for another app.
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
  default_settings:
    description:
      - The settings every app gets before its own (the role that writes the settings passes them).
      - When given, each app's C(required_settings) are checked against them, its own C(settings) and its
        generated secret key. When omitted, C(required_settings) are only checked for their form.
    type: dict
  default_settings_var:
    description: Variable name of O(default_settings), used in error messages.
    type: str
    default: default_settings
  with_settings:
    description:
      - Keep each app's C(settings) in the result. By default they are checked, then replaced by an empty dict,
        so that a role which does not write them can never print a setting (a secret) in a loop.
    type: bool
    default: false
  with_tls_keys:
    description:
      - Keep each app's C(tls.key_content) (a private key) in the result. By default it is checked, then
        replaced by an empty string, for the same reason as O(with_settings).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Normalise the apps once
  ansible.builtin.set_fact:
    apps: "{{ wsgi_apps | wsgi.stack.wsgi_apps(var='wsgi_apps') }}"

- name: Normalise them with their settings, checking the required ones
  ansible.builtin.set_fact:
    apps: >-
      {{ wsgi_apps | wsgi.stack.wsgi_apps(var='wsgi_apps', with_settings=true,
                                          default_settings={'LANG': 'C.UTF-8'}) }}
  no_log: true
"""

RETURN = r"""
_value:
  description: The definitions with every key filled in, plus derived keys
    C(wsgi_module), C(wsgi_callable), C(socket_type), C(socket_address), C(upstream),
    C(releases_dir), C(shared_dir), C(current_dir), C(env_file), C(static_path), C(static_dir_parents)
    (the directories above C(static_dir) in a release, outermost first) and C(check_host)
    (the Host of the release check's request). C(tls) gains C(enabled), C(source) (C(self_signed), C(files),
    C(content) or empty), the paths of C(certificate) and C(key) the web server reads, and for a
    self-signed pair C(subject_alt_names) and C(csr) (its signing request), and always C(owned_files)
    (every file a web server role may write for the app). Command lists are lists of strings, except
    C(init_commands), whose items become dicts with C(command) and C(creates).
  type: list
  elements: dict
"""


def wsgi_apps(
    apps: Sequence[Mapping[str, Any]] | None,
    var: str = "apps",
    apps_root: str = "/srv",
    socket_dir: str = "/run/uwsgi",
    default_settings: Mapping[str, Any] | None = None,
    default_settings_var: str = "default_settings",
    with_settings: bool = False,
    with_tls_keys: bool = False,
) -> list[dict[str, Any]]:
    try:
        normalized: list[dict[str, Any]] = normalize_apps(
            apps,
            var=var,
            apps_root=apps_root,
            socket_dir=socket_dir,
            default_settings=default_settings,
            with_settings=with_settings,
            default_settings_var=default_settings_var,
            with_tls_keys=with_tls_keys,
        )
    except AppDefinitionError as exc:
        raise AnsibleFilterError(str(exc)) from exc
    return normalized


class FilterModule:
    """WSGI app definition filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"wsgi_apps": wsgi_apps}
