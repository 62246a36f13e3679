"""config_lines: one rendering of option dicts for the uWSGI and nginx templates."""

from __future__ import annotations

from typing import Any

import pytest
from ansible.errors import AnsibleFilterError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from ansible_collections.wsgi.stack.plugins.filter.config_lines import FilterModule, config_lines

# The nested loops the templates carried before the filter, kept verbatim as
# the reference the filter must reproduce.
OLD_INI_LOOP = """{% for key, value in options.items() %}
{% for one in ([value] if value is string or value is not iterable or value is mapping else value) %}
{{ key }} = {{ ('true' if one else 'false') if one is boolean else one }}
{% endfor %}
{% endfor %}
"""
# The service role's loop over its hardening and unit options.
OLD_SYSTEMD_LOOP = """{% for key, value in options.items() %}
{{ key }}={{ ('yes' if value else 'no') if value is boolean else value }}
{% endfor %}
"""
OLD_NGINX_LOOP = """{% for key, value in options.items() %}
{% for one in (value if value is sequence and value is not string else [value]) %}
    {{ key }} {{ ('on' if one else 'off') if one is boolean else one }};
{% endfor %}
{% endfor %}
"""

OPTION_SETS: list[dict[str, Any]] = [
    {},
    {"listen": 64},
    {"env": ["A=1", "B=2"], "lazy-apps": True, "disable-logging": False, "ratio": 1.5},
    {"empty": "", "none": None, "zero": 0, "no_values": [], "one": ["x"]},
    {"mixed": [True, False, 3, "s", 2.5], "percent": "%(_)", "quoted": "\"a b\" 'c'"},
]


def old_loop(source: str, options: dict[str, Any]) -> str:
    templar = Templar(loader=DataLoader(), variables={"options": options})
    # Each line of the loop ends with a newline; the filter's last line does not.
    return str(templar.template(trust_as_template(source)) or "").removesuffix("\n")


@pytest.mark.parametrize("options", OPTION_SETS)
def test_ini_lines_match_the_loop_they_replace(options: dict[str, Any]) -> None:
    assert config_lines(options, "ini") == old_loop(OLD_INI_LOOP, options)


@pytest.mark.parametrize("options", [*OPTION_SETS, {"log_format": "main '$remote_addr'\n    '$status'"}])
def test_nginx_lines_match_the_loop_they_replace(options: dict[str, Any]) -> None:
    assert config_lines(options, "nginx", indent=4) == old_loop(OLD_NGINX_LOOP, options)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"PrivateTmp": True, "NoNewPrivileges": False, "SystemCallArchitectures": "native"},
        {"CapabilityBoundingSet": "CAP_SETUID CAP_SETGID", "RuntimeDirectoryMode": "0755", "LimitNOFILE": 4096},
    ],
)
def test_systemd_lines_match_the_loop_they_replace(options: dict[str, Any]) -> None:
    assert config_lines(options, "systemd") == old_loop(OLD_SYSTEMD_LOOP, options)


def test_systemd_settings() -> None:
    options = {"PrivateTmp": True, "ProtectHome": "read-only", "ReadWritePaths": ["/var/log/nginx", "/run"]}
    assert config_lines(options, "systemd").splitlines() == [
        "PrivateTmp=yes",
        "ProtectHome=read-only",
        "ReadWritePaths=/var/log/nginx",
        "ReadWritePaths=/run",
    ]
    # An empty assignment resets a list setting.
    assert config_lines({"CapabilityBoundingSet": None}, "systemd") == "CapabilityBoundingSet="


def test_ini_lines() -> None:
    options = {"listen": 64, "env": ["A=1", "B=2"], "lazy-apps": True, "vacuum": False, "none": None}
    assert config_lines(options).splitlines() == [
        "listen = 64",
        "env = A=1",
        "env = B=2",
        "lazy-apps = true",
        "vacuum = false",
        "none = ",
    ]


def test_nginx_directives_indented() -> None:
    options = {"add_header": ["X-A 1", "X-B 2"], "gzip": False, "etag": True, "keepalive_requests": 100}
    assert config_lines(options, "nginx", indent=4) == (
        "    add_header X-A 1;\n    add_header X-B 2;\n    gzip off;\n    etag on;\n    keepalive_requests 100;"
    )


def test_order_is_kept() -> None:
    options = {"z": 1, "a": 2, "m": [3, 4]}
    assert config_lines(options, "nginx") == "z 1;\na 2;\nm 3;\nm 4;"


@pytest.mark.parametrize("options", [None, {}, {"nothing": []}])
def test_nothing_to_render_is_empty(options: dict[str, Any] | None) -> None:
    assert config_lines(options, "ini") == ""
    assert config_lines(options, "nginx", indent=4) == ""


@pytest.mark.parametrize("value", [{"a": 1}, [["nested"]], [{"a": 1}]])
def test_values_without_a_one_line_form_are_refused(value: Any) -> None:
    for style in ("ini", "nginx", "systemd"):
        with pytest.raises(AnsibleFilterError, match="'opt' has a value with no one-line form"):
            config_lines({"opt": value}, style)


@pytest.mark.parametrize("value", ["one\ntwo", "one\rtwo", ["fine", "not\nfine"]])
@pytest.mark.parametrize("style", ["ini", "systemd"])
def test_a_line_break_that_would_start_another_option_is_refused(value: Any, style: str) -> None:
    with pytest.raises(AnsibleFilterError, match="'opt' has a line break"):
        config_lines({"opt": value}, style)


def test_nginx_keeps_a_directive_spread_over_lines() -> None:
    # nginx reads a newline inside a directive as white space (log_format, map ...).
    assert config_lines({"log_format": "main 'a'\n  'b'"}, "nginx") == "log_format main 'a'\n  'b';"


def test_unknown_style_and_non_mapping_are_refused() -> None:
    with pytest.raises(AnsibleFilterError, match="style must be 'ini', 'nginx' or 'systemd'"):
        config_lines({"a": 1}, "yaml")
    with pytest.raises(AnsibleFilterError, match="must be a mapping"):
        config_lines(["a", 1], "ini")


def test_filter_module_exports_config_lines() -> None:
    assert FilterModule().filters() == {"config_lines": config_lines}
