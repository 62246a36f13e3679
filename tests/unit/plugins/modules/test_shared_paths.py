"""Persistent paths: kept in shared/, linked into every release, never lost."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ansible_collections.wsgi.stack.plugins.modules.shared_paths import link_shared

UID = os.getuid()
GID = os.getgid()


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / "shared").mkdir()
    (tmp_path / "releases" / "r1").mkdir(parents=True)
    return tmp_path


def link(app: Path, release: str = "r1", check: bool = False, **paths: list[str]):  # type: ignore[no-untyped-def]
    return link_shared(
        str(app / "releases" / release),
        str(app / "shared"),
        paths.get("dirs", []),
        paths.get("files", []),
        UID,
        GID,
        check=check,
    )


def test_first_release_creates_the_shared_paths_and_links_them(app: Path) -> None:
    result = link(app, dirs=["instance", "media/uploads"], files=["config/local.py"])
    assert sorted(result.created) == ["config/local.py", "instance", "media/uploads"]
    assert (app / "shared" / "instance").is_dir()
    assert (app / "shared" / "config" / "local.py").read_text() == ""
    assert oct((app / "shared" / "instance").stat().st_mode & 0o777) == "0o750"
    assert oct((app / "shared" / "config" / "local.py").stat().st_mode & 0o777) == "0o640"
    instance = app / "releases" / "r1" / "instance"
    assert instance.is_symlink() and os.readlink(instance) == "../../shared/instance"
    assert os.readlink(app / "releases" / "r1" / "media" / "uploads") == "../../../shared/media/uploads"
    assert result.changed


def test_data_written_by_one_release_is_seen_by_the_next(app: Path) -> None:
    link(app, dirs=["instance"])
    (app / "releases" / "r1" / "instance" / "app.sqlite").write_text("posts")
    # The next release ships its own (empty) instance folder: the shared one wins.
    (app / "releases" / "r2" / "instance").mkdir(parents=True)
    (app / "releases" / "r2" / "instance" / "placeholder").write_text("from the code")
    result = link(app, "r2", dirs=["instance"])
    assert result.replaced == ["instance"] and not result.created
    assert (app / "releases" / "r2" / "instance" / "app.sqlite").read_text() == "posts"
    assert not (app / "shared" / "instance" / "placeholder").exists()


def test_a_path_shared_later_keeps_what_the_release_had(app: Path) -> None:
    (app / "releases" / "r1" / "instance").mkdir()
    (app / "releases" / "r1" / "instance" / "app.sqlite").write_text("old posts")
    (app / "releases" / "r1" / ".env").write_text("A=1\n")
    result = link(app, dirs=["instance"], files=[".env"])
    assert sorted(result.seeded) == [".env", "instance"]
    assert (app / "shared" / "instance" / "app.sqlite").read_text() == "old posts"
    assert (app / "releases" / "r1" / ".env").read_text() == "A=1\n"
    assert (app / "releases" / "r1" / ".env").is_symlink()


def test_second_run_changes_nothing(app: Path) -> None:
    link(app, dirs=["instance"], files=["settings.ini"])
    again = link(app, dirs=["instance"], files=["settings.ini"])
    assert not again.changed
    assert again.links == {"instance": "../../shared/instance", "settings.ini": "../../shared/settings.ini"}


def test_check_mode_reports_and_touches_nothing(app: Path) -> None:
    result = link(app, check=True, dirs=["instance"])
    assert result.changed and result.created == ["instance"]
    assert not (app / "shared" / "instance").exists()
    assert not (app / "releases" / "r1" / "instance").exists()


@pytest.mark.parametrize("bad", ["../etc", "/etc", ".", ""])
def test_paths_outside_the_release_are_refused(app: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="relative to the release"):
        link(app, dirs=[bad])
