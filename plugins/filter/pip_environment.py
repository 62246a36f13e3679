# Copyright: wsgi.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter: pip's environment variables from a role's pip settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: pip_environment
short_description: The environment for pip from index, certificate and cache settings
version_added: 0.1.0
description:
  - Builds the environment every pip call of the collection runs with, from one
    mapping of settings, so that the roles that run pip (C(virtualenv_app),
    C(uwsgi_emperor)) configure it the same way.
  - Always sets C(PIP_DISABLE_PIP_VERSION_CHECK=1) and C(PIP_NO_INPUT=1) (pip never
    stops to ask); the other variables only when their setting is not empty.
  - Fails on a setting it does not know, and on a list element that is empty or
    holds white space (pip splits these variables on white space).
options:
  _input:
    description: The pip settings; every key is optional.
    type: dict
    required: true
    suboptions:
      index_url:
        description: Main package index (C(PIP_INDEX_URL)); empty keeps pip's default.
        type: str
        default: ""
      extra_index_urls:
        description: More package indexes (C(PIP_EXTRA_INDEX_URL), space-separated).
        type: list
        elements: str
        default: []
      trusted_hosts:
        description: Hosts pip reaches without a valid certificate (C(PIP_TRUSTED_HOST), space-separated).
        type: list
        elements: str
        default: []
      cert:
        description: CA bundle pip verifies TLS with (C(PIP_CERT)); empty uses pip's own bundle.
        type: str
        default: ""
      find_links:
        description:
          - Local directories of wheels pip looks in besides the indexes (C(PIP_FIND_LINKS), space-separated).
          - pip still checks every wheel's tags, so a wheel built for another platform is never installed.
        type: list
        elements: str
        default: []
        version_added: 0.3.0
      cache:
        description: Let pip use its cache; C(false) sets C(PIP_NO_CACHE_DIR=1).
        type: bool
        default: true
"""

EXAMPLES = r"""
- name: Install into a virtualenv from a mirror, trusting the system CA bundle
  ansible.builtin.pip:
    name: flask
    virtualenv: /srv/app/venv
  environment: >-
    {{ {'index_url': 'https://pypi.example.com/simple/',
        'cert': '/etc/ssl/certs/ca-certificates.crt',
        'cache': false} | wsgi.stack.pip_environment }}
  # PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_NO_CACHE_DIR=1
  # PIP_INDEX_URL=https://pypi.example.com/simple/ PIP_CERT=/etc/ssl/certs/ca-certificates.crt
"""

RETURN = r"""
_value:
  description: Environment variable names mapped to their values (all strings).
  type: dict
"""

_LISTS = {
    "extra_index_urls": "PIP_EXTRA_INDEX_URL",
    "trusted_hosts": "PIP_TRUSTED_HOST",
    "find_links": "PIP_FIND_LINKS",
}
_STRINGS = {"index_url": "PIP_INDEX_URL", "cert": "PIP_CERT"}
_KNOWN = {*_LISTS, *_STRINGS, "cache"}


def _words(name: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise AnsibleFilterError(f"pip_environment: {name} must be a list, got {type(value).__name__}")
    words = [str(one) for one in value]
    for word in words:
        if not word or any(char.isspace() for char in word):
            raise AnsibleFilterError(f"pip_environment: {name} holds {word!r}: elements must be non-empty words")
    return words


def pip_environment(settings: Mapping[str, Any] | None) -> dict[str, str]:
    """pip's environment for the given settings."""
    settings = settings or {}
    if not isinstance(settings, Mapping):
        raise AnsibleFilterError(f"pip_environment: settings must be a mapping, got {type(settings).__name__}")
    unknown = sorted(set(settings) - _KNOWN)
    if unknown:
        raise AnsibleFilterError(f"pip_environment: unknown settings {', '.join(unknown)}")
    env = {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    cache = settings.get("cache", True)
    if not isinstance(cache, bool):
        raise AnsibleFilterError(f"pip_environment: cache must be true or false, got {cache!r}")
    if not cache:
        env["PIP_NO_CACHE_DIR"] = "1"
    for key, variable in _STRINGS.items():
        text = "" if settings.get(key) is None else str(settings[key])
        if text.strip() != text:
            raise AnsibleFilterError(f"pip_environment: {key} has white space around it: {text!r}")
        if text:
            env[variable] = text
    for key, variable in _LISTS.items():
        words = _words(key, settings.get(key))
        if words:
            env[variable] = " ".join(words)
    return env


class FilterModule:
    """pip settings filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"pip_environment": pip_environment}
