#!/usr/bin/env bash
# Makes the Python virtual environment the iceoryx2 interop tests run their foreign peers in:
# ./scripts/iceoryx2-python.sh VENV_DIR (idempotent; installs the iceoryx2 wheel of the same
# version as the Rust crate, which iceoryx2 requires of peers).
set -euo pipefail
VENV=${1:?usage: iceoryx2-python.sh VENV_DIR}
VERSION=0.10.0
STAMP="$VENV/.iceoryx2-$VERSION"
[ -f "$STAMP" ] && exit 0
PYTHON=$(command -v python3 2>/dev/null || true)
if [ -z "$PYTHON" ]; then
    echo "the iceoryx2 interop tests need python3 (3.9 or newer) with the venv module" >&2
    exit 1
fi
rm -rf "$VENV"
if ! "$PYTHON" -m venv "$VENV"; then
    echo "python3 -m venv $VENV failed: install the venv module (Debian: python3-venv)" >&2
    exit 1
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "iceoryx2==$VERSION"
"$VENV/bin/python" -c "import iceoryx2" || { echo "iceoryx2 $VERSION did not import in $VENV" >&2; exit 1; }
touch "$STAMP"
