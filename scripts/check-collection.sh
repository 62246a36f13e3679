#!/usr/bin/env bash
# Build the collection tarball, check it carries no development files, install
# it into an empty collections path and read every role's documentation from
# there: what a user of the published collection gets.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ansible-galaxy collection build --force --output-path "$work" . >/dev/null
tarball=$(ls "$work"/wsgi-stack-*.tar.gz)
echo "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"

leaked=$(tar -tzf "$tarball" | grep -E '^(tests|molecule|scripts|images|\.ci|\.config|\.venv|\.cache)/|^Makefile$|^requirements-dev\.txt$' || true)
if [ -n "$leaked" ]; then
  echo "development files in the tarball:" >&2
  echo "$leaked" >&2
  exit 1
fi

ANSIBLE_COLLECTIONS_PATH="$work/installed" ansible-galaxy collection install --no-deps \
  -p "$work/installed" "$tarball" >/dev/null
for role in roles/*/; do
  role=$(basename "$role")
  first_option=$(python3 -c "import sys, yaml; print(next(iter(yaml.safe_load(open(sys.argv[1]))['argument_specs']['main']['options'])))" \
    "roles/$role/meta/argument_specs.yml")
  doc=$(ANSIBLE_COLLECTIONS_PATH="$work/installed" ansible-doc -t role "wsgi.stack.$role")
  if ! grep -q "$first_option" <<<"$doc"; then
    echo "ansible-doc -t role wsgi.stack.$role does not document $first_option" >&2
    exit 1
  fi
  echo "ansible-doc -t role wsgi.stack.$role: documents $first_option and the rest"
done

# Every module and filter documents itself (ansible-doc fails on a
# DOCUMENTATION block that does not parse).
for kind in module filter; do
  dir=plugins/${kind}s
  [ "$kind" = module ] || dir=plugins/filter
  for file in "$dir"/*.py; do
    name=$(basename "$file" .py)
    [ "$name" = __init__ ] && continue
    if [ "$kind" = filter ]; then
      # A filter file documents the filters it defines under their own names.
      names=$(python3 -c "import ast, sys; t = ast.parse(open(sys.argv[1]).read()); print(' '.join(n.name for n in t.body if isinstance(n, ast.FunctionDef) and not n.name.startswith('_')))" "$file")
      name=${names%% *}
    fi
    ANSIBLE_COLLECTIONS_PATH="$work/installed" ansible-doc -t "$kind" "wsgi.stack.$name" >/dev/null
    echo "ansible-doc -t $kind wsgi.stack.$name: documented"
  done
done
