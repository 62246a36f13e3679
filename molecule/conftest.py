"""Fixtures shared by the testinfra verifiers of the stack scenarios.

Molecule's ``testinfra`` verifier runs pytest from ``molecule/<scenario>/`` on
that scenario's ``tests/test_*.py``, with ``--connection=ansible`` and the
scenario's inventory. pytest's rootdir is the checkout (``pyproject.toml``), so
this file, between the two, is loaded for every scenario.

testinfra's ``host`` fixture runs each test module once per test host. For the
docker hosts Molecule makes (``ansible_connection: community.docker.docker``)
testinfra runs commands with ``docker exec`` directly; Ansible is only asked for
the inventory, once per run.

Fixtures for every scenario; ``address`` and ``http`` reach the test host from
this machine over the Docker network, as a client elsewhere would:

``address``
    ``address.host`` is the test host's IP address, ``address.gateway`` the
    address this machine has on that network (what nginx sees as the client).
``http``
    HTTP requests to the test host: ``http.get("/", host="shop.test")``,
    ``http.request("POST", "/login", body=..., headers=...)``, any ``port=``.
    Redirects are not followed; a connection nginx closes without an answer
    (``return 444``) raises ``http.client.RemoteDisconnected``.
``process_owners``
    ``process_owners(r"^shop uWSGI ")``: the accounts running the processes
    whose command line (process title) matches the pattern.
``file_stat``
    ``file_stat("/srv/shop/shared/app.env")``: kind, owner, group and mode of a
    path (not following a link) in one command, where ``host.file`` runs one
    per attribute; it compares equal to a plain tuple,
    ``("file", "shop", "shop", "0600")``, and fails showing the mode in octal.
``gixy``
    ``gixy(allow={"hsts_header": {"_"}})``: what gixy reports on the test
    host's whole nginx configuration (``nginx -T``), one line per finding,
    less those excused (see ``molecule/shared/gixy_check.py``).
"""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.client import HTTPConnection, HTTPMessage
from typing import Any, NamedTuple

import docker
import pytest
from shared.gixy_check import unexcused


@dataclass(frozen=True)
class DockerAddress:
    """Where a test host is on its Docker network."""

    host: str
    """The test host's IP address."""
    gateway: str
    """This machine's address on the same network: the client address nginx sees."""


class Stat(NamedTuple):
    """What ``ls -l`` tells of a path."""

    kind: str
    """file, directory, link, socket, fifo, char or block."""
    user: str
    group: str
    mode: str
    """The permission bits in octal: "0640"."""


KINDS = {
    stat.S_IFREG: "file",
    stat.S_IFDIR: "directory",
    stat.S_IFLNK: "link",
    stat.S_IFSOCK: "socket",
    stat.S_IFIFO: "fifo",
    stat.S_IFCHR: "char",
    stat.S_IFBLK: "block",
}


@dataclass(frozen=True)
class Response:
    """One HTTP answer, read in full."""

    status: int
    headers: HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        """The body as text (UTF-8)."""
        return self.body.decode("utf-8")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


class Http:
    """HTTP/1.1 requests from this machine to one address, one connection each."""

    def __init__(self, address: str, port: int = 80, timeout: float = 10.0) -> None:
        self.address = address
        self.port = port
        self.timeout = timeout

    def request(
        self,
        method: str,
        path: str,
        *,
        host: str | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        port: int | None = None,
    ) -> Response:
        """Send one request; ``host`` is the Host header (the address when None)."""
        sent = dict(headers or {})
        if host is not None:
            sent["Host"] = host
        connection = HTTPConnection(self.address, port or self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            return Response(status=answer.status, headers=answer.headers, body=answer.read())
        finally:
            connection.close()

    def get(
        self,
        path: str,
        *,
        host: str | None = None,
        headers: Mapping[str, str] | None = None,
        port: int | None = None,
    ) -> Response:
        """GET ``path``; see ``request``."""
        return self.request("GET", path, host=host, headers=headers, port=port)


def docker_address(container: str) -> DockerAddress:
    """The address of a running container on its (first) network, and that network's gateway."""
    attributes = docker.from_env().containers.get(container).attrs
    networks: dict[str, dict[str, Any]] = attributes["NetworkSettings"]["Networks"]
    for name in sorted(networks):
        settings = networks[name]
        if settings.get("IPAddress") and settings.get("Gateway"):
            return DockerAddress(host=settings["IPAddress"], gateway=settings["Gateway"])
    raise LookupError(f"container {container} has no address on a Docker network with a gateway")


@pytest.fixture(scope="module")
def address(host: Any) -> DockerAddress:
    """The test host's address on the Docker network (its inventory name is its container's name)."""
    return docker_address(host.backend.get_hostname())


@pytest.fixture(scope="module")
def http(address: DockerAddress) -> Http:
    """HTTP to the test host's port 80 from this machine."""
    return Http(address.host)


@pytest.fixture(scope="module")
def process_owners(host: Any) -> Callable[[str], set[str]]:
    """A function: the users running the test host's processes whose command line matches a pattern."""

    def owners(pattern: str) -> set[str]:
        matcher = re.compile(pattern)
        users = set()
        for line in host.check_output("ps -eww -o user:32=,args=").splitlines():
            user, _, args = line.strip().partition(" ")
            if matcher.search(args.strip()):
                users.add(user)
        return users

    return owners


@pytest.fixture(scope="module")
def file_stat(host: Any) -> Callable[[str], Stat]:
    """A function: kind, owner, group and mode of a path on the test host."""

    def read(path: str) -> Stat:
        raw_mode, user, group = host.check_output("stat -c %s %s", "%f %U %G", path).split()
        mode = int(raw_mode, 16)
        return Stat(kind=KINDS[stat.S_IFMT(mode)], user=user, group=group, mode=f"{stat.S_IMODE(mode):04o}")

    return read


@pytest.fixture(scope="module")
def gixy(host: Any) -> Callable[..., list[str]]:
    """A function: gixy's findings on the test host's nginx configuration, less the excused ones."""

    def check(allow: Mapping[str, set[str]] | None = None) -> list[str]:
        return unexcused(host.check_output("nginx -T 2>/dev/null"), allow)

    return check
