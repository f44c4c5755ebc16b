#!/usr/bin/env bash
# Creates .venv with the pinned Python tools the tests use (moto server, cfn-lint), once.
# Safe to run again: it does nothing when the pins are already installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v python3 >/dev/null || { echo "python3 is required for the moto and cfn-lint tests; install it (apt-get install -y python3 python3-venv)" >&2; exit 1; }
stamp=.venv/.requirements
if [ -x .venv/bin/moto_server ] && [ -x .venv/bin/cfn-lint ] && cmp -s test/support/requirements.txt "$stamp" 2>/dev/null; then exit 0; fi
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r test/support/requirements.txt
cp test/support/requirements.txt "$stamp"
