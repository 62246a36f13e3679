#!/usr/bin/python
# Copyright: wsgi.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Module: link an app's persistent paths from shared/ into a release."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: shared_paths
short_description: Link an app's persistent directories and files from shared/ into a release
version_added: 0.2.0
description:
  - State that must outlive a release (Flask's instance folder, uploads, a sqlite database, a local
    settings file) lives under the app's C(shared) directory and is linked into every release, in the
    manner of Capistrano's linked dirs and files.
  - For each path, the shared copy is made when it does not exist yet, owned by O(owner) and O(group).
    It is the release's own copy when the release has one (moved, so that data written there before the
    path was shared is kept), else an empty directory or an empty file.
  - The release's path is then replaced by a relative symlink to the shared copy. What the release held
    at that path is removed once a shared copy exists (the shared copy always wins).
  - Nothing under O(shared) is ever removed.
author: wsgi.stack maintainers
options:
  release:
    description: Absolute path of the release directory.
    type: path
    required: true
  shared:
    description: Absolute path of the app's shared directory.
    type: path
    required: true
  dirs:
    description: Directories, relative to the release, to keep in O(shared).
    type: list
    elements: str
    default: []
  files:
    description: Files, relative to the release, to keep in O(shared).
    type: list
    elements: str
    default: []
  owner:
    description: Owner of what is created (shared copies, links, parent directories).
    type: str
    required: true
  group:
    description: Group of what is created.
    type: str
    required: true
  dir_mode:
    description: Mode of the directories created.
    type: raw
    default: "0750"
  file_mode:
    description: Mode of the empty files created.
    type: raw
    default: "0640"
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
notes:
  - Paths must be relative, without C(..); the C(wsgi.stack.wsgi_apps) filter checks the app keys
    C(shared_dirs) and C(shared_files) before this module runs.
"""

EXAMPLES = r"""
- name: Keep Flask's instance folder and an uploads directory across releases
  wsgi.stack.shared_paths:
    release: /srv/flaskr/releases/3f2a9c1d0b7e-1a2b3c4d
    shared: /srv/flaskr/shared
    dirs: [instance, flaskr/static/uploads]
    files: [.env]
    owner: flaskr
    group: flaskr
"""

RETURN = r"""
links:
  description: Every link in the release, as release-relative path and its target.
  returned: always
  type: dict
  sample: {"instance": "../../shared/instance"}
created:
  description: Shared paths created empty in this run.
  returned: always
  type: list
  elements: str
seeded:
  description: Shared paths made from the release's own copy in this run.
  returned: always
  type: list
  elements: str
replaced:
  description: Release paths replaced by a link in this run.
  returned: always
  type: list
  elements: str
"""


@dataclass
class Result:
    """What linking did (or would do, in check mode)."""

    links: dict[str, str] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    seeded: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.seeded or self.replaced)


def _safe(rel: str) -> str:
    rel = rel.strip().rstrip("/")
    if not rel or rel.startswith("/") or ".." in rel.split("/") or rel in (".", ""):
        raise ValueError(f"{rel!r} must be a path relative to the release, without '..'")
    return os.path.normpath(rel)


def _makedirs(path: str, top: str, uid: int, gid: int, mode: int, check: bool) -> None:
    """Create path and its missing parents below top, each owned uid:gid."""
    missing = []
    while path != top and not os.path.lexists(path):
        missing.append(path)
        path = os.path.dirname(path)
    if check:
        return
    for one in reversed(missing):
        os.mkdir(one)
        os.chown(one, uid, gid)
        os.chmod(one, mode)


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def link_shared(
    release: str,
    shared: str,
    dirs: Sequence[str],
    files: Sequence[str],
    uid: int,
    gid: int,
    dir_mode: int = 0o750,
    file_mode: int = 0o640,
    check: bool = False,
) -> Result:
    """Make each shared path exist and link it into the release."""
    result = Result()
    for rel, is_dir in [(_safe(d), True) for d in dirs] + [(_safe(f), False) for f in files]:
        target = os.path.join(shared, rel)
        link = os.path.join(release, rel)
        wanted = os.path.relpath(target, os.path.dirname(link))
        result.links[rel] = wanted
        if os.path.islink(link) and os.readlink(link) == wanted and os.path.lexists(target):
            continue
        if not os.path.lexists(target):
            _makedirs(os.path.dirname(target), shared, uid, gid, dir_mode, check)
            if os.path.lexists(link) and not os.path.islink(link) and os.path.isdir(link) == is_dir:
                result.seeded.append(rel)
                if not check:
                    os.rename(link, target)
            else:
                result.created.append(rel)
                if not check:
                    if is_dir:
                        os.mkdir(target)
                    else:
                        with open(target, "x", encoding="utf-8"):
                            pass
                    os.chown(target, uid, gid)
                    os.chmod(target, dir_mode if is_dir else file_mode)
        result.replaced.append(rel)
        if check:
            continue
        if os.path.lexists(link):
            _remove(link)
        _makedirs(os.path.dirname(link), release, uid, gid, dir_mode, check)
        os.symlink(wanted, link)
        os.lchown(link, uid, gid)
    return result


def _mode(value: Any) -> int:
    return value if isinstance(value, int) else int(str(value), 8)


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "release": {"type": "path", "required": True},
            "shared": {"type": "path", "required": True},
            "dirs": {"type": "list", "elements": "str", "default": []},
            "files": {"type": "list", "elements": "str", "default": []},
            "owner": {"type": "str", "required": True},
            "group": {"type": "str", "required": True},
            "dir_mode": {"type": "raw", "default": "0750"},
            "file_mode": {"type": "raw", "default": "0640"},
        },
        supports_check_mode=True,
    )
    params = module.params
    for key in ("release", "shared"):
        if not os.path.isabs(params[key]):
            module.fail_json(msg=f"{key} must be an absolute path, got {params[key]!r}")
    if not os.path.isdir(params["release"]):
        module.fail_json(msg=f"release {params['release']} is not a directory")
    try:
        uid = pwd.getpwnam(params["owner"]).pw_uid
        gid = grp.getgrnam(params["group"]).gr_gid
    except KeyError as exc:
        module.fail_json(msg=f"unknown owner or group: {exc}")
    try:
        result = link_shared(
            params["release"],
            params["shared"],
            params["dirs"],
            params["files"],
            uid,
            gid,
            _mode(params["dir_mode"]),
            _mode(params["file_mode"]),
            check=module.check_mode,
        )
    except (OSError, ValueError) as exc:
        module.fail_json(msg=f"linking the shared paths into {params['release']} failed: {exc}")
    module.exit_json(
        changed=result.changed,
        links=result.links,
        created=result.created,
        seeded=result.seeded,
        replaced=result.replaced,
    )


if __name__ == "__main__":
    main()
