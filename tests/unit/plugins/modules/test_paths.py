"""Several paths looked at in one call: what is there, links resolved, hashes asked for."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from ansible_collections.wsgi.stack.plugins.modules.paths import look


def test_each_kind_of_path_is_told_apart(tmp_path: Path) -> None:
    (tmp_path / "releases" / "r1").mkdir(parents=True)
    (tmp_path / "current").symlink_to("releases/r1")
    (tmp_path / "app.env").write_text("A=1\n")
    (tmp_path / "app.env").chmod(0o600)
    paths = [str(tmp_path / name) for name in ("current", "releases", "app.env", "missing")]
    seen = look(paths)
    current, releases, env, missing = (seen[p] for p in paths)
    assert current == {
        "exists": True,
        "type": "link",
        "islnk": True,
        "mode": current["mode"],
        "lnk_source": str(tmp_path / "releases" / "r1"),
        "lnk_target": "releases/r1",
    }
    assert releases["type"] == "directory" and not releases["islnk"]
    assert env["type"] == "file" and env["mode"] == "0600" and "checksum" not in env
    assert missing == {"exists": False, "type": "", "islnk": False}


def test_checksums_only_of_the_files_asked_for(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("A=1\n")
    (tmp_path / "b").write_text("B=2\n")
    (tmp_path / "link").symlink_to("a")
    paths = [str(tmp_path / name) for name in ("a", "b", "link")]
    seen = look(paths, checksum=[paths[0], paths[2]], algorithm="sha1")
    digest = hashlib.sha1(b"A=1\n").hexdigest()
    assert seen[paths[0]]["checksum"] == digest
    assert "checksum" not in seen[paths[1]]
    # A link to a file is followed for its content.
    assert seen[paths[2]]["checksum"] == digest


def test_a_dangling_link_exists_and_has_no_checksum(tmp_path: Path) -> None:
    (tmp_path / "current").symlink_to("releases/gone")
    path = str(tmp_path / "current")
    seen = look([path], checksum=[path])
    assert seen[path]["exists"] and seen[path]["islnk"] and "checksum" not in seen[path]


def test_the_text_of_the_files_asked_for_a_kernel_setting_included(tmp_path: Path) -> None:
    (tmp_path / "setting").write_text("4096\n")
    (tmp_path / "big").write_bytes(b"x" * 70000)
    (tmp_path / "dir").mkdir()
    paths = [str(tmp_path / name) for name in ("setting", "big", "dir")] + ["/proc/sys/kernel/ostype"]
    seen = look(paths, read=paths)
    assert seen[paths[0]]["content"] == "4096\n"
    assert len(seen[paths[1]]["content"]) == 65536
    assert "content" not in seen[paths[2]]
    # /proc files say they are empty; they are read all the same.
    assert seen["/proc/sys/kernel/ostype"]["content"] == "Linux\n"
    assert "content" not in look(paths)[paths[0]]
    with pytest.raises(ValueError, match="read names paths that are not in paths"):
        look(paths[:1], read=paths[1:2])


@pytest.mark.parametrize(
    ("paths", "checksum", "message"),
    [(["relative"], [], "must be absolute"), (["/etc/hostname"], ["/etc/hosts"], "not in paths: /etc/hosts")],
)
def test_bad_input_is_refused(paths: list[str], checksum: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        look(paths, checksum)


def test_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("x")
    before = os.stat(tmp_path / "a")
    look([str(tmp_path / "a")], [str(tmp_path / "a")])
    after = os.stat(tmp_path / "a")
    assert (before.st_mtime_ns, before.st_mode) == (after.st_mtime_ns, after.st_mode)
