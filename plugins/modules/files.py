#!/usr/bin/python
# Copyright: wsgi.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Module: make several directories and write several files with their content in one call."""

from __future__ import annotations

import grp
import os
import pwd
import shlex
import stat
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: files
short_description: Make directories and write files, each with its owner, group and mode, in one call
version_added: 0.4.0
description:
  - Writes each file of O(files) whose content, owner, group or mode differs from what is asked, in one
    module call where one M(ansible.builtin.template) task per file takes two (a C(stat), then a copy or
    a C(file)). A role renders the contents on the controller (the C(ansible.builtin.template) lookup)
    and hands them over here.
  - A changed content goes to a temporary file in the same directory first, is checked by the file's
    O(files[].validate) command when it has one, and then replaces the file atomically (rename). With
    O(backup), the file it replaces is kept beside it first, as M(ansible.builtin.copy) does.
  - In check mode nothing is written and no O(files[].validate) command runs; an owner or group that does
    not exist yet is taken for one an earlier task would make (the entry is reported as a change).
  - Every file is checked before any is written, so a file that fails its check leaves all of them as
    they were.
  - The directories of O(dirs) are made (or given their owner, group and mode) first, in their order, in
    the manner of M(ansible.builtin.file) with C(state=directory) for each, so that the files can go
    into them. A directory stays when a file then fails its check.
author: wsgi.stack maintainers
options:
  files:
    description: The files to write.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path of the file. Its directory must exist or be one of O(dirs).
        type: path
        required: true
      content:
        description: The whole content of the file.
        type: str
        required: true
      owner:
        description: Owner of the file; O(owner) when not given.
        type: str
      group:
        description: Group of the file; O(group) when not given.
        type: str
      mode:
        description: Mode of the file, octal; O(mode) when not given.
        type: raw
      validate:
        description:
          - Command that checks the new content before it goes live; C(%s) stands for the path of the
            temporary file that holds it. The file is written only when the command exits with 0.
        type: str
  dirs:
    description:
      - The directories to make, or whose owner, group and mode to set, before any file is written.
      - Missing parents are made with the same owner, group and mode, as M(ansible.builtin.file) makes
        them. A path that exists and is not a directory (a symlink to one counts as one) is an error.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path of the directory.
        type: path
        required: true
      owner:
        description: Owner of the directory; O(owner) when not given.
        type: str
      group:
        description: Group of the directory; O(group) when not given.
        type: str
      mode:
        description: Mode of the directory, octal; O(dir_mode) when not given.
        type: raw
  dir_mode:
    description: Mode of the directories that do not name one.
    type: raw
    default: "0755"
  owner:
    description: Owner of the files and directories that do not name one.
    type: str
    default: root
  group:
    description: Group of the files and directories that do not name one.
    type: str
    default: root
  mode:
    description: Mode of the files that do not name one.
    type: raw
    default: "0644"
  backup:
    description: Keep a copy of each file whose content is replaced, beside it, named with the time.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - The content travels in the module's arguments, so the module is for configuration files, not for
    secrets (a task with C(no_log) hides them, but a diff would show them).
"""

EXAMPLES = r"""
- name: Make an app's directories and install a script into one of them
  wsgi.stack.files:
    dirs:
      - path: /srv/hello
        owner: hello
        group: hello
        mode: "0750"
      - path: /srv/hello/bin
    files:
      - path: /srv/hello/bin/run.py
        content: "{{ lookup('ansible.builtin.file', 'run.py') }}"
        mode: "0755"

- name: Render the main configuration and one site per app
  wsgi.stack.files:
    files: >-
      {%- set ns = namespace(files=[{'path': '/etc/nginx/nginx.conf',
                                     'content': lookup('ansible.builtin.template', 'nginx.conf.j2')}]) -%}
      {%- for app in apps -%}
      {%- set ns.files = ns.files + [{'path': '/etc/nginx/sites-available/' ~ app.name ~ '.conf',
                                      'content': lookup('ansible.builtin.template', 'site.conf.j2',
                                                        template_vars={'app': app})}] -%}
      {%- endfor -%}
      {{- ns.files -}}
    owner: root
    group: root
    mode: "0644"
    backup: true
  register: written
"""

RETURN = r"""
results:
  description: One entry per file of O(files), in the same order.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The path of the file.
      type: str
    dest:
      description: The same path, under the name M(ansible.builtin.copy) returns it.
      type: str
    changed:
      description: Whether the file was (or in check mode would be) created or changed.
      type: bool
    created:
      description: Whether the file did not exist before.
      type: bool
    backup_file:
      description: The copy of the replaced file, when O(backup) made one.
      type: str
      returned: when a backup was made
dirs:
  description: One entry per directory of O(dirs), in the same order.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The path of the directory.
      type: str
    changed:
      description: Whether the directory was (or in check mode would be) made, or its owner, group or mode set.
      type: bool
    created:
      description: Whether the directory did not exist before.
      type: bool
"""


@dataclass
class Wanted:
    """One file as it is asked for."""

    path: str
    content: bytes
    uid: int
    gid: int
    mode: int
    validate: str | None


@dataclass
class WantedDir:
    """One directory as it is asked for."""

    path: str
    uid: int
    gid: int
    mode: int


def make_dirs(dirs: Sequence[WantedDir], check: bool = False) -> list[dict[str, Any]]:
    """Make each directory that is missing and set the owner, group and mode of each; one result each.

    Missing parents are made with the same owner, group and mode, as ansible.builtin.file does.
    """
    results: list[dict[str, Any]] = []
    made: set[str] = set()
    for want in dirs:
        if not os.path.isabs(want.path):
            raise ValueError(f"path must be absolute, got {want.path!r}")
        path = os.path.normpath(want.path)
        try:
            info = os.stat(path)
        except FileNotFoundError:
            missing = [path]
            while not os.path.exists(os.path.dirname(missing[-1])) and os.path.dirname(missing[-1]) not in made:
                missing.append(os.path.dirname(missing[-1]))
            for each in reversed(missing):
                made.add(each)
                if not check:
                    os.mkdir(each, 0o700)
                    os.chown(each, want.uid, want.gid)
                    os.chmod(each, want.mode)
            results.append({"path": want.path, "changed": True, "created": True})
            continue
        if not stat.S_ISDIR(info.st_mode):
            raise ValueError(f"{path} exists and is not a directory")
        changed = (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) != (want.uid, want.gid, want.mode)
        if changed and not check:
            os.chown(path, want.uid, want.gid)
            os.chmod(path, want.mode)
        results.append({"path": want.path, "changed": changed, "created": False})
    return results


@dataclass
class Current:
    """What is at the path now."""

    exists: bool
    content: bytes = b""
    uid: int = -1
    gid: int = -1
    mode: int = -1

    @classmethod
    def read(cls, path: str) -> Current:
        try:
            info = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            return cls(exists=False)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{path} exists and is not a regular file")
        with open(path, "rb") as handle:
            content = handle.read()
        return cls(True, content, info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode))


def _mode(value: Any, name: str) -> int:
    if isinstance(value, int):
        return value
    text = str(value)
    if not text or any(c not in "01234567" for c in text):
        raise ValueError(f"{name} must be an octal mode such as '0644', got {value!r}")
    return int(text, 8)


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def plan(files: Sequence[Wanted], check: bool = False) -> list[tuple[Wanted, Current]]:
    """Pair each wanted file with what is there; refuse duplicates and relative paths.

    In check mode a missing directory is one an earlier task would have made.
    """
    seen: set[str] = set()
    pairs = []
    for want in files:
        if not os.path.isabs(want.path):
            raise ValueError(f"path must be absolute, got {want.path!r}")
        if want.path in seen:
            raise ValueError(f"{want.path} is given twice")
        seen.add(want.path)
        if not os.path.isdir(os.path.dirname(want.path)):
            if not check:
                raise ValueError(f"the directory of {want.path} does not exist")
            pairs.append((want, Current(exists=False)))
            continue
        pairs.append((want, Current.read(want.path)))
    return pairs


def _validate(want: Wanted, staged: str) -> None:
    if want.validate is None:
        return
    if "%s" not in want.validate:
        raise ValueError(f"validate of {want.path} must contain %s: {want.validate!r}")
    argv = [word.replace("%s", staged) for word in shlex.split(want.validate)]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ValueError(
            f"the new content of {want.path} failed its check ({want.validate}, rc {proc.returncode}): "
            f"{' '.join(part.strip() for part in (proc.stdout, proc.stderr) if part.strip())}"
        )


def write_files(
    files: Sequence[Wanted], backup: bool = False, check: bool = False, diff: bool = False
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Write what differs; return one result per file and the diffs (when asked)."""
    pairs = plan(files, check)
    results: list[dict[str, Any]] = []
    diffs: list[dict[str, str]] = []
    staged: dict[str, str] = {}
    try:
        # Every new content is staged and checked before any file is replaced.
        for want, cur in pairs:
            if cur.exists and cur.content == want.content:
                continue
            if diff:
                diffs.append(
                    {
                        "before_header": want.path if cur.exists else "/dev/null",
                        "after_header": want.path,
                        "before": _text(cur.content),
                        "after": _text(want.content),
                    }
                )
            if check:
                continue
            # Hidden and named .tmp: no daemon that watches the directory (the
            # uWSGI Emperor, a conf.d glob) takes it for one of its files.
            fd, tmp = tempfile.mkstemp(prefix=".wsgi-stack-", suffix=".tmp", dir=os.path.dirname(want.path))
            staged[want.path] = tmp
            with os.fdopen(fd, "wb") as handle:
                handle.write(want.content)
            os.chmod(tmp, want.mode)
            os.chown(tmp, want.uid, want.gid)
            _validate(want, tmp)
        for want, cur in pairs:
            content_changed = not cur.exists or cur.content != want.content
            attrs_changed = cur.exists and (cur.uid, cur.gid, cur.mode) != (want.uid, want.gid, want.mode)
            result: dict[str, Any] = {
                "path": want.path,
                "dest": want.path,
                "changed": content_changed or attrs_changed,
                "created": not cur.exists,
            }
            results.append(result)
            if check or not result["changed"]:
                continue
            if content_changed:
                if backup and cur.exists:
                    result["backup_file"] = _backup(want.path)
                os.rename(staged.pop(want.path), want.path)
            else:
                os.chown(want.path, want.uid, want.gid)
                os.chmod(want.path, want.mode)
    finally:
        for tmp in staged.values():
            if os.path.exists(tmp):
                os.unlink(tmp)
    return results, diffs


def _backup(path: str) -> str:
    """Copy path beside itself (owner, group and mode kept), named as ansible.builtin.copy names it."""
    name = f"{path}.{os.getpid()}.{time.strftime('%Y-%m-%d@%H:%M:%S~', time.localtime())}"
    info = os.stat(path)
    with open(path, "rb") as src, open(name, "xb") as dst:
        dst.write(src.read())
    os.chown(name, info.st_uid, info.st_gid)
    os.chmod(name, stat.S_IMODE(info.st_mode))
    return name


def _ids(entry: dict[str, Any], params: dict[str, Any], check: bool = False) -> tuple[int, int]:
    """The uid and gid of an entry: its own owner and group, else the module's.

    In check mode an account or group that does not exist is one an earlier task would make: -1, which
    no file has, so the entry is reported as a change.
    """
    owner = entry["owner"] or params["owner"]
    group = entry["group"] or params["group"]
    try:
        uid = pwd.getpwnam(owner).pw_uid
    except KeyError:
        uid = -1
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        gid = -1
    if -1 in (uid, gid) and not check:
        raise ValueError(f"{entry['path']}: unknown owner {owner!r} or group {group!r}")
    return uid, gid


def _pick(entry: dict[str, Any], params: dict[str, Any], default: str) -> Any:
    """An entry's mode, else the module's default (named by default)."""
    return entry["mode"] if entry["mode"] is not None else params[default]


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "files": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "path": {"type": "path", "required": True},
                    "content": {"type": "str", "required": True},
                    "owner": {"type": "str"},
                    "group": {"type": "str"},
                    "mode": {"type": "raw"},
                    "validate": {"type": "str"},
                },
            },
            "dirs": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "path": {"type": "path", "required": True},
                    "owner": {"type": "str"},
                    "group": {"type": "str"},
                    "mode": {"type": "raw"},
                },
            },
            "dir_mode": {"type": "raw", "default": "0755"},
            "owner": {"type": "str", "default": "root"},
            "group": {"type": "str", "default": "root"},
            "mode": {"type": "raw", "default": "0644"},
            "backup": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        dirs = [
            WantedDir(
                entry["path"],
                *_ids(entry, params, module.check_mode),
                _mode(_pick(entry, params, "dir_mode"), f"mode of {entry['path']}"),
            )
            for entry in params["dirs"]
        ]
        files = [
            Wanted(
                entry["path"],
                entry["content"].encode("utf-8"),
                *_ids(entry, params, module.check_mode),
                _mode(_pick(entry, params, "mode"), f"mode of {entry['path']}"),
                entry["validate"],
            )
            for entry in params["files"]
        ]
        dir_results = make_dirs(dirs, module.check_mode)
        results, diffs = write_files(files, params["backup"], module.check_mode, module._diff)
    except (OSError, ValueError) as exc:
        module.fail_json(msg=f"wsgi.stack.files: {exc}")
    output: dict[str, Any] = {
        "changed": any(r["changed"] for r in dir_results + results),
        "results": results,
        "dirs": dir_results,
    }
    if diffs:
        output["diff"] = diffs
    module.exit_json(**output)


if __name__ == "__main__":
    main()
