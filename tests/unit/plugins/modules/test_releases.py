"""releases: which release a rollback goes back to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ansible_collections.wsgi.stack.plugins.modules.releases import ReleaseError, choose_target, list_releases


def release(root: Path, rid: str, when: float, built: bool = True, went_live: bool = True) -> Path:
    """A release written at `when`, and gone live then too unless went_live is false."""
    path = root / "releases" / rid
    path.mkdir(parents=True)
    if built:
        (path / ".wsgi-stack-built").write_text("")
    if went_live:
        (path / ".wsgi-stack-went-live").write_text("")
        os.utime(path / ".wsgi-stack-went-live", (when, when))
    os.utime(path, (when, when))
    return path


def go_live(root: Path, rid: str) -> None:
    current = root / "current"
    if current.is_symlink():
        current.unlink()
    current.symlink_to(f"releases/{rid}")


def target(root: Path, rid: str = "", required: bool = True) -> str:
    live, releases = list_releases(str(root))
    return str(choose_target(live, releases, rid, "hello", "wsgi_stack_rollback_release", required))


@pytest.fixture
def app(tmp_path: Path) -> Path:
    release(tmp_path, "r1", 1000)
    release(tmp_path, "r2", 2000)
    release(tmp_path, "r3", 3000)
    go_live(tmp_path, "r3")
    return tmp_path


def test_releases_are_listed_newest_first_with_the_live_one_marked(app: Path) -> None:
    live, releases = list_releases(str(app))
    assert live == str(app / "releases" / "r3")
    assert [(r["id"], r["live"]) for r in releases] == [("r3", True), ("r2", False), ("r1", False)]


def test_the_target_is_the_newest_release_before_the_live_one(app: Path) -> None:
    assert target(app) == str(app / "releases" / "r2")


def test_going_live_again_dates_a_release_by_its_marker(app: Path) -> None:
    # A rollback to r2 touches its marker: r3 is then the one before it.
    go_live(app, "r2")
    os.utime(app / "releases" / "r2" / ".wsgi-stack-went-live", (4000, 4000))
    _, releases = list_releases(str(app))
    assert [r["id"] for r in releases] == ["r2", "r3", "r1"]
    assert target(app) == str(app / "releases" / "r3")


def test_a_release_that_never_went_live_or_was_never_built_is_not_gone_back_to(app: Path) -> None:
    # Newer than r2: one refused by the release check, one taken back because
    # it did not serve (its marker removed), one whose build broke off.
    release(app, "refused", 5000, went_live=False)
    release(app, "half", 6000, built=False)
    assert target(app) == str(app / "releases" / "r2")
    _, releases = list_releases(str(app))
    assert [r["id"] for r in releases][:2] == ["half", "refused"]


def test_a_named_release_is_the_target(app: Path) -> None:
    assert target(app, "r1") == str(app / "releases" / "r1")


def test_a_named_release_that_does_not_exist_is_refused_naming_the_variable(app: Path) -> None:
    with pytest.raises(
        ReleaseError, match=r"app hello: wsgi_stack_rollback_release: no release 'r9' \(releases: r3, r2, r1\)"
    ):
        target(app, "r9")


def test_a_named_release_never_built_is_refused(app: Path) -> None:
    release(app, "half", 6000, built=False)
    with pytest.raises(ReleaseError, match="never built"):
        target(app, "half")


def test_an_app_with_one_release_has_nothing_to_go_back_to(tmp_path: Path) -> None:
    release(tmp_path, "only", 1000)
    go_live(tmp_path, "only")
    with pytest.raises(ReleaseError, match="app hello: no release before the live one"):
        target(tmp_path)
    assert target(tmp_path, required=False) == ""


def test_an_app_never_deployed_lists_nothing(tmp_path: Path) -> None:
    assert list_releases(str(tmp_path)) == ("", [])
