"""Every role documents the same variables, with the same defaults, in both places."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ..conftest import REPO

ROLES = sorted(p.name for p in (REPO / "roles").iterdir() if (p / "meta" / "argument_specs.yml").exists())


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text()) or {}


def test_every_role_has_an_argument_spec() -> None:
    assert {p.name for p in (REPO / "roles").iterdir() if p.is_dir()} == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_defaults_and_argument_spec_agree(role: str) -> None:
    defaults = load(REPO / "roles" / role / "defaults" / "main.yml")
    options = load(REPO / "roles" / role / "meta" / "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert set(defaults) - set(options) == set(), "defaults missing from meta/argument_specs.yml"
    for name, spec in options.items():
        assert name.startswith(role + "_"), f"{name} is not prefixed with the role name"
        assert spec.get("description"), f"{name} has no description"
        if name in defaults:
            assert spec.get("default") == defaults[name], f"{name}: default differs between the two files"
        else:
            assert spec.get("required") is True, f"{name} has no default and is not required"


@pytest.mark.parametrize("role", ROLES)
def test_every_default_is_commented(role: str) -> None:
    """Each paragraph of defaults/main.yml (variables between blank lines) opens with a comment."""
    commented = False
    for line in (REPO / "roles" / role / "defaults" / "main.yml").read_text().splitlines():
        if not line.strip():
            commented = False
        elif line.startswith("#"):
            commented = True
        elif not line.startswith((" ", "-")) and ":" in line:
            assert commented, f"{role}: {line.split(':')[0]} has no comment above it"


APP_VARIABLES = {
    "virtualenv_app": "virtualenv_app_apps",
    "uwsgi_emperor": "uwsgi_emperor_apps",
    "gunicorn": "gunicorn_apps",
    "nginx": "nginx_apps",
}


@pytest.mark.parametrize(("role", "variable"), sorted(APP_VARIABLES.items()))
def test_the_app_definition_is_documented_key_by_key(role: str, variable: str) -> None:
    """ansible-doc shows every key the normaliser knows, with the normaliser's defaults, in every role."""
    from ansible_collections.wsgi.stack.plugins.module_utils.wsgi_app import APP_DEFAULTS

    spec = load(REPO / "roles" / role / "meta" / "argument_specs.yml")["argument_specs"]["main"]["options"][variable]
    keys = spec["options"]
    assert set(keys) == set(APP_DEFAULTS) | {"name"}
    for key, option in keys.items():
        assert option.get("description"), f"{variable}.{key} has no description"
        if "default" in option:
            assert option["default"] == APP_DEFAULTS[key], f"{variable}.{key}: default differs from the normaliser"
    first = load(REPO / "roles" / "virtualenv_app" / "meta" / "argument_specs.yml")
    assert keys == first["argument_specs"]["main"]["options"]["virtualenv_app_apps"]["options"]
