"""release_tree.py: the archive a release is unpacked from is the app's own alone."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

from ..conftest import REPO

RELEASE_TREE = REPO / "roles" / "virtualenv_app" / "files" / "release_tree.py"


def run(*args: str) -> dict[str, str]:
    done = subprocess.run([sys.executable, str(RELEASE_TREE), *args], capture_output=True, text=True, check=True)
    result: dict[str, str] = json.loads(done.stdout)
    return result


def test_the_archive_gives_nothing_to_the_group_or_others(tmp_path: Path) -> None:
    source = tmp_path / "app"
    (source / "static").mkdir(parents=True)
    (source / "app.py").write_text("app = None\n")
    (source / "app.py").chmod(0o664)
    (source / "manage.sh").write_text("#!/bin/sh\n")
    (source / "manage.sh").chmod(0o775)
    (source / "static" / "site.css").write_text("body {}\n")
    (source / "static" / "site.css").chmod(0o644)

    archived = run("archive", str(source))
    try:
        with tarfile.open(archived["path"]) as tar:
            modes = {info.name: info.mode for info in tar.getmembers()}
    finally:
        Path(archived["path"]).unlink()

    assert modes == {"app.py": 0o600, "manage.sh": 0o700, "static": 0o700, "static/site.css": 0o600}
    # The modes are not the release's identity: the checksum is the same as before.
    assert archived["checksum"] == run("checksum", str(source))["checksum"]
