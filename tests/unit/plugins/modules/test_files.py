"""Directories and files in one call: written when they differ, checked first, backed up, atomic."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from ansible_collections.wsgi.stack.plugins.modules.files import Wanted, WantedDir, _ids, make_dirs, write_files

UID = os.getuid()
GID = os.getgid()


def want(path: Path, content: str, mode: int = 0o644, validate: str | None = None) -> Wanted:
    return Wanted(str(path), content.encode(), UID, GID, mode, validate)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_files_are_written_with_their_mode(tmp_path: Path) -> None:
    results, _ = write_files([want(tmp_path / "a.conf", "a\n"), want(tmp_path / "b.conf", "b\n", 0o640)])
    assert [r["changed"] for r in results] == [True, True]
    assert [r["created"] for r in results] == [True, True]
    assert (tmp_path / "a.conf").read_text() == "a\n"
    assert mode_of(tmp_path / "b.conf") == 0o640
    assert results[0]["dest"] == results[0]["path"] == str(tmp_path / "a.conf")


def test_unchanged_files_are_left_alone(tmp_path: Path) -> None:
    write_files([want(tmp_path / "a.conf", "a\n")])
    before = (tmp_path / "a.conf").stat().st_ino
    results, diffs = write_files([want(tmp_path / "a.conf", "a\n")], backup=True, diff=True)
    assert not results[0]["changed"] and "backup_file" not in results[0]
    assert diffs == []
    assert (tmp_path / "a.conf").stat().st_ino == before


def test_a_mode_change_alone_is_a_change_without_a_backup(tmp_path: Path) -> None:
    write_files([want(tmp_path / "a.conf", "a\n", 0o600)])
    results, diffs = write_files([want(tmp_path / "a.conf", "a\n", 0o644)], backup=True, diff=True)
    assert results[0]["changed"] and "backup_file" not in results[0]
    assert mode_of(tmp_path / "a.conf") == 0o644
    assert diffs == []


def test_a_changed_file_is_backed_up_with_its_mode_and_replaced(tmp_path: Path) -> None:
    target = tmp_path / "a.conf"
    write_files([want(target, "old\n", 0o600)])
    results, diffs = write_files([want(target, "new\n", 0o600)], backup=True, diff=True)
    backup = Path(results[0]["backup_file"])
    assert backup.read_text() == "old\n" and mode_of(backup) == 0o600
    assert backup.parent == tmp_path and backup.name.startswith("a.conf.")
    assert target.read_text() == "new\n"
    assert diffs == [{"before_header": str(target), "after_header": str(target), "before": "old\n", "after": "new\n"}]


def test_check_mode_reports_and_writes_nothing(tmp_path: Path) -> None:
    write_files([want(tmp_path / "a.conf", "old\n")])
    results, diffs = write_files(
        [want(tmp_path / "a.conf", "new\n"), want(tmp_path / "b.conf", "b\n")], backup=True, check=True, diff=True
    )
    assert [r["changed"] for r in results] == [True, True]
    assert (tmp_path / "a.conf").read_text() == "old\n"
    assert not (tmp_path / "b.conf").exists()
    assert sorted(os.listdir(tmp_path)) == ["a.conf"]
    assert diffs[1]["before_header"] == "/dev/null"


def test_a_file_that_fails_its_check_leaves_every_file_as_it_was(tmp_path: Path) -> None:
    write_files([want(tmp_path / "a.conf", "a\n"), want(tmp_path / "b.conf", "b\n")])
    checker = f"{sys.executable} -c \"import sys; sys.exit('bad' in open(sys.argv[1]).read())\" %s"
    with pytest.raises(ValueError, match=r"b\.conf failed its check"):
        write_files(
            [want(tmp_path / "a.conf", "a2\n"), want(tmp_path / "b.conf", "bad\n", validate=checker)],
            backup=True,
        )
    assert (tmp_path / "a.conf").read_text() == "a\n"
    assert (tmp_path / "b.conf").read_text() == "b\n"
    assert sorted(os.listdir(tmp_path)) == ["a.conf", "b.conf"]


def test_a_file_that_passes_its_check_is_written(tmp_path: Path) -> None:
    checker = f"{sys.executable} -c \"import sys; sys.exit('bad' in open(sys.argv[1]).read())\" %s"
    results, _ = write_files([want(tmp_path / "a.conf", "good\n", validate=checker)])
    assert results[0]["changed"] and (tmp_path / "a.conf").read_text() == "good\n"


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        (["relative.conf"], "must be absolute"),
        (["{d}/x.conf", "{d}/x.conf"], "given twice"),
        (["{d}/missing/x.conf"], "does not exist"),
    ],
)
def test_bad_paths_are_refused_before_anything_is_written(tmp_path: Path, paths: list[str], message: str) -> None:
    files = [Wanted(p.format(d=tmp_path), b"x", UID, GID, 0o644, None) for p in paths]
    with pytest.raises(ValueError, match=message):
        write_files(files)
    assert os.listdir(tmp_path) == []


def test_a_directory_in_the_way_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.conf").mkdir()
    with pytest.raises(ValueError, match="not a regular file"):
        write_files([want(tmp_path / "a.conf", "a\n")])


def test_check_mode_takes_a_missing_directory_for_one_an_earlier_task_makes(tmp_path: Path) -> None:
    results, _ = write_files([want(tmp_path / "new" / "a.conf", "a\n")], check=True)
    assert results[0]["changed"] and results[0]["created"]
    assert os.listdir(tmp_path) == []


def wanted_dir(path: Path, mode: int = 0o750) -> WantedDir:
    return WantedDir(str(path), UID, GID, mode)


def test_directories_are_made_parents_first_with_their_mode(tmp_path: Path) -> None:
    results = make_dirs([wanted_dir(tmp_path / "app"), wanted_dir(tmp_path / "app" / "shared", 0o700)])
    assert [(r["changed"], r["created"]) for r in results] == [(True, True), (True, True)]
    assert mode_of(tmp_path / "app") == 0o750 and mode_of(tmp_path / "app" / "shared") == 0o700
    again = make_dirs([wanted_dir(tmp_path / "app"), wanted_dir(tmp_path / "app" / "shared", 0o700)])
    assert [r["changed"] for r in again] == [False, False]


def test_a_directory_whose_mode_differs_is_changed_not_made(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir(mode=0o755)
    results = make_dirs([wanted_dir(tmp_path / "app", 0o750)])
    assert results == [{"path": str(tmp_path / "app"), "changed": True, "created": False}]
    assert mode_of(tmp_path / "app") == 0o750


def test_check_mode_reports_directories_and_makes_none(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir(mode=0o755)
    results = make_dirs(
        [wanted_dir(tmp_path / "old"), wanted_dir(tmp_path / "new"), wanted_dir(tmp_path / "new" / "sub")], check=True
    )
    assert [(r["changed"], r["created"]) for r in results] == [(True, False), (True, True), (True, True)]
    assert sorted(os.listdir(tmp_path)) == ["old"] and mode_of(tmp_path / "old") == 0o755


def test_missing_parents_are_made_like_the_directory(tmp_path: Path) -> None:
    results = make_dirs([wanted_dir(tmp_path / "a" / "b" / "c", 0o710)])
    assert results[0]["created"]
    assert [mode_of(tmp_path / p) for p in ("a", "a/b", "a/b/c")] == [0o710] * 3


def test_a_file_in_the_way_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="not a directory"):
        make_dirs([wanted_dir(tmp_path / "file")])


def test_a_relative_directory_is_refused() -> None:
    with pytest.raises(ValueError, match="must be absolute"):
        make_dirs([WantedDir("relative", UID, GID, 0o755)])


def test_an_unknown_account_is_refused_but_taken_for_one_to_come_in_check_mode() -> None:
    entry = {"path": "/srv/app", "owner": "no-such-account-here", "group": None}
    params = {"owner": "root", "group": "root"}
    with pytest.raises(ValueError, match="unknown owner 'no-such-account-here'"):
        _ids(entry, params)
    assert _ids(entry, params, check=True) == (-1, 0)
    # A directory of an account to come is a change in check mode.
    assert make_dirs([WantedDir("/", -1, 0, 0o755)], check=True)[0]["changed"]
