"""playbooks/site.yml and rollback.yml: facts decided once in the play and handed to every role."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ..conftest import REPO, ansible_playbook

# Every role variable that names the web server's account (or its group).
WEB_ACCOUNT_VARS = {
    "wsgi.stack.virtualenv_app": "virtualenv_app_web_user",
    "wsgi.stack.uwsgi_emperor": "uwsgi_emperor_socket_group",
    "wsgi.stack.gunicorn": "gunicorn_socket_group",
    "wsgi.stack.nginx": "nginx_user",
}


PLAYBOOKS = REPO / "playbooks"


def load_plays(name: str = "site.yml") -> list[dict[str, Any]]:
    return [dict(play) for play in DataLoader().load_from_file(str(PLAYBOOKS / name), trusted_as_template=True)]


def task_list(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tasks, those of blocks and of included task files included."""
    found = []
    for task in tasks:
        found.append(task)
        for part in ("block", "rescue", "always"):
            found += task_list(task.get(part, []))
        if "ansible.builtin.include_tasks" in task:
            found += task_list(
                DataLoader().load_from_file(
                    str(PLAYBOOKS / task["ansible.builtin.include_tasks"]), trusted_as_template=True
                )
            )
    return found


def role_calls(play: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(role name, vars) of every role the play applies at its main entry point."""
    calls = [(entry["role"], dict(entry.get("vars", {}))) for entry in play.get("roles", [])]
    for task in task_list(play.get("pre_tasks", []) + play.get("tasks", [])):
        include = task.get("ansible.builtin.include_role")
        # The other entry points (prune, restore, rollback) read no account.
        if include and "tasks_from" not in include:
            calls.append((include["name"], dict(task.get("vars", {}))))
    return calls


def resolve(play: dict[str, Any], role_vars: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    variables = {**dict(play.get("vars", {})), **extra}
    templar = Templar(loader=DataLoader(), variables=variables)
    return {name: templar.template(value) for name, value in role_vars.items()}


@pytest.mark.parametrize(
    ("playbook", "roles"),
    [("site.yml", set(WEB_ACCOUNT_VARS)), ("rollback.yml", {"wsgi.stack.uwsgi_emperor", "wsgi.stack.gunicorn"})],
)
@pytest.mark.parametrize(("extra", "account"), [({}, "www-data"), ({"wsgi_stack_web_user": "nginx"}, "nginx")])
def test_every_role_gets_the_one_web_account(
    playbook: str, roles: set[str], extra: dict[str, Any], account: str
) -> None:
    calls = [(play, role, role_vars) for play in load_plays(playbook) for role, role_vars in role_calls(play)]
    assert {role for _, role, _ in calls} == roles
    for play, role, role_vars in calls:
        variable = WEB_ACCOUNT_VARS[role]
        assert variable in role_vars, f"{role} is not given {variable}"
        assert resolve(play, {variable: role_vars[variable]}, extra) == {variable: account}


def test_the_load_balancers_come_first_and_the_app_servers_roll() -> None:
    lb, apps = load_plays("site.yml")
    assert "loadbalancers" in lb["hosts"]
    assert [role for role, _ in role_calls(lb)] == ["wsgi.stack.nginx"]
    backends = role_calls(lb)[0][1]["nginx_backends"]
    assert "wsgi.stack.backends(hostvars" in backends
    assert "var='wsgi_stack_hosts'" in backends
    # One batch unless asked; in batches, the first failed host stops the run.
    templar = Templar(loader=DataLoader(), variables={})
    assert templar.template(apps["serial"]) == "100%"
    assert templar.template(apps["max_fail_percentage"]) == 100
    templar = Templar(loader=DataLoader(), variables={"wsgi_stack_serial": 1})
    assert (templar.template(apps["serial"]), templar.template(apps["max_fail_percentage"])) == (1, 0)
    nginx = dict(role_calls(apps))["wsgi.stack.nginx"]
    assert {"nginx_listen_address", "nginx_real_ip_from"} <= set(nginx)


HOSTVARS = {
    "lb1": {"wsgi_stack_private_address": "10.0.0.10"},
    "lb2": {"ansible_host": "fd00::a"},
    "web3": {"wsgi_stack_private_address": "10.0.0.13", "wsgi_stack_backend_backup": True},
    "web6": {"wsgi_stack_private_address": "fd00::6"},
}


@pytest.mark.parametrize(
    ("host", "extra", "listen", "real_ip"),
    [
        ("web3", {}, "10.0.0.13", ["10.0.0.10", "fd00::a"]),  # a backup server listens like any other
        ("web6", {}, "fd00::6", ["10.0.0.10", "fd00::a"]),  # IPv6, bare for nginx's checks
        ("web6", {"wsgi_stack_hosts": "staging"}, "", []),  # another group: no load balancer unless named
        ("web6", {"wsgi_stack_hosts": "staging", "wsgi_stack_lb_hosts": "loadbalancers"}, "fd00::6", None),
    ],
)
def test_what_an_app_server_behind_load_balancers_is_told(
    host: str, extra: dict[str, Any], listen: str, real_ip: list[str] | None
) -> None:
    _, apps = load_plays("site.yml")
    nginx = dict(role_calls(apps))["wsgi.stack.nginx"]
    variables = {
        **dict(apps["vars"]),
        **extra,
        "inventory_hostname": host,
        "hostvars": HOSTVARS,
        "groups": {"loadbalancers": ["lb1", "lb2"], "webservers": ["web3", "web6"]},
    }
    templar = Templar(loader=DataLoader(), variables=variables)
    assert templar.template(nginx["nginx_listen_address"]) == listen
    assert templar.template(nginx["nginx_tls_offloaded"]) is (listen != "")
    if real_ip is not None:
        assert templar.template(nginx["nginx_real_ip_from"]) == real_ip


@pytest.mark.parametrize(
    ("webservers", "apps", "message"),
    [
        ({}, [{"name": "hello", "module": "hello:app", "packages": ["flask"]}], "wsgi_stack_hosts: no app server"),
        ({"web1": {"ansible_connection": "local"}}, None, "wsgi_apps is not defined for localhost"),
    ],
)
def test_a_load_balancer_without_servers_or_apps_stops_site_yml_before_any_change(
    tmp_path: Any, webservers: dict[str, Any], apps: list[dict[str, Any]] | None, message: str
) -> None:
    """No app server behind a load balancer, or no app definitions on it: the first play fails, saying which."""
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(
        json.dumps(
            {
                "loadbalancers": {"hosts": {"localhost": {"ansible_connection": "local"}}},
                "webservers": {"hosts": webservers},
                "all": {"vars": {"wsgi_apps": apps} if apps is not None else {}},
            }
        )
    )
    rc, output = ansible_playbook(tmp_path, "-i", str(inventory), str(PLAYBOOKS / "site.yml"))
    assert rc != 0, output
    assert message in output, output
    assert "changed=0" in output, output


def test_the_example_inventory_is_a_valid_cluster() -> None:
    """inventory/example: its apps pass the normaliser, its groups give the load balancer its backends."""
    from ansible_collections.wsgi.stack.plugins.filter.backends import backends
    from ansible_collections.wsgi.stack.plugins.filter.wsgi_apps import wsgi_apps

    example = REPO / "inventory" / "example"
    loader = DataLoader()
    apps = loader.load_from_file(str(example / "group_vars" / "all.yml"))["wsgi_apps"]
    hosts = loader.load_from_file(str(example / "hosts.yml"))
    assert [app["name"] for app in wsgi_apps(apps, var="wsgi_apps")] == ["shop"]
    servers = hosts["webservers"]["hosts"]
    assert backends(list(servers), servers, apps=apps, var="wsgi_stack_hosts") == [
        {"name": "web1.example.com", "address": "10.0.0.11", "backup": False},
        {"name": "web2.example.com", "address": "10.0.0.12", "backup": False},
        {"name": "web3.example.com", "address": "10.0.0.13", "backup": True},
    ]
