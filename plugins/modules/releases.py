#!/usr/bin/python
# Copyright: wsgi.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Module: list an app's releases and choose the one a rollback goes back to."""

from __future__ import annotations

import os
from typing import Any

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: releases
short_description: List an app's releases and choose the one to go back to
version_added: 0.3.0
description:
  - Reads the layout C(wsgi.stack.virtualenv_app) makes, C(<root>/releases/<id>) and the symlink
    C(<root>/current), and returns the releases newest first, which one is live, and the release a rollback
    goes to.
  - A release's time is when it last went live (the marker C(.wsgi-stack-went-live), touched each time
    C(current) moves to it and removed from a release that was taken back because it did not serve), else
    when it was last written (a release built but never live).
  - Without O(release) the target is the newest release before the live one that went live and is built
    (holds C(.wsgi-stack-built)); with it, that release, when built. Either way the module fails, naming
    O(release) or the app, when there is no such release. Nothing on the host changes.
author: wsgi.stack maintainers
options:
  root:
    description: The app's root directory (C(releases/) and C(current) are in it).
    type: path
    required: true
  release:
    description:
      - The release to go back to, by its id (the directory name under C(releases/)).
      - Empty for the newest release before the live one.
    type: str
    default: ""
  name:
    description: The app's name, for messages.
    type: str
    default: ""
  var:
    description: The variable O(release) came from, for messages.
    type: str
    default: release
  required:
    description:
      - Fail when there is no release before the live one (with O(release) empty).
      - When false the module returns an empty RV(target) instead.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Find the release hello served before its live one
  wsgi.stack.releases:
    root: /srv/hello
    name: hello
  register: hello_releases

- name: Check a named release can be gone back to
  wsgi.stack.releases:
    root: /srv/flaskr
    release: 6a1f0c2e9b7d-0d1c2b3a
    var: wsgi_stack_rollback_release
"""

RETURN = r"""
live:
  description: Absolute path of the live release (what C(current) points to); empty when there is none.
  returned: success
  type: str
  sample: /srv/hello/releases/6a1f0c2e9b7d-0d1c2b3a
releases:
  description: Every directory under C(releases/), newest first.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The release id (directory name).
      type: str
    path:
      description: Absolute path.
      type: str
    built:
      description: The release was built to the end.
      type: bool
    went_live:
      description: The release went live (and was not taken back).
      type: bool
    time:
      description: When it last went live, else when it was last written (seconds since the epoch).
      type: float
    live:
      description: The release is live.
      type: bool
target:
  description: Absolute path of the release to go back to; empty when there is none and O(required) is false.
  returned: success
  type: str
  sample: /srv/hello/releases/52c3af4d57b0-7c6d33c2
moves:
  description: Whether RV(target) is a release other than the live one.
  returned: success
  type: bool
  sample: true
"""

BUILT_MARKER = ".wsgi-stack-built"
LIVE_MARKER = ".wsgi-stack-went-live"


class ReleaseError(Exception):
    """No release to go back to."""


def list_releases(root: str) -> tuple[str, list[dict[str, Any]]]:
    """The live release and every release, newest first."""
    releases_dir = os.path.join(root, "releases")
    current = os.path.join(root, "current")
    live = os.path.realpath(current) if os.path.islink(current) else ""
    found = []
    if os.path.isdir(releases_dir):
        for entry in os.scandir(releases_dir):
            if not entry.is_dir(follow_symlinks=False):
                continue
            marker = os.path.join(entry.path, LIVE_MARKER)
            went_live = os.path.isfile(marker)
            found.append(
                {
                    "id": entry.name,
                    "path": entry.path,
                    "built": os.path.isfile(os.path.join(entry.path, BUILT_MARKER)),
                    "went_live": went_live,
                    "live": os.path.realpath(entry.path) == live,
                    "time": os.stat(marker).st_mtime if went_live else entry.stat(follow_symlinks=False).st_mtime,
                }
            )
    found.sort(key=lambda release: (release["time"], release["id"]), reverse=True)
    return live, found


def choose_target(live: str, releases: list[dict[str, Any]], release: str, name: str, var: str, required: bool) -> str:
    """The path to go back to, or an explanation why there is none."""
    app = f"app {name}: " if name else ""
    if release:
        match = [r for r in releases if r["id"] == release]
        if not match:
            known = ", ".join(r["id"] for r in releases) or "none"
            raise ReleaseError(f"{app}{var}: no release {release!r} (releases: {known})")
        if not match[0]["built"]:
            raise ReleaseError(f"{app}{var}: release {release!r} was never built to the end")
        return str(match[0]["path"])
    candidates = [r for r in releases if r["built"] and r["went_live"] and not r["live"]]
    if candidates:
        return str(candidates[0]["path"])
    if required:
        raise ReleaseError(f"{app}no release before the live one ({live or 'none'}) to go back to")
    return ""


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "root": {"type": "path", "required": True},
            "release": {"type": "str", "default": ""},
            "name": {"type": "str", "default": ""},
            "var": {"type": "str", "default": "release"},
            "required": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    params = module.params
    if "/" in params["release"] or params["release"] in (".", ".."):
        module.fail_json(msg=f"{params['var']}: a release id is a directory name, got {params['release']!r}")
    live, releases = list_releases(params["root"])
    try:
        target = choose_target(live, releases, params["release"], params["name"], params["var"], params["required"])
    except ReleaseError as exc:
        module.fail_json(msg=str(exc), live=live, releases=releases)
    module.exit_json(changed=False, live=live, releases=releases, target=target, moves=bool(target) and target != live)


if __name__ == "__main__":
    main()
