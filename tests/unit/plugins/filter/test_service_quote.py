"""Quoting filters: what systemd, supervisord and a shell read back is what was given."""

from __future__ import annotations

import subprocess

import pytest

from ansible_collections.wsgi.stack.plugins.filter.service_quote import (
    FilterModule,
    QuoteError,
    supervisord_environment,
    systemd_environment,
    systemd_escape,
    upstart_quote,
)


def systemd_unquote(words: str) -> list[str]:
    """Split an Environment= value the way systemd does (double quotes, backslash escapes)."""
    out, word, quoted, i = [], "", False, 0
    while i < len(words):
        char = words[i]
        if char == "\\" and i + 1 < len(words):
            word += words[i + 1]
            i += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char == " " and not quoted:
            out.append(word)
            word = ""
        else:
            word += char
        i += 1
    out.append(word)
    return [w.replace("%%", "%") for w in out]


def test_systemd_environment_round_trips_awkward_values() -> None:
    env = {"B": 'say "hi"', "A": "100% \\ done", "C": ""}
    assert systemd_unquote(systemd_environment(env)) == ["A=100% \\ done", 'B=say "hi"', "C="]


def test_systemd_escape_doubles_specifiers() -> None:
    assert systemd_escape("/bin/echo %h 50%") == "/bin/echo %%h 50%%"


@pytest.mark.parametrize("name", ["1A", "A-B", "", "A B"])
def test_bad_variable_names_are_refused(name: str) -> None:
    with pytest.raises(QuoteError, match="not a valid identifier"):
        systemd_environment({name: "x"})


def test_newlines_are_refused() -> None:
    with pytest.raises(QuoteError, match="newlines"):
        systemd_environment({"A": "one\ntwo"})


def test_supervisord_environment_quotes_commas_and_percent() -> None:
    assert supervisord_environment({"B": "x,y", "A": "50%"}) == 'A="50%%",B="x,y"'


def test_supervisord_refuses_double_quotes() -> None:
    with pytest.raises(QuoteError, match="double quote"):
        supervisord_environment({"A": 'a"b'})


@pytest.mark.parametrize("value", ["plain", 'with "quotes"', "dollar $HOME and `cmd`", "back\\slash", ""])
def test_upstart_quote_is_read_back_by_a_shell(value: str) -> None:
    # Upstart hands env/exec lines with shell characters to /bin/sh: ask a real one.
    printed = subprocess.run(
        ["/bin/sh", "-c", "printf %s " + upstart_quote(value)], capture_output=True, text=True, check=True
    )
    assert printed.stdout == value


def test_filter_module_exports_every_filter() -> None:
    assert set(FilterModule().filters()) == {
        "systemd_environment",
        "systemd_escape",
        "supervisord_environment",
        "upstart_quote",
    }
