# Copyright: wsgi.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter: render a dict of options as uWSGI ini lines, nginx directives or systemd settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: config_lines
short_description: Render a dict of options as uWSGI ini lines, nginx directives or systemd unit settings
version_added: 0.1.0
description:
  - Turns a mapping of option names to values into one line per value, in the
    syntax of a uWSGI ini file (C(key = value)), of nginx (C(key value;)) or of a systemd unit
    (C(Key=value)).
  - In a systemd unit, C(null) writes C(Key=) (which empties a list setting); a role that
    means "leave the option out" drops it before.
  - A list value repeats the option, once per element, in order.
  - A boolean becomes C(true)/C(false) in an ini file, C(on)/C(off) for nginx and C(yes)/C(no) for systemd;
    other values are written as text (C(null) as an empty value).
  - The lines are joined with newlines, without a newline after the last one,
    so that a template puts the filter's output on a line of its own.
  - Fails on a value (or list element) that is a mapping or a list, which has
    no one-line form, and on an ini or systemd value with a line break, which
    would start a second option.
options:
  _input:
    description: Option names mapped to a value or a list of values.
    type: dict
    required: true
  style:
    description: Syntax of the lines.
    type: str
    choices: [ini, nginx, systemd]
    default: ini
  indent:
    description: Spaces put before each line (nginx directives inside a block).
    type: int
    default: 0
"""

EXAMPLES = r"""
- name: Lines of a uWSGI ini file
  ansible.builtin.debug:
    msg: "{{ {'listen': 64, 'env': ['A=1', 'B=2'], 'lazy-apps': true} | wsgi.stack.config_lines('ini') }}"
  # listen = 64
  # env = A=1
  # env = B=2
  # lazy-apps = true

- name: Directives of an nginx server block, indented by four spaces
  ansible.builtin.debug:
    msg: "{{ {'add_header': ['X-A 1', 'X-B 2'], 'gzip': false} | wsgi.stack.config_lines('nginx', indent=4) }}"
  #     add_header X-A 1;
  #     add_header X-B 2;
  #     gzip off;

- name: Settings of a systemd unit's [Service] section
  ansible.builtin.debug:
    msg: "{{ {'PrivateTmp': true, 'ReadWritePaths': '/var/log/nginx /run'} | wsgi.stack.config_lines('systemd') }}"
  # PrivateTmp=yes
  # ReadWritePaths=/var/log/nginx /run
"""

RETURN = r"""
_value:
  description: One line per option value, joined with newlines (empty for an empty mapping).
  type: string
"""

_BOOLEANS = {"ini": ("true", "false"), "nginx": ("on", "off"), "systemd": ("yes", "no")}
_FORMATS = {"ini": "{key} = {value}", "nginx": "{key} {value};", "systemd": "{key}={value}"}


def _text(key: str, value: Any, style: str) -> str:
    if isinstance(value, bool):
        yes, no = _BOOLEANS[style]
        return yes if value else no
    if isinstance(value, (Mapping, list, tuple)):
        raise AnsibleFilterError(f"config_lines: option {key!r} has a value with no one-line form: {value!r}")
    text = "" if value is None else str(value)
    if style != "nginx" and ("\n" in text or "\r" in text):
        raise AnsibleFilterError(f"config_lines: option {key!r} has a line break in its value")
    return text


def config_lines(options: Mapping[str, Any] | None, style: str = "ini", indent: int = 0) -> str:
    """The lines of C(options) in the given style, joined with newlines."""
    if style not in _BOOLEANS:
        raise AnsibleFilterError(f"config_lines: style must be 'ini', 'nginx' or 'systemd', got {style!r}")
    if options is None:
        return ""
    if not isinstance(options, Mapping):
        raise AnsibleFilterError(f"config_lines: options must be a mapping, got {type(options).__name__}")
    prefix = " " * int(indent)
    lines = []
    for key, value in options.items():
        for one in value if isinstance(value, (list, tuple)) else [value]:
            text = _text(key, one, style)
            lines.append(prefix + _FORMATS[style].format(key=key, value=text))
    return "\n".join(lines)


class FilterModule:
    """Option rendering for the collection's templates."""

    def filters(self) -> dict[str, Callable[..., str]]:
        return {"config_lines": config_lines}
