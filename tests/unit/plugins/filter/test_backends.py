"""The app servers behind a load balancer: built from the inventory, checked with the apps."""

from __future__ import annotations

from typing import Any

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.wsgi.stack.plugins.filter.backends import FilterModule, backends, private_address
from ansible_collections.wsgi.stack.plugins.module_utils.wsgi_app import BALANCE_DEFAULTS, normalize_apps

APP: dict[str, Any] = {"name": "hello", "module": "hello:app", "packages": ["flask"]}


def test_the_filter_is_exported() -> None:
    assert FilterModule().filters() == {"backends": backends, "private_address": private_address}


def test_one_hosts_private_address_whatever_its_role() -> None:
    hostvars = {
        "web3": {"wsgi_stack_private_address": "10.0.0.13", "wsgi_stack_backend_backup": True},
        "web6": {"wsgi_stack_private_address": "[fd00::6]"},
        "web7": {"ansible_host": "192.0.2.7"},
    }
    # A backup server is a host like any other here (no check of the group).
    assert [private_address(h, hostvars) for h in ("web3", "web6", "web7", "web8")] == [
        "10.0.0.13",
        "fd00::6",
        "192.0.2.7",
        "web8",
    ]


def test_each_host_at_its_private_address_else_its_ansible_host_else_its_name() -> None:
    hostvars = {
        "app1": {"wsgi_stack_private_address": "10.0.0.11", "ansible_host": "203.0.113.11"},
        "app2": {"ansible_host": "app2.internal", "wsgi_stack_backend_backup": True},
        "app3": {},
    }
    assert backends(["app1", "app2", "app3"], hostvars) == [
        {"name": "app1", "address": "10.0.0.11", "backup": False},
        {"name": "app2", "address": "app2.internal", "backup": True},
        {"name": "app3", "address": "app3", "backup": False},
    ]


def test_a_list_given_to_the_role_is_checked_and_completed() -> None:
    assert backends(
        [{"name": "app1"}, {"name": "app2", "address": "[fd00::2]"}, {"name": "3", "address": "fd00::3"}]
    ) == [
        {"name": "app1", "address": "app1", "backup": False},
        {"name": "app2", "address": "fd00::2", "backup": False},
        {"name": "3", "address": "fd00::3", "backup": False},
    ]


@pytest.mark.parametrize("hosts", [[], None])
def test_an_empty_group_is_refused_naming_the_variable(hosts: Any) -> None:
    with pytest.raises(AnsibleFilterError, match=r"^wsgi_stack_hosts: no app server to balance over"):
        backends(hosts, {}, var="wsgi_stack_hosts")


@pytest.mark.parametrize(
    ("hosts", "hostvars", "message"),
    [
        (["a"], {"a": {"wsgi_stack_private_address": "10.0.0.1; deny all"}}, r"^lb\[0\]\.address: .* \(a\)$"),
        (
            ["a", "b"],
            {"a": {"ansible_host": "x"}, "b": {"ansible_host": "x"}},
            r"^lb\[1\]\.address: 'x' is listed twice",
        ),
        (["a"], {"a": {"wsgi_stack_backend_backup": "yes"}}, r"^lb\[0\]\.backup: must be true or false"),
        (["a"], {"a": {"wsgi_stack_backend_backup": True}}, r"^lb: every backend is a backup"),
        ([{"name": "a", "weight": 2}], None, r"^lb\[0\]\.weight: unknown key"),
        ([{"address": "10.0.0.1"}], None, r"^lb\[0\]: must be a dict with a name"),
        ("a,b", None, r"^lb: must be a list of backends"),
    ],
)
def test_bad_backends_are_refused_naming_the_variable(hosts: Any, hostvars: Any, message: str) -> None:
    with pytest.raises(AnsibleFilterError, match=message):
        backends(hosts, hostvars, var="lb")


@pytest.mark.parametrize("method", ["ip_hash", "hash"])
def test_nginx_allows_no_backup_server_with_a_hash_method(method: str) -> None:
    app = dict(APP, balance={"method": method, "hash_key": "$request_uri"})
    hosts = [{"name": "a"}, {"name": "b", "backup": True}]
    with pytest.raises(AnsibleFilterError, match=rf"^wsgi_apps\[0\]\.balance\.method: .*\(b, in lb\) with {method}$"):
        backends(hosts, apps=[app], var="lb", apps_var="wsgi_apps")
    # Without the backup, or for an app that is retired, it is fine.
    assert len(backends(hosts[:1], apps=[app], var="lb")) == 1
    assert len(backends(hosts, apps=[dict(app, state="absent")], var="lb")) == 2


def test_balance_defaults_and_what_is_given() -> None:
    default, tuned = normalize_apps(
        [
            APP,
            dict(
                APP,
                name="other",
                server_names=["other.test"],
                balance={"method": "hash", "hash_key": "$cookie_session", "keepalive": 0},
            ),
        ],
        var="wsgi_apps",
    )
    assert default["balance"] == BALANCE_DEFAULTS
    assert default["balance"]["method"] == "least_conn"
    assert tuned["balance"] == dict(BALANCE_DEFAULTS, method="hash", hash_key="$cookie_session", keepalive=0)


@pytest.mark.parametrize(
    ("balance", "message"),
    [
        ({"method": "fair"}, r"balance\.method: must be one of least_conn, round_robin, ip_hash, hash .*'fair'"),
        ({"method": "hash"}, r"balance\.hash_key: is required with method hash"),
        ({"hash_key": '$a" x'}, r"balance\.hash_key: must be one line of nginx variables and text, without quotes"),
        ({"hash_key": "$a\n"}, r"balance\.hash_key: must be one line"),
        ({"fail_timeout": 0}, r"balance\.fail_timeout: must be an integer of at least 1, got 0"),
        ({"keepalive": True}, r"balance\.keepalive: must be an integer of at least 0"),
        ({"weight": 1}, r"balance\.weight: unknown key"),
        ("least_conn", r"balance: must be a dict"),
    ],
)
def test_bad_balance_is_refused_naming_the_key(balance: Any, message: str) -> None:
    from ansible_collections.wsgi.stack.plugins.module_utils.wsgi_app import AppDefinitionError

    with pytest.raises(AppDefinitionError, match=r"^wsgi_apps\[0\]\." + message):
        normalize_apps([dict(APP, balance=balance)], var="wsgi_apps")
