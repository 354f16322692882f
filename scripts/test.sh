#!/usr/bin/env bash
# The whole check, as CI runs it: set up (idempotent), lint, then every test under a virtual display.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k cli -x`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/bootstrap.sh

echo "test: ruff check"
# Only folders that exist: git does not keep empty ones, and ruff fails on a missing path.
lint_paths=()
for path in core app tests benchmarks scripts; do
    [[ -e "$path" ]] && lint_paths+=("$path")
done
.venv/bin/ruff check "${lint_paths[@]}"

echo "test: pytest"
# --xvfb-backend=xvfb makes a missing Xvfb an error instead of silently testing without a display.
status=0
.venv/bin/python -m pytest --xvfb-backend=xvfb "$@" || status=$?
if ((status == 5)); then
    echo "test: error: pytest collected no tests" >&2
fi
exit "$status"
