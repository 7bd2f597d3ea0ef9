#!/bin/bash
# Run the Python binding's pytest tests from CTest:
#   run.sh PYTHON PACKAGE_DIR KDX_CLI [pytest args...]
# PACKAGE_DIR is the build tree's python/ (kdx/ with the built _kdx).
# Without pytest the run fails under CI=true and skips loudly elsewhere
# (exit 77, which CTest shows as skipped).
set -u
py=$1 pkg=$2 cli=$3
shift 3
if ! "$py" -c 'import pytest' 2>/dev/null; then
    if [ "${CI:-}" = true ]; then
        echo "FAIL: $py has no pytest (python3-pytest); CI must run the Python tests"
        echo "0 passed, 1 failed"
        exit 1
    fi
    echo "################################################################"
    echo "## SKIPPED: the Python tests need pytest for $py (python3-pytest)"
    echo "################################################################"
    exit 77
fi
export PYTHONPATH=$pkg${PYTHONPATH:+:$PYTHONPATH} KDX_CLI=$cli
cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1
exec "$py" -m pytest -v -p no:cacheprovider -rs "$@" .
