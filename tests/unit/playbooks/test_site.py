"""playbooks/site.yml and rollback.yml: facts decided once in the play and handed to every role."""

from __future__ import annotations

from typing import Any

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ..conftest import REPO

# Every role variable that names the web server's account (or its group).
WEB_ACCOUNT_VARS = {
    "wsgi.stack.virtualenv_app": "virtualenv_app_web_user",
    "wsgi.stack.uwsgi_emperor": "uwsgi_emperor_socket_group",
    "wsgi.stack.nginx": "nginx_user",
}


PLAYBOOKS = REPO / "playbooks"


def load_play(name: str = "site.yml") -> dict[str, Any]:
    plays = DataLoader().load_from_file(str(PLAYBOOKS / name), trusted_as_template=True)
    assert len(plays) == 1
    return dict(plays[0])


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
    variables = {**dict(play["vars"]), **extra}
    templar = Templar(loader=DataLoader(), variables=variables)
    return {name: templar.template(value) for name, value in role_vars.items()}


@pytest.mark.parametrize(
    ("playbook", "roles"),
    [("site.yml", set(WEB_ACCOUNT_VARS)), ("rollback.yml", {"wsgi.stack.uwsgi_emperor"})],
)
@pytest.mark.parametrize(("extra", "account"), [({}, "www-data"), ({"wsgi_stack_web_user": "nginx"}, "nginx")])
def test_every_role_gets_the_one_web_account(
    playbook: str, roles: set[str], extra: dict[str, Any], account: str
) -> None:
    play = load_play(playbook)
    calls = role_calls(play)
    assert {role for role, _ in calls} == roles
    for role, role_vars in calls:
        variable = WEB_ACCOUNT_VARS[role]
        assert variable in role_vars, f"{role} is not given {variable}"
        assert resolve(play, {variable: role_vars[variable]}, extra) == {variable: account}
