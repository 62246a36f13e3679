# Copyright: wsgi.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Quoting for values written into systemd units, supervisord programs and upstart jobs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

DOCUMENTATION = r"""
name: systemd_environment
short_description: Render a dict as systemd C(Environment=) assignments
version_added: 0.1.0
description:
  - Turns a mapping of variable names to values into one double-quoted
    C("NAME=value") word per variable, escaped so that systemd reads back
    exactly the given value (backslashes, double quotes and C(%) specifiers).
  - The collection also provides C(wsgi.stack.systemd_escape) (escape C(%) in a
    command line), C(wsgi.stack.supervisord_environment) (the C(environment=)
    value of a supervisord program) and C(wsgi.stack.upstart_quote) (a
    double-quoted word for an upstart job).
options:
  _input:
    description: Variable names mapped to values; values are converted to strings.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Environment lines for a unit
  ansible.builtin.debug:
    msg: "Environment={{ {'GREETING': 'hello \"world\"'} | wsgi.stack.systemd_environment }}"
  # Environment="GREETING=hello \"world\""

- name: Supervisord environment
  ansible.builtin.debug:
    msg: "environment={{ {'A': '1', 'B': 'x,y'} | wsgi.stack.supervisord_environment }}"
  # environment=A="1",B="x,y"
"""

RETURN = r"""
_value:
  description: The quoted text.
  type: string
"""


class QuoteError(ValueError):
    """A value cannot be written safely into the target format."""


def _check_name(name: str) -> str:
    if not name or not (name[0].isalpha() or name[0] == "_") or not all(c.isalnum() or c == "_" for c in name):
        raise QuoteError(f"environment variable name {name!r} is not a valid identifier")
    return name


def _check_value(value: Any) -> str:
    text = "" if value is None else str(value)
    if "\n" in text or "\r" in text or "\0" in text:
        raise QuoteError("environment values cannot contain newlines or NUL bytes")
    return text


def systemd_escape(text: Any) -> str:
    """Escape systemd specifiers (C(%)) in a command line or setting value."""
    return str(text).replace("%", "%%")


def _systemd_word(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + systemd_escape(escaped) + '"'


def systemd_environment(env: Mapping[str, Any]) -> str:
    """Space-separated C("NAME=value") words for one C(Environment=) line."""
    return " ".join(_systemd_word(f"{_check_name(k)}={_check_value(v)}") for k, v in sorted(env.items()))


def supervisord_environment(env: Mapping[str, Any]) -> str:
    """The value of a supervisord C(environment=) key.

    supervisord splits on commas outside double quotes, strips the quotes and
    expands C(%(name)s), so C(%) is doubled. A double quote inside a value
    cannot be expressed and is refused.
    """
    words = []
    for key, value in sorted(env.items()):
        text = _check_value(value)
        if '"' in text:
            raise QuoteError(f"supervisord cannot carry a double quote in environment value of {key}")
        words.append(f'{_check_name(key)}="{text.replace("%", "%%")}"')
    return ",".join(words)


def upstart_quote(text: Any) -> str:
    """A double-quoted word for an upstart C(env) or C(exec) stanza (shell rules)."""
    value = _check_value(text)
    for char in ("\\", '"', "$", "`"):
        value = value.replace(char, "\\" + char)
    return f'"{value}"'


class FilterModule:
    """Quoting filters for service definitions."""

    def filters(self) -> dict[str, Callable[..., str]]:
        return {
            "systemd_environment": systemd_environment,
            "systemd_escape": systemd_escape,
            "supervisord_environment": supervisord_environment,
            "upstart_quote": upstart_quote,
        }
