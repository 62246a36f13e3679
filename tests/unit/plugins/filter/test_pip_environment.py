"""pip_environment: the one way the roles tell pip where and how to install."""

from __future__ import annotations

from typing import Any

import pytest
from ansible.errors import AnsibleFilterError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.wsgi.stack.plugins.filter.pip_environment import FilterModule, pip_environment

from ...conftest import role_vars

ALWAYS = {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}


def test_nothing_set_gives_only_the_fixed_variables() -> None:
    assert pip_environment({}) == ALWAYS
    assert pip_environment(None) == ALWAYS
    assert pip_environment({"index_url": "", "extra_index_urls": [], "trusted_hosts": [], "cert": ""}) == ALWAYS


def test_every_setting() -> None:
    env = pip_environment(
        {
            "index_url": "https://pypi.example.com/simple/",
            "extra_index_urls": ["https://a.example.com/simple/", "https://b.example.com/simple/"],
            "trusted_hosts": ["a.example.com", "b.example.com:8443"],
            "cert": "/etc/ssl/certs/ca-certificates.crt",
            "find_links": ["/srv/app/releases/r1/.wsgi-stack-wheels"],
            "cache": False,
        }
    )
    assert env == {
        **ALWAYS,
        "PIP_NO_CACHE_DIR": "1",
        "PIP_INDEX_URL": "https://pypi.example.com/simple/",
        "PIP_EXTRA_INDEX_URL": "https://a.example.com/simple/ https://b.example.com/simple/",
        "PIP_TRUSTED_HOST": "a.example.com b.example.com:8443",
        "PIP_CERT": "/etc/ssl/certs/ca-certificates.crt",
        "PIP_FIND_LINKS": "/srv/app/releases/r1/.wsgi-stack-wheels",
    }


def test_cache_is_kept_unless_turned_off() -> None:
    assert "PIP_NO_CACHE_DIR" not in pip_environment({"cache": True})
    assert pip_environment({"cache": False})["PIP_NO_CACHE_DIR"] == "1"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"index": "https://x/"}, "unknown settings index"),
        ({"trusted_hosts": "a.example.com"}, "trusted_hosts must be a list"),
        ({"extra_index_urls": ["https://a/ https://b/"]}, "elements must be non-empty words"),
        ({"trusted_hosts": [""]}, "elements must be non-empty words"),
        ({"find_links": "/var/cache/wheels"}, "find_links must be a list"),
        ({"cert": " /etc/ssl/ca.pem"}, "white space around it"),
        ({"cache": "no"}, "cache must be true or false"),
    ],
)
def test_bad_settings_are_refused(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(AnsibleFilterError, match=message):
        pip_environment(settings)


def test_filter_module_exports_pip_environment() -> None:
    assert FilterModule().filters() == {"pip_environment": pip_environment}


# What the roles hand to pip, with their defaults and with every setting used.
def role_pip_environment(role: str, variable: str, **overrides: Any) -> dict[str, str]:
    variables = role_vars(role)
    variables.update(overrides)
    return dict(Templar(loader=DataLoader(), variables=variables).template(variables[variable]))


def test_virtualenv_app_installs_without_a_cache() -> None:
    env = role_pip_environment("virtualenv_app", "__virtualenv_app_pip_environment")
    assert env == {**ALWAYS, "PIP_NO_CACHE_DIR": "1", "PIP_CERT": "/etc/ssl/certs/ca-certificates.crt"}


def test_virtualenv_app_passes_every_setting() -> None:
    env = role_pip_environment(
        "virtualenv_app",
        "__virtualenv_app_pip_environment",
        virtualenv_app_pip_index_url="https://mirror/simple/",
        virtualenv_app_pip_extra_index_urls=["https://extra/simple/"],
        virtualenv_app_pip_trusted_hosts=["mirror"],
        virtualenv_app_pip_cert="",
    )
    assert env == {
        **ALWAYS,
        "PIP_NO_CACHE_DIR": "1",
        "PIP_INDEX_URL": "https://mirror/simple/",
        "PIP_EXTRA_INDEX_URL": "https://extra/simple/",
        "PIP_TRUSTED_HOST": "mirror",
    }


def test_uwsgi_emperor_builds_with_the_same_settings_and_a_cache() -> None:
    assert role_pip_environment("uwsgi_emperor", "__uwsgi_emperor_pip_env") == {
        **ALWAYS,
        "PIP_CERT": "/etc/ssl/certs/ca-certificates.crt",
    }
    env = role_pip_environment(
        "uwsgi_emperor",
        "__uwsgi_emperor_pip_env",
        uwsgi_emperor_pip_index_url="https://mirror/simple/",
        uwsgi_emperor_pip_extra_index_urls=["https://extra/simple/", "https://more/simple/"],
        uwsgi_emperor_pip_trusted_hosts=["mirror", "extra"],
    )
    assert env == {
        **ALWAYS,
        "PIP_INDEX_URL": "https://mirror/simple/",
        "PIP_EXTRA_INDEX_URL": "https://extra/simple/ https://more/simple/",
        "PIP_TRUSTED_HOST": "mirror extra",
        "PIP_CERT": "/etc/ssl/certs/ca-certificates.crt",
    }
