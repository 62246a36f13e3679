"""The service role's three renderings, parsed the way their readers parse them."""

from __future__ import annotations

from typing import Any

import pytest

from ..conftest import Render, parse_ini, role_vars

SYSTEMD = "etc/systemd/system/service.service.j2"
UPSTART = "etc/init/service.conf.j2"
SUPERVISORD = "etc/supervisor/conf.d/program.conf.j2"
SOCKET = "etc/systemd/system/service.socket.j2"

BASE: dict[str, Any] = {
    "service_name": "demo",
    "service_command": "/usr/bin/python3 -m http.server 8000 --bind 127.0.0.1",
    "service_user": "demo",
    "service_working_directory": "/srv/demo",
    "service_environment": {"GREETING": 'hello "you"', "RATE": "50%"},
}


def stanzas(text: str) -> dict[str, list[str]]:
    """Upstart job: stanza keyword -> the rest of each line carrying it."""
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.setdefault(keyword, []).append(rest)
    return out


class TestSystemd:
    def test_unit_runs_the_command_as_the_user_and_restarts(self, render: Render) -> None:
        unit = parse_ini(render("service", SYSTEMD, **BASE))
        service = unit["Service"]
        assert service["ExecStart"] == BASE["service_command"]
        assert (service["User"], service["Group"]) == ("demo", "demo")
        assert service["WorkingDirectory"] == "/srv/demo"
        assert service["Restart"] == "always"
        assert service["Environment"] == '"GREETING=hello \\"you\\"" "RATE=50%%"'
        assert unit["Install"]["WantedBy"] == "multi-user.target"
        assert unit["Unit"]["StartLimitIntervalSec"] == "0"

    def test_percent_in_command_is_escaped(self, render: Render) -> None:
        unit = parse_ini(render("service", SYSTEMD, **dict(BASE, service_command="/bin/date +%s")))
        assert unit["Service"]["ExecStart"] == "/bin/date +%%s"

    def test_back_off_only_where_systemd_knows_it_and_off_by_default(self, render: Render) -> None:
        steps = dict(BASE, service_restart_steps=5)
        old = parse_ini(render("service", SYSTEMD, facts={"systemd": {"version": 252}}, **steps))["Service"]
        new = parse_ini(render("service", SYSTEMD, facts={"systemd": {"version": 257}}, **steps))["Service"]
        assert "RestartSteps" not in old
        assert (new["RestartSteps"], new["RestartMaxDelaySec"]) == ("5", "30")
        default = parse_ini(render("service", SYSTEMD, facts={"systemd": {"version": 257}}, **BASE))["Service"]
        assert "RestartSteps" not in default and default["RestartSec"] == "1"

    def test_hardening_on_by_default_and_capabilities_dropped_for_non_root(self, render: Render) -> None:
        service = parse_ini(render("service", SYSTEMD, **BASE))["Service"]
        assert service["NoNewPrivileges"] == "yes"
        assert service["ProtectSystem"] == "full"
        assert service["ProtectHome"] == "yes"
        assert service["CapabilityBoundingSet"] == ""

    def test_root_service_keeps_capabilities(self, render: Render) -> None:
        service = parse_ini(render("service", SYSTEMD, **dict(BASE, service_user="root")))["Service"]
        assert "CapabilityBoundingSet" not in service
        assert service["NoNewPrivileges"] == "yes"

    def test_protect_home_dropped_for_services_under_home(self, render: Render) -> None:
        service = parse_ini(render("service", SYSTEMD, **dict(BASE, service_working_directory="/home/demo/app")))
        assert "ProtectHome" not in service["Service"]
        assert service["Service"]["ProtectSystem"] == "full"

    def test_hardening_can_be_turned_off_or_trimmed(self, render: Render) -> None:
        off = parse_ini(render("service", SYSTEMD, **dict(BASE, service_hardening=False)))["Service"]
        assert not {"NoNewPrivileges", "ProtectSystem", "CapabilityBoundingSet"} & set(off)
        trimmed = parse_ini(
            render(
                "service",
                SYSTEMD,
                **dict(BASE, service_hardening_options={"PrivateTmp": None, "ProtectSystem": "strict"}),
            )
        )["Service"]
        assert "PrivateTmp" not in trimmed
        assert trimmed["ProtectSystem"] == "strict"

    def test_overrides_change_a_few_options_and_keep_the_rest(self, render: Render) -> None:
        overrides = {"NoNewPrivileges": None, "ProtectSystem": "strict", "ReadWritePaths": "/srv"}
        service = parse_ini(render("service", SYSTEMD, **dict(BASE, service_hardening_overrides=overrides)))["Service"]
        assert "NoNewPrivileges" not in service
        assert (service["ProtectSystem"], service["ReadWritePaths"]) == ("strict", "/srv")
        assert (service["PrivateTmp"], service["SystemCallFilter"]) == ("yes", "@system-service")

    def test_the_emperor_keeps_setuid_and_drops_no_new_privileges(self, render: Render) -> None:
        emperor = role_vars("uwsgi_emperor")["uwsgi_emperor_hardening_overrides"]
        service = parse_ini(
            render("service", SYSTEMD, **dict(BASE, service_user="root", service_hardening_overrides=emperor))
        )["Service"]
        assert "NoNewPrivileges" not in service
        assert {"CAP_SETUID", "CAP_SETGID", "CAP_CHOWN"} <= set(service["CapabilityBoundingSet"].split())
        assert (service["ProtectSystem"], service["PrivateTmp"]) == ("full", "yes")

    def test_notify_reload_and_extra_options(self, render: Render) -> None:
        service = parse_ini(
            render(
                "service",
                SYSTEMD,
                **dict(
                    BASE,
                    service_type="notify",
                    service_notify_access="all",
                    service_kill_signal="SIGQUIT",
                    service_reload_command="/bin/kill -HUP $MAINPID",
                    service_unit_options={"RuntimeDirectory": "uwsgi"},
                ),
            )
        )["Service"]
        assert (service["Type"], service["NotifyAccess"], service["KillSignal"]) == ("notify", "all", "SIGQUIT")
        assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
        assert service["RuntimeDirectory"] == "uwsgi"


class TestSocketActivation:
    def test_the_socket_unit_holds_the_addresses_for_the_service(self, render: Render) -> None:
        sockets = dict(
            BASE,
            service_sockets=["/run/gunicorn/demo.sock", "127.0.0.1:8001"],
            service_socket_user="demo",
            service_socket_group="www-data",
        )
        text = render("service", SOCKET, **sockets)
        socket = parse_ini(text)["Socket"]
        assert [line for line in text.splitlines() if line.startswith("ListenStream=")] == [
            "ListenStream=/run/gunicorn/demo.sock",
            "ListenStream=127.0.0.1:8001",
        ]
        assert (socket["SocketUser"], socket["SocketGroup"], socket["SocketMode"]) == ("demo", "www-data", "0660")
        assert socket["Service"] == "demo.service"
        assert "Backlog" not in socket
        assert (
            parse_ini(render("service", SOCKET, **dict(sockets, service_socket_backlog=1024)))["Socket"]["Backlog"]
            == "1024"
        )
        unit = parse_ini(render("service", SYSTEMD, **sockets))["Unit"]
        assert unit["Requires"] == "demo.socket"
        assert unit["After"] == "network-online.target demo.socket"

    def test_a_service_without_sockets_requires_none(self, render: Render) -> None:
        unit = parse_ini(render("service", SYSTEMD, **BASE))["Unit"]
        assert "Requires" not in unit
        assert unit["After"] == "network-online.target"


class TestUpstart:
    def test_job_respawns_and_follows_runlevels(self, render: Render) -> None:
        job = stanzas(render("service", UPSTART, **BASE))
        assert job["start"] == ["on runlevel [2345]"]
        assert job["stop"] == ["on runlevel [016]"]
        assert job["respawn"] == ["", "limit unlimited"]
        assert job["setuid"] == ["demo"] and job["setgid"] == ["demo"]
        assert job["chdir"] == ["/srv/demo"]
        assert job["exec"] == [BASE["service_command"]]
        assert sorted(job["env"]) == ['GREETING="hello \\"you\\""', 'RATE="50%"']
        assert job["kill"] == ["signal TERM", "timeout 30"]

    def test_no_respawn_when_restart_is_no(self, render: Render) -> None:
        job = stanzas(render("service", UPSTART, **dict(BASE, service_restart="no")))
        assert "respawn" not in job

    def test_crash_loop_limit(self, render: Render) -> None:
        job = stanzas(render("service", UPSTART, **dict(BASE, service_start_limit_interval_sec=60)))
        assert job["respawn"] == ["", "limit 5 60"]


class TestSupervisord:
    def test_program_autostarts_and_autorestarts(self, render: Render) -> None:
        program = parse_ini(render("service", SUPERVISORD, **dict(BASE, service_environment={"RATE": "50%"})))[
            "program:demo"
        ]
        assert program["command"] == BASE["service_command"]
        assert (program["autostart"], program["autorestart"]) == ("true", "true")
        assert program["user"] == "demo"
        assert program["directory"] == "/srv/demo"
        assert program["environment"] == 'RATE="50%%"'
        assert program["stopsignal"] == "TERM"

    @pytest.mark.parametrize(
        ("restart", "expected"), [("on-failure", "unexpected"), ("no", "false"), ("always", "true")]
    )
    def test_restart_policy_maps(self, render: Render, restart: str, expected: str) -> None:
        program = parse_ini(
            render("service", SUPERVISORD, **dict(BASE, service_restart=restart, service_environment={}))
        )
        assert program["program:demo"]["autorestart"] == expected

    def test_disabled_service_does_not_autostart(self, render: Render) -> None:
        program = parse_ini(render("service", SUPERVISORD, **dict(BASE, service_enabled=False, service_environment={})))
        assert program["program:demo"]["autostart"] == "false"

    def test_double_quotes_in_environment_are_refused(self, render: Render) -> None:
        with pytest.raises(Exception, match="double quote"):
            render("service", SUPERVISORD, **BASE)
