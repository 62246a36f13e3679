#!/usr/bin/env python3
# Copyright: wsgi.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checksum or pack an app's source directory on the Ansible controller.

Run by the virtualenv_app role (delegated to localhost) for apps whose source
is a directory on the controller:

  release_tree.py checksum DIR [--exclude PATTERN]...
  release_tree.py archive DIR [--exclude PATTERN]...

The checksum covers what a release gets: each path, its type, whether it is
executable, and its content (or a link's target); timestamps and owners are
left out, so an unchanged tree always gives the same checksum (and release id).
``archive`` writes those same entries to a temporary .tar.gz (directories and
executables mode 0700, other files 0600) and prints its path with the checksum.
A PATTERN matches any path component by name (``__pycache__``, ``*.pyc``); a
PATTERN starting with ``/`` matches a path from the top of DIR (``/venv``).
Output is one line of JSON.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import stat
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path


def excluded(rel: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        if pattern.startswith("/"):
            if fnmatch.fnmatchcase(rel, pattern[1:]):
                return True
        elif any(fnmatch.fnmatchcase(part, pattern) for part in rel.split("/")):
            return True
    return False


def entries(top: Path, patterns: list[str]) -> Iterator[tuple[str, Path, os.stat_result]]:
    """Every kept path under top, sorted, as (relative path, path, lstat)."""
    for dirpath, dirnames, filenames in os.walk(top):
        base = Path(dirpath)
        dirnames.sort()
        names = sorted(dirnames + filenames)
        keep_dirs = []
        for name in names:
            path = base / name
            rel = path.relative_to(top).as_posix()
            if excluded(rel, patterns):
                continue
            st = path.lstat()
            if name in dirnames and not stat.S_ISLNK(st.st_mode):
                keep_dirs.append(name)
            yield rel, path, st
        dirnames[:] = [d for d in dirnames if d in keep_dirs]


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_line(rel: str, path: Path, st: os.stat_result) -> str:
    if stat.S_ISLNK(st.st_mode):
        return f"l {rel} {os.readlink(path)}\n"
    if stat.S_ISDIR(st.st_mode):
        return f"d {rel}\n"
    if stat.S_ISREG(st.st_mode):
        mode = "x" if st.st_mode & 0o111 else "-"
        return f"f {rel} {mode} {file_digest(path)}\n"
    raise SystemExit(f"{path}: only files, directories and symlinks can be deployed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["checksum", "archive"])
    parser.add_argument("directory")
    parser.add_argument("--exclude", action="append", default=[])
    args = parser.parse_args()
    top = Path(args.directory)
    if not top.is_dir():
        print(f"{top}: not a directory on the controller", file=sys.stderr)
        return 1
    top = top.resolve()

    digest = hashlib.sha256()
    count = 0
    archive = None
    path_out = ""
    if args.action == "archive":
        fd, path_out = tempfile.mkstemp(prefix="wsgi-stack-release-", suffix=".tar.gz")
        os.close(fd)
        archive = tarfile.open(path_out, "w:gz")  # noqa: SIM115 (closed below)
    try:
        for rel, path, st in entries(top, args.exclude):
            digest.update(manifest_line(rel, path, st).encode())
            count += 1
            if archive is not None:
                info = archive.gettarinfo(str(path), arcname=rel)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                # The app's own alone: the web server's account is in the
                # app's group, and reads only the static files, which the
                # build opens to the group after unpacking.
                if info.isdir() or (info.isreg() and info.mode & 0o111):
                    info.mode = 0o700
                elif info.isreg():
                    info.mode = 0o600
                if info.isreg():
                    with path.open("rb") as handle:
                        archive.addfile(info, handle)
                else:
                    archive.addfile(info)
    finally:
        if archive is not None:
            archive.close()
    result = {"checksum": digest.hexdigest(), "entries": count}
    if path_out:
        result["path"] = path_out
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
