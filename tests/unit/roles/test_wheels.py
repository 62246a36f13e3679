"""Entry point `wheels` of virtualenv_app: built once per platform, shared through the controller.

Runs the real tasks with ansible-playbook against this machine, as three
inventory hosts: web1 and web2 on this machine's platform, web3 told it runs
another release of it. `pip` is a stand-in that logs who ran it and writes one
wheel, so the test sees which hosts built and which unpacked.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from ..conftest import ansible_playbook

FAKE_PIP = """#!/usr/bin/env python3
import os, sys
args = sys.argv[1:]
assert args[:3] == ["wheel", "--use-pep517", "--wheel-dir"], args
out = args[3]
os.makedirs(out, exist_ok=True)
with open(os.environ["FAKE_PIP_LOG"], "a") as log:
    log.write(os.environ["FAKE_PIP_HOST"] + " " + " ".join(args[4:]) + "\\n")
with open(os.path.join(out, "thing-1.0-py3-none-any.whl"), "w") as wheel:
    wheel.write("built by " + os.environ["FAKE_PIP_HOST"])
"""

# A module in the playbook's library/ that tells web3 it runs another platform.
OTHER_PLATFORM = """#!/usr/bin/python
import json
facts = {"distribution": "Debian", "distribution_release": "future", "architecture": "riscv64"}
print(json.dumps({"changed": False, "ansible_facts": facts}))
"""

PLAYBOOK = """
- name: Build the wheels of one set on every host
  hosts: all
  gather_facts: false
  tasks:
    - name: Make web3 another platform
      other_platform:
      when: inventory_hostname == 'web3'

    - name: Build or unpack them
      ansible.builtin.include_role:
        name: wsgi.stack.virtualenv_app
        tasks_from: wheels
      vars:
        virtualenv_app_wheelhouse: "{{ wheelhouse }}"
        virtualenv_app_wheels_name: thing-r1
        virtualenv_app_wheels_pip: "{{ pip }}"
        virtualenv_app_wheels_args: [thing==1.0]
        virtualenv_app_wheels_dir: "{{ hosts_dir }}/{{ inventory_hostname }}/wheels"
        virtualenv_app_wheels_user: root
        virtualenv_app_wheels_environment:
          FAKE_PIP_LOG: "{{ log }}"
          FAKE_PIP_HOST: "{{ inventory_hostname }}"
"""


def _write_play(tmp_path: Path) -> None:
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    (tmp_path / "library").mkdir()
    (tmp_path / "library" / "other_platform.py").write_text(OTHER_PLATFORM)


def _run(tmp_path: Path, *args: str) -> tuple[list[str], str]:
    rc, out = ansible_playbook(tmp_path, "-i", str(tmp_path / "hosts.yml"), str(tmp_path / "play.yml"), *args)
    assert rc == 0, out
    log = tmp_path / "pip.log"
    runs = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return runs, out


def test_the_first_host_of_a_platform_builds_and_the_others_unpack(tmp_path: Path) -> None:
    pip = tmp_path / "pip"
    pip.write_text(FAKE_PIP)
    pip.chmod(0o755)
    _write_play(tmp_path)
    for host in ("web1", "web2", "web3"):
        (tmp_path / "hosts" / host).mkdir(parents=True)
    common = {
        "ansible_connection": "local",
        "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "ansible_become_method": "su",
        "wheelhouse": str(tmp_path / "wheelhouse"),
        "pip": str(pip),
        "log": str(tmp_path / "pip.log"),
        "hosts_dir": str(tmp_path / "hosts"),
    }
    inventory = {"all": {"vars": common, "hosts": {"web1": {}, "web2": {}, "web3": {}}}}
    (tmp_path / "hosts.yml").write_text(json.dumps(inventory))

    runs, out = _run(tmp_path)
    # One build per platform: web1 for this machine's, web3 for its own.
    assert sorted(runs) == ["web1 thing==1.0", "web3 thing==1.0"], out
    archives = sorted(p.relative_to(tmp_path / "wheelhouse").as_posix() for p in (tmp_path / "wheelhouse").rglob("*"))
    assert "debian-future-riscv64/thing-r1.tar.gz" in archives, archives
    here = [a for a in archives if a.endswith("/thing-r1.tar.gz") and not a.startswith("debian-future-")]
    assert len(here) == 1, archives
    with tarfile.open(tmp_path / "wheelhouse" / here[0]) as tar:
        assert tar.getnames() == ["thing-1.0-py3-none-any.whl"]
    # web2 got web1's wheel, unpacked from the controller; no packed copy is left.
    wheel = tmp_path / "hosts" / "web2" / "wheels" / "thing-1.0-py3-none-any.whl"
    assert wheel.read_text() == "built by web1"
    assert not (tmp_path / "hosts" / "web1" / "wheels.tar.gz").exists()

    # A second run (a later batch, a host added): nothing is built again.
    for host in ("web1", "web2", "web3"):
        wheel = tmp_path / "hosts" / host / "wheels" / "thing-1.0-py3-none-any.whl"
        wheel.unlink()
    runs, out = _run(tmp_path)
    assert runs == [], out
    assert (tmp_path / "hosts" / "web1" / "wheels" / "thing-1.0-py3-none-any.whl").read_text() == "built by web1"
    assert (tmp_path / "hosts" / "web3" / "wheels" / "thing-1.0-py3-none-any.whl").read_text() == "built by web3"

    # --check unpacks nothing and fails on nothing.
    for host in ("web1", "web2"):
        (tmp_path / "hosts" / host / "wheels" / "thing-1.0-py3-none-any.whl").unlink()
    runs, out = _run(tmp_path, "--check")
    assert runs == [], out
    assert not (tmp_path / "hosts" / "web2" / "wheels" / "thing-1.0-py3-none-any.whl").exists()

    # A damaged archive is not the deploy's failure: the hosts say so and go on.
    (tmp_path / "wheelhouse" / here[0]).write_text("not a tar file")
    runs, out = _run(tmp_path)
    assert runs == [], out
    assert out.count("could not be shared") == 2, out
    assert "rescued=1" in out, out


def test_no_wheelhouse_builds_nothing(tmp_path: Path) -> None:
    _write_play(tmp_path)
    inventory = {
        "all": {
            "vars": {
                "ansible_connection": "local",
                "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                "wheelhouse": "",
                "pip": "/nonexistent/pip",
                "log": str(tmp_path / "pip.log"),
                "hosts_dir": str(tmp_path / "hosts"),
            },
            "hosts": {"web1": {}},
        }
    }
    (tmp_path / "hosts.yml").write_text(json.dumps(inventory))
    runs, out = _run(tmp_path)
    assert runs == [], out
    assert not (tmp_path / "hosts").exists()
