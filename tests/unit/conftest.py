"""Make this checkout importable as the collection wsgi.stack and render role templates."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = Path(tempfile.mkdtemp(prefix="wsgi-stack-unit-"))
(COLLECTIONS / "ansible_collections" / "wsgi").mkdir(parents=True)
(COLLECTIONS / "ansible_collections" / "wsgi" / "stack").symlink_to(REPO)

from ansible.plugins.loader import init_plugin_loader  # noqa: E402

init_plugin_loader([str(COLLECTIONS)])

from ansible.parsing.dataloader import DataLoader  # noqa: E402
from ansible.template import Templar, trust_as_template  # noqa: E402

Render = Callable[..., str]


def role_vars(role: str) -> dict[str, Any]:
    """A role's defaults and vars as Ansible loads them (templates trusted)."""
    loader = DataLoader()
    out: dict[str, Any] = {}
    for part in ("defaults", "vars"):
        path = REPO / "roles" / role / part / "main.yml"
        if path.exists():
            out.update(loader.load_from_file(str(path), trusted_as_template=True) or {})
    return out


@pytest.fixture
def render() -> Render:
    """Render roles/<role>/templates/<template> with the role's defaults, vars and overrides."""

    def _render(role: str, template: str, facts: Mapping[str, Any] | None = None, **overrides: Any) -> str:
        variables = role_vars(role)
        variables.update(overrides)
        variables["ansible_managed"] = "Ansible managed"
        variables["ansible_facts"] = dict(facts or {"os_family": "Debian", "service_mgr": "systemd"})
        source = (REPO / "roles" / role / "templates" / template).read_text()
        templar = Templar(loader=DataLoader(), variables=variables)
        return str(templar.template(trust_as_template(source)))

    return _render


def parse_ini(text: str) -> configparser.ConfigParser:
    """Parse rendered ini text the way a reader of these files would (keys keep their case)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False, comment_prefixes=("#", ";"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


def ansible_playbook(tmp_path: Path, *args: str) -> tuple[int, str]:
    """Run ansible-playbook from this virtualenv with the collection and a private ANSIBLE_HOME.

    Returns the return code and the output (stdout, then stderr), results as JSON.
    """
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_HOME=str(tmp_path / "ansible-home"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="false",
        ANSIBLE_STDOUT_CALLBACK="default",
        ANSIBLE_CALLBACK_RESULT_FORMAT="json",
    )
    result = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr
