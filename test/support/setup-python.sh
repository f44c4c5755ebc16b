#!/usr/bin/env bash
# Creates the virtualenvs with the pinned Python tools the tests use, once:
#   .venv           moto server and cfn-lint (test/support/requirements.txt)
#   .venv/scanners  checkov and parliament (test/support/requirements-scanners.txt), apart because
#                   checkov pins an old boto3 that would break moto's CloudWatch.
# Safe to run again: it does nothing when the pins are already installed. An existing (or linked)
# .venv is reused.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v python3 >/dev/null || { echo "python3 is required for the moto, cfn-lint, checkov and parliament tests; install it (apt-get install -y python3 python3-venv)" >&2; exit 1; }

# install <venv> <requirements> <a binary it must provide>
install() {
  local venv=$1 requirements=$2 binary=$3
  if [ -x "$venv/bin/$binary" ] && cmp -s "$requirements" "$venv/.requirements" 2>/dev/null; then return 0; fi
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/.requirements"
}

install .venv test/support/requirements.txt moto_server
[ -x .venv/bin/cfn-lint ] || { echo "cfn-lint missing from .venv after install" >&2; exit 1; }
install .venv/scanners test/support/requirements-scanners.txt checkov
