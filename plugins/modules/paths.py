#!/usr/bin/python
# Copyright: wsgi.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Module: look at several paths in one call."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from typing import Any

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: paths
short_description: Look at several paths in one call
version_added: 0.4.0
description:
  - Says for each path of O(paths) whether it exists and what it is, in one module call where one
    M(ansible.builtin.stat) task per path takes one call each. A symlink is reported as a link (it is not
    followed), with the path it resolves to.
  - The content of each regular file of O(checksum) is hashed with O(checksum_algorithm); a symlink to a
    file is followed for that.
  - The text of each regular file of O(read) is returned (up to 64 KiB), for small files such as a kernel
    setting in C(/proc/sys).
  - Nothing on the host changes.
author: wsgi.stack maintainers
options:
  paths:
    description: Absolute paths to look at.
    type: list
    elements: path
    required: true
  checksum:
    description: Paths (among O(paths)) whose content to hash, when they are regular files.
    type: list
    elements: path
    default: []
  checksum_algorithm:
    description: The hash of O(checksum).
    type: str
    choices: [sha1, sha256]
    default: sha256
  read:
    description: Paths (among O(paths)) whose text to return, when they are regular files (the first 64 KiB).
    type: list
    elements: path
    default: []
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Look at an app's live release and its settings file
  wsgi.stack.paths:
    paths: [/srv/hello/current, /srv/hello/shared/app.env]
    checksum: [/srv/hello/shared/app.env]
  register: seen

- name: Show where current points
  ansible.builtin.debug:
    msg: "{{ seen.paths['/srv/hello/current'].lnk_source }}"
"""

RETURN = r"""
paths:
  description: Each path of O(paths), as given, and what is there.
  returned: always
  type: dict
  contains:
    exists:
      description: Whether anything is at the path (a dangling symlink exists).
      type: bool
    type:
      description: C(file), C(directory), C(link) or C(other); empty when nothing is there.
      type: str
    islnk:
      description: Whether the path is a symlink.
      type: bool
    lnk_source:
      description: For a symlink, the absolute path it resolves to (as M(ansible.builtin.stat) gives it).
      type: str
    lnk_target:
      description: For a symlink, what it says.
      type: str
    mode:
      description: The permission bits, octal (of the link itself for a symlink).
      type: str
    checksum:
      description: For a path of O(checksum) that is or leads to a regular file, the hash of its content.
      type: str
    content:
      description: For a path of O(read) that is or leads to a regular file, its text (UTF-8, first 64 KiB).
      type: str
  sample:
    /srv/hello/current:
      exists: true
      type: link
      islnk: true
      lnk_source: /srv/hello/releases/6a1f0c2e9b7d-0d1c2b3a
      lnk_target: releases/6a1f0c2e9b7d-0d1c2b3a
      mode: "0777"
"""


def _hash(path: str, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(65536), b""):
            digest.update(block)
    return digest.hexdigest()


READ_LIMIT = 65536


def look(
    paths: Sequence[str], checksum: Sequence[str] = (), algorithm: str = "sha256", read: Sequence[str] = ()
) -> dict[str, dict[str, Any]]:
    """What is at each path; hashes (checksum) and text (read) of those that are (or lead to) regular files."""
    for option, named in (("checksum", checksum), ("read", read)):
        unknown = sorted(set(named) - set(paths))
        if unknown:
            raise ValueError(f"{option} names paths that are not in paths: {', '.join(unknown)}")
    seen: dict[str, dict[str, Any]] = {}
    for path in paths:
        if not os.path.isabs(path):
            raise ValueError(f"paths must be absolute, got {path!r}")
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            seen[path] = {"exists": False, "type": "", "islnk": False}
            continue
        kind = (
            "link"
            if stat.S_ISLNK(info.st_mode)
            else "directory"
            if stat.S_ISDIR(info.st_mode)
            else "file"
            if stat.S_ISREG(info.st_mode)
            else "other"
        )
        entry: dict[str, Any] = {
            "exists": True,
            "type": kind,
            "islnk": kind == "link",
            "mode": f"{stat.S_IMODE(info.st_mode):04o}",
        }
        if kind == "link":
            entry["lnk_source"] = os.path.realpath(path)
            entry["lnk_target"] = os.readlink(path)
        if path in checksum and os.path.isfile(path):
            entry["checksum"] = _hash(path, algorithm)
        if path in read and os.path.isfile(path):
            with open(path, "rb") as handle:
                entry["content"] = handle.read(READ_LIMIT).decode("utf-8", "replace")
        seen[path] = entry
    return seen


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "paths": {"type": "list", "elements": "path", "required": True},
            "checksum": {"type": "list", "elements": "path", "default": []},
            "checksum_algorithm": {"type": "str", "choices": ["sha1", "sha256"], "default": "sha256"},
            "read": {"type": "list", "elements": "path", "default": []},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        seen = look(params["paths"], params["checksum"], params["checksum_algorithm"], params["read"])
    except (OSError, ValueError) as exc:
        module.fail_json(msg=f"wsgi.stack.paths: {exc}")
    module.exit_json(changed=False, paths=seen)


if __name__ == "__main__":
    main()
