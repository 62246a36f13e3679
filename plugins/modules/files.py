#!/usr/bin/python
# Copyright: wsgi.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Module: write several files with their content in one call."""

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
short_description: Write several files, each with its content, owner, group and mode, in one call
version_added: 0.4.0
description:
  - Writes each file of O(files) whose content, owner, group or mode differs from what is asked, in one
    module call where one M(ansible.builtin.template) task per file takes two (a C(stat), then a copy or
    a C(file)). A role renders the contents on the controller (the C(ansible.builtin.template) lookup)
    and hands them over here.
  - A changed content goes to a temporary file in the same directory first, is checked by the file's
    O(files[].validate) command when it has one, and then replaces the file atomically (rename). With
    O(backup), the file it replaces is kept beside it first, as M(ansible.builtin.copy) does.
  - In check mode nothing is written and no O(files[].validate) command runs.
  - Every file is checked before any is written, so a file that fails its check leaves all of them as
    they were.
author: wsgi.stack maintainers
options:
  files:
    description: The files to write.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path of the file. Its directory must exist.
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
  owner:
    description: Owner of the files that do not name one.
    type: str
    default: root
  group:
    description: Group of the files that do not name one.
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


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "files": {
                "type": "list",
                "elements": "dict",
                "required": True,
                "options": {
                    "path": {"type": "path", "required": True},
                    "content": {"type": "str", "required": True},
                    "owner": {"type": "str"},
                    "group": {"type": "str"},
                    "mode": {"type": "raw"},
                    "validate": {"type": "str"},
                },
            },
            "owner": {"type": "str", "default": "root"},
            "group": {"type": "str", "default": "root"},
            "mode": {"type": "raw", "default": "0644"},
            "backup": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        files = []
        for entry in params["files"]:
            owner = entry["owner"] or params["owner"]
            group = entry["group"] or params["group"]
            try:
                uid = pwd.getpwnam(owner).pw_uid
                gid = grp.getgrnam(group).gr_gid
            except KeyError:
                raise ValueError(f"{entry['path']}: unknown owner {owner!r} or group {group!r}") from None
            mode = entry["mode"] if entry["mode"] is not None else params["mode"]
            files.append(
                Wanted(
                    entry["path"],
                    entry["content"].encode("utf-8"),
                    uid,
                    gid,
                    _mode(mode, f"mode of {entry['path']}"),
                    entry["validate"],
                )
            )
        results, diffs = write_files(files, params["backup"], module.check_mode, module._diff)
    except (OSError, ValueError) as exc:
        module.fail_json(msg=f"wsgi.stack.files: {exc}")
    output: dict[str, Any] = {"changed": any(r["changed"] for r in results), "results": results}
    if diffs:
        output["diff"] = diffs
    module.exit_json(**output)


if __name__ == "__main__":
    main()
