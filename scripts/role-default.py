#!/usr/bin/env python3
"""Print a variable from a role's defaults/main.yml, a list one item a line.

    scripts/role-default.py uwsgi_emperor uwsgi_emperor_version

Used where a script outside Ansible needs a role's default (the prepared test
images), so that the value is written once, in the role.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROLES = Path(__file__).resolve().parent.parent / "roles"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: role-default.py ROLE VARIABLE", file=sys.stderr)
        return 2
    role, name = argv
    path = ROLES / role / "defaults" / "main.yml"
    defaults = yaml.safe_load(path.read_text()) or {}
    if name not in defaults:
        print(f"{path}: no variable {name}", file=sys.stderr)
        return 1
    value = defaults[name]
    for item in value if isinstance(value, list) else [value]:
        print(item)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
