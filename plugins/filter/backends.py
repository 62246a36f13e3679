# Copyright: wsgi.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter: the app servers a load balancer spreads the apps over."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.wsgi.stack.plugins.module_utils.wsgi_app import (
    AppDefinitionError,
    check_backends,
    normalize_apps,
)

DOCUMENTATION = r"""
name: backends
short_description: The app servers behind a load balancer, from the inventory
version_added: 0.3.0
description:
  - Builds the list of backends a load balancer's upstreams are made of, from the
    app servers' group, so that no host is typed twice in an inventory.
  - Each host of the group is reached at its C(wsgi_stack_private_address) host
    variable, else its C(ansible_host), else its inventory name; a host whose
    C(wsgi_stack_backend_backup) is true is a backup server (used only when every
    other one is down).
  - The collection also provides C(wsgi.stack.private_address) (C(inventory_hostname |
    wsgi.stack.private_address(hostvars))), that address for one host, IPv6 without brackets.
  - Fails, naming O(var), on an empty group, an address that is not a host name
    or IP address, an address listed twice, a group of backups only, and (given
    O(apps)) a backup server next to an app whose C(balance.method) is C(ip_hash)
    or C(hash), which nginx refuses.
options:
  _input:
    description:
      - The app servers. Host names (with O(hostvars)), or dicts with C(name), C(address) and C(backup)
        as this filter returns them (checked again, for a role that is given the list).
    type: list
    elements: raw
    required: true
  hostvars:
    description: Ansible's C(hostvars), to read each host's variables.
    type: dict
  apps:
    description: The app definitions the load balancer serves (checked with the backends).
    type: list
    elements: dict
    default: []
  var:
    description: Variable name of the input, used in error messages.
    type: str
    default: backends
  apps_var:
    description: Variable name of O(apps), used in error messages.
    type: str
    default: apps
"""

EXAMPLES = r"""
- name: Put the load balancer in front of the app servers of the inventory
  ansible.builtin.include_role:
    name: wsgi.stack.nginx
  vars:
    nginx_apps: "{{ wsgi_apps }}"
    nginx_backends: >-
      {{ groups['webservers'] | wsgi.stack.backends(hostvars, apps=wsgi_apps, var='wsgi_stack_hosts') }}
  # [{"name": "app1", "address": "10.0.0.11", "backup": false}, ...]
"""

RETURN = r"""
_value:
  description: One dict per backend, in the group's order.
  type: list
  elements: dict
  contains:
    name:
      description: The inventory host.
      type: str
    address:
      description: Where the load balancer reaches it (an IPv6 address without brackets).
      type: str
    backup:
      description: Whether it serves only when every other backend is down.
      type: bool
"""


def _host_vars(name: str, hostvars: Mapping[str, Any] | None) -> Mapping[str, Any]:
    host = hostvars.get(name) if hostvars is not None else None
    return host if host is not None else {}


def _from_host(name: str, hostvars: Mapping[str, Any] | None) -> dict[str, Any]:
    backup = _host_vars(name, hostvars).get("wsgi_stack_backend_backup", False)
    return {"name": name, "address": private_address(name, hostvars), "backup": backup}


def backends(
    hosts: Sequence[Any] | None,
    hostvars: Mapping[str, Any] | None = None,
    apps: Sequence[Mapping[str, Any]] | None = None,
    var: str = "backends",
    apps_var: str = "apps",
) -> list[dict[str, Any]]:
    """Return the checked backends; raise AnsibleFilterError naming ``var``."""
    if hosts is None or (isinstance(hosts, Sequence) and not isinstance(hosts, str) and len(hosts) == 0):
        raise AnsibleFilterError(f"{var}: no app server to balance over (the group is empty or missing)")
    try:
        if isinstance(hosts, Sequence) and not isinstance(hosts, str):
            hosts = [_from_host(h, hostvars) if isinstance(h, str) else h for h in hosts]
        definitions = normalize_apps(apps or [], var=apps_var)
        checked: list[dict[str, Any]] = check_backends(hosts, definitions, var, apps_var)
    except AppDefinitionError as exc:
        raise AnsibleFilterError(str(exc)) from exc
    return checked


def private_address(name: str, hostvars: Mapping[str, Any] | None = None) -> str:
    """Where a host is on the private network: wsgi_stack_private_address, else ansible_host, else its name."""
    host = _host_vars(name, hostvars)
    address = str(host.get("wsgi_stack_private_address") or host.get("ansible_host") or name)
    return address[1:-1] if address.startswith("[") and address.endswith("]") else address


class FilterModule:
    """Load balancer filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"backends": backends, "private_address": private_address}
